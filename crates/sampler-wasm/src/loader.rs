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
