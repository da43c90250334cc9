//! Instrument parsing for the main thread (or a worker): the page runs a
//! second instance of this module there, so that parsing never happens on
//! the audio thread. Results are plain JS objects; `encodeInstrument` then
//! checks the finished regions and turns them into bytes, which the worklet
//! receives with the sample data.

use crate::instrument_bytes::{self, Header};
use sampler_core::{Instrument, Region};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// Instrument options as JavaScript gives them (all optional).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InstrumentOptions {
    release_seconds: Option<f32>,
    polyphony: Option<usize>,
    note_polyphony: Option<usize>,
    keyswitch_range: Option<(u8, u8)>,
    keyswitch_default: Option<u8>,
}

impl InstrumentOptions {
    /// From `{ release_seconds, polyphony, note_polyphony, keyswitch_range:
    /// [lo, hi], keyswitch_default }`, undefined or null.
    pub fn from_js(options: JsValue) -> Result<InstrumentOptions, JsError> {
        if options.is_undefined() || options.is_null() {
            return Ok(InstrumentOptions::default());
        }
        serde_wasm_bindgen::from_value(options).map_err(|e| JsError::new(&format!("bad instrument options: {e}")))
    }

    /// `release_seconds` overrides every region's release time.
    pub fn apply_release(&self, regions: &mut [Region]) {
        if let Some(release) = self.release_seconds.filter(|r| r.is_finite() && *r > 0.0) {
            for r in regions {
                r.amp_env.release = release;
            }
        }
    }

    pub fn header(&self) -> Header {
        Header {
            polyphony: self.polyphony,
            note_polyphony: self.note_polyphony,
            keyswitch_range: self.keyswitch_range,
            keyswitch_default: self.keyswitch_default,
            regions: 0,
        }
    }
}

/// Checks an instrument's regions (objects with `Region`'s fields, in
/// snake_case; missing fields take SFZ defaults) against its samples'
/// lengths (`sample_frames[i]` frames in sample `i`) and returns them, with
/// `options`, as the bytes the worklet loads (`instrument_bytes`). Throws an
/// Error naming the first bad region, before anything reaches the worklet.
#[wasm_bindgen(js_name = encodeInstrument)]
pub fn encode_instrument(regions: &js_sys::Array, options: JsValue, sample_frames: &[u32]) -> Result<Vec<u8>, JsError> {
    let options = InstrumentOptions::from_js(options)?;
    let mut decoded = Vec::with_capacity(regions.length() as usize);
    for (i, value) in regions.iter().enumerate() {
        if let Some(field) = crate::region_fields::unknown_field(&value) {
            return Err(JsError::new(&format!("bad region {i}: unknown field `{field}`")));
        }
        let region: Region =
            serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("bad region {i}: {e}")))?;
        decoded.push(region);
    }
    options.apply_release(&mut decoded);
    Instrument::check_regions(&decoded, |i| sample_frames.get(i).map(|&f| f as usize))
        .map_err(|e| JsError::new(&e.to_string()))?;
    instrument_bytes::encode(&options.header(), &decoded).map_err(|e| JsError::new(&format!("encoding the regions: {e}")))
}

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
pub fn parse_sfz(
    path: &str,
    text: &str,
    read_include: &js_sys::Function,
) -> Result<JsValue, JsError> {
    let mut read = |p: &str| {
        read_include
            .call1(&JsValue::NULL, &JsValue::from_str(p))
            .ok()
            .and_then(|v| v.as_string())
    };
    let sfz =
        sampler_sfz::parse(path, text, &mut read).map_err(|e| JsError::new(&e.to_string()))?;
    let out = ParsedSfz {
        regions: &sfz.regions,
        from_sample: sfz
            .from_sample
            .iter()
            .map(|f| FromSample {
                root_key: f.root_key,
                loop_mode: f.loop_mode,
                loop_points: f.loop_points,
            })
            .collect(),
        samples: &sfz.samples,
        polyphony: sfz.polyphony,
        note_polyphony: sfz.note_polyphony,
        keyswitch_range: sfz.keyswitch_range,
        keyswitch_default: sfz.keyswitch_default,
        warnings: sfz.warnings.iter().map(|w| w.to_string()).collect(),
    };
    out.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
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
        let font =
            sampler_sf2::SoundFont::parse(name, bytes).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(SoundFontFile { font })
    }

    /// `[{ name, bank, program, index }]`, sorted by bank and program.
    pub fn presets(&self) -> Result<JsValue, JsError> {
        let presets = self.font.presets();
        let out: Vec<PresetOut> = presets
            .iter()
            .map(|p| PresetOut {
                name: &p.name,
                bank: p.bank,
                program: p.program,
                index: p.index,
            })
            .collect();
        out.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| JsError::new(&e.to_string()))
    }

    #[wasm_bindgen(js_name = findPreset)]
    pub fn find_preset(&self, bank: u16, program: u8) -> Option<usize> {
        self.font.find_preset(bank, program)
    }

    /// The font's own name (INFO `INAM`), or "".
    pub fn title(&self) -> String {
        self.font.title().to_string()
    }

    /// The Ogg Vorbis compressed (SF3) samples preset `preset` plays, to be
    /// decoded before `instrument`: `[{ id, name, bytes: Uint8Array }]`.
    #[wasm_bindgen(js_name = compressedSamples)]
    pub fn compressed_samples(&self, preset: usize) -> Result<JsValue, JsError> {
        let out = js_sys::Array::new();
        for id in self.font.compressed_samples(preset) {
            let Some(bytes) = self.font.compressed_bytes(id) else {
                continue;
            };
            let item = js_sys::Object::new();
            set(&item, "id", &JsValue::from(id as u32))?;
            set(
                &item,
                "name",
                &JsValue::from_str(self.font.sample_name(id).unwrap_or("")),
            )?;
            set(&item, "bytes", &js_sys::Uint8Array::from(bytes).into())?;
            out.push(&item);
        }
        Ok(out.into())
    }

    /// `{ regions, samples, warnings }` for one preset (by `index` from
    /// `presets()`). Samples are `{ channels: [Int16Array | Float32Array],
    /// sampleRate }`, or for SF3 `{ compressed: id, start, end, sampleRate }`:
    /// frames `start..end` of compressed sample `id` once decoded.
    /// `decoded_frames` (an object `{ id: frames }`, or undefined) gives
    /// each decoded compressed sample's length.
    pub fn instrument(&self, preset: usize, decoded_frames: JsValue) -> Result<JsValue, JsError> {
        use sampler_core::sample::{SampleData, GUARD_BEFORE};
        use sampler_sf2::SampleRef;
        let frames_of = |id: usize| -> Option<u32> {
            if decoded_frames.is_undefined() || decoded_frames.is_null() {
                return None;
            }
            js_sys::Reflect::get(&decoded_frames, &JsValue::from(id as u32))
                .ok()?
                .as_f64()
                .map(|f| f as u32)
        };
        let layout = self
            .font
            .layout(preset, &frames_of)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let samples = js_sys::Array::new();
        for r in &layout.samples {
            let sample = js_sys::Object::new();
            if let SampleRef::Decoded {
                sample: id,
                start,
                end,
                rate,
            } = *r
            {
                set(&sample, "compressed", &JsValue::from(id as u32))?;
                set(&sample, "start", &JsValue::from(start))?;
                set(&sample, "end", &JsValue::from(end))?;
                set(&sample, "sampleRate", &JsValue::from(rate))?;
                samples.push(&sample);
                continue;
            }
            let s = self
                .font
                .pcm_sample(r)
                .expect("a PCM sample reference")
                .map_err(|e| JsError::new(&e.to_string()))?;
            let frames = GUARD_BEFORE..GUARD_BEFORE + s.frames();
            let channels: js_sys::Array = match s.data() {
                SampleData::I16(c) => c
                    .iter()
                    .map(|ch| JsValue::from(js_sys::Int16Array::from(&ch[frames.clone()])))
                    .collect(),
                SampleData::F32(c) => c
                    .iter()
                    .map(|ch| JsValue::from(js_sys::Float32Array::from(&ch[frames.clone()])))
                    .collect(),
            };
            set(&sample, "channels", &channels)?;
            set(&sample, "sampleRate", &JsValue::from(s.sample_rate()))?;
            samples.push(&sample);
        }
        let regions = layout
            .regions
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| JsError::new(&e.to_string()))?;
        let out = js_sys::Object::new();
        set(&out, "regions", &regions)?;
        set(&out, "samples", &samples.into())?;
        set(
            &out,
            "warnings",
            &serde_wasm_bindgen::to_value(&layout.warnings)?,
        )?;
        Ok(out.into())
    }
}

fn set(target: &js_sys::Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    js_sys::Reflect::set(target, &key.into(), value)
        .map(|_| ())
        .map_err(|_| JsError::new(&format!("setting {key}")))
}
