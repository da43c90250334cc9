//! Any bytes as SFZ text, decoded as the web loader decodes files (UTF-8,
//! lossily). `#include "a.sfz"` and `"b.sfz"` read the first and second
//! half of the input, so include handling (depth, cycles, sizes) is fuzzed
//! too. The parser must return Ok or Err, never panic, and stay within its
//! text and region limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (first, second) = data.split_at(data.len() / 2);
    let mut read = |path: &str| match path {
        "a.sfz" => Some(String::from_utf8_lossy(first).into_owned()),
        "b.sfz" => Some(String::from_utf8_lossy(second).into_owned()),
        _ => None,
    };
    if let Ok(inst) = sampler_sfz::parse("fuzz.sfz", &text, &mut read) {
        assert!(inst.regions.len() <= sampler_sfz::MAX_REGIONS);
        assert!(inst.warnings.len() <= sampler_sfz::MAX_WARNINGS + 1);
        for r in &inst.regions {
            assert!(r.sample < inst.samples.len());
        }
    }
});
