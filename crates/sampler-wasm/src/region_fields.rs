//! Regions arrive as JS objects. serde-wasm-bindgen reads only the fields
//! a struct declares, so serde's `deny_unknown_fields` never sees the
//! others: a misspelt field (`rootKey` for `root_key`) would silently take
//! its default. This checks every key of a region and of its nested
//! objects against the names serde's derive gives them.

use js_sys::{Object, Reflect};
use sampler_core::region::{serde_field_names, EnvelopeParams, FilterParams, LfoParams};
use sampler_core::Region;
use wasm_bindgen::{JsCast, JsValue};

/// The first key of `value` (and of its `amp_env`, `filter`,
/// `filter.envelope` and `lfo` objects) that `Region` does not have, as
/// its path.
pub fn unknown_field(value: &JsValue) -> Option<String> {
    let region = serde_field_names::<Region>();
    let envelope = serde_field_names::<EnvelopeParams>();
    let filter = serde_field_names::<FilterParams>();
    let lfo = serde_field_names::<LfoParams>();
    let get = |v: &JsValue, key: &str| Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let filter_value = get(value, "filter");
    let nested = [
        ("", value.clone(), region),
        ("amp_env.", get(value, "amp_env"), envelope),
        ("filter.", filter_value.clone(), filter),
        ("filter.envelope.", get(&filter_value, "envelope"), envelope),
        ("lfo.", get(value, "lfo"), lfo),
    ];
    for (path, object, fields) in nested {
        // Not an object (absent, null, or a wrong type serde will report).
        let Some(object) = object.dyn_ref::<Object>() else { continue };
        for key in Object::keys(object).iter() {
            let key = key.as_string().unwrap_or_default();
            if !fields.contains(&key.as_str()) {
                return Some(format!("{path}{key}"));
            }
        }
    }
    None
}
