//! Any bytes as SFZ text, decoded as the web loader decodes files (UTF-8,
//! lossily). `#include "a.sfz"` and `"b.sfz"` read the first and second
//! half of the input, so include handling (depth, cycles, sizes) is fuzzed
//! too. The parser must return Ok or Err, never panic, and stay within its
//! limits; then what it parsed is built into an instrument with stand-in
//! samples and played, every note with extreme controllers
//! (`sampler_stress`, the path `tests/corpus.rs` replays). Run it with
//! `-timeout` so a slow input is a finding (see FUZZING.md).
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
    let Ok(parsed) = sampler_sfz::parse("fuzz.sfz", &text, &mut read) else { return };
    assert!(parsed.regions.len() <= sampler_sfz::MAX_REGIONS);
    assert!(parsed.warnings.len() <= sampler_sfz::MAX_WARNINGS + 1);
    assert!(parsed.regions.iter().all(|r| r.sample < parsed.samples.len()));
    let seed = sampler_stress::seed_of(data);
    if let Ok(instrument) = sampler_stress::sfz::instrument(&parsed, seed) {
        sampler_stress::play_everything(instrument, seed);
    }
});
