//! Instrument parsing for the main thread (or a worker): the page runs a
//! second instance of this module there, so that parsing never happens on
//! the audio thread. Results are plain JS objects; the worklet only receives
//! finished regions and sample data.

use sampler_core::Region;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct FromSample {
    root_key: bool,
    loop_mode: bool,
    loop_points: bool,
}

#[derive(Serialize)]
struct ParsedSfz<'a> {
    regions: &'a [Region],
    /// Per region: what to take from the sample file once it is read.
    from_sample: Vec<FromSample>,
    samples: &'a [String],
    polyphony: Option<usize>,
    note_polyphony: Option<usize>,
    keyswitch_range: Option<(u8, u8)>,
    keyswitch_default: Option<u8>,
    warnings: Vec<String>,
}

/// Parses SFZ text. `read_include(path)` returns the text of an
/// `#include`d file, or undefined when it is missing. Returns
/// `{ regions, from_sample, samples, polyphony, note_polyphony,
/// keyswitch_range, keyswitch_default, warnings }`; throws an Error that names the file and
/// the problem when the file cannot be used at all.
#[wasm_bindgen(js_name = parseSfz)]
pub fn parse_sfz(path: &str, text: &str, read_include: &js_sys::Function) -> Result<JsValue, JsError> {
    let mut read = |p: &str| read_include.call1(&JsValue::NULL, &JsValue::from_str(p)).ok().and_then(|v| v.as_string());
    let sfz = sampler_sfz::parse(path, text, &mut read).map_err(|e| JsError::new(&e.to_string()))?;
    let out = ParsedSfz {
        regions: &sfz.regions,
        from_sample: sfz
            .from_sample
            .iter()
            .map(|f| FromSample { root_key: f.root_key, loop_mode: f.loop_mode, loop_points: f.loop_points })
            .collect(),
        samples: &sfz.samples,
        polyphony: sfz.polyphony,
        note_polyphony: sfz.note_polyphony,
        keyswitch_range: sfz.keyswitch_range,
        keyswitch_default: sfz.keyswitch_default,
        warnings: sfz.warnings.iter().map(|w| w.to_string()).collect(),
    };
    out.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
}

/// A parsed SoundFont 2 file, on the main thread. Building a preset's
/// instrument converts only the samples that preset uses.
#[wasm_bindgen]
pub struct SoundFontFile {
    font: sampler_sf2::SoundFont,
}

#[derive(Serialize)]
struct PresetOut<'a> {
    name: &'a str,
    bank: u16,
    program: u8,
    index: usize,
}

#[wasm_bindgen]
impl SoundFontFile {
    /// Parses `bytes`; throws an Error naming `name` and the problem.
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, bytes: &[u8]) -> Result<SoundFontFile, JsError> {
        let font = sampler_sf2::SoundFont::parse(name, bytes).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(SoundFontFile { font })
    }

    /// `[{ name, bank, program, index }]`, sorted by bank and program.
    pub fn presets(&self) -> Result<JsValue, JsError> {
        let presets = self.font.presets();
        let out: Vec<PresetOut> =
            presets.iter().map(|p| PresetOut { name: &p.name, bank: p.bank, program: p.program, index: p.index }).collect();
        out.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
    }

    #[wasm_bindgen(js_name = findPreset)]
    pub fn find_preset(&self, bank: u16, program: u8) -> Option<usize> {
        self.font.find_preset(bank, program)
    }

    /// `{ regions, samples: [{ channels: [Int16Array | Float32Array], sampleRate }], warnings }`
    /// for one preset (by `index` from `presets()`).
    pub fn instrument(&self, preset: usize) -> Result<JsValue, JsError> {
        use sampler_core::sample::{SampleData, GUARD_BEFORE};
        let (instrument, warnings) = self.font.instrument_with_warnings(preset).map_err(|e| JsError::new(&e.to_string()))?;
        let samples = js_sys::Array::new();
        for s in &instrument.samples {
            let frames = GUARD_BEFORE..GUARD_BEFORE + s.frames();
            let channels: js_sys::Array = match s.data() {
                SampleData::I16(c) => c.iter().map(|ch| JsValue::from(js_sys::Int16Array::from(&ch[frames.clone()]))).collect(),
                SampleData::F32(c) => c.iter().map(|ch| JsValue::from(js_sys::Float32Array::from(&ch[frames.clone()]))).collect(),
            };
            let sample = js_sys::Object::new();
            js_sys::Reflect::set(&sample, &"channels".into(), &channels).map_err(|_| JsError::new("building sample"))?;
            js_sys::Reflect::set(&sample, &"sampleRate".into(), &JsValue::from(s.sample_rate())).map_err(|_| JsError::new("building sample"))?;
            samples.push(&sample);
        }
        let regions = instrument.regions.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))?;
        let out = js_sys::Object::new();
        for (key, value) in [("regions", regions), ("samples", samples.into()), ("warnings", serde_wasm_bindgen::to_value(&warnings)?)] {
            js_sys::Reflect::set(&out, &key.into(), &value).map_err(|_| JsError::new("building instrument"))?;
        }
        Ok(out.into())
    }
}
