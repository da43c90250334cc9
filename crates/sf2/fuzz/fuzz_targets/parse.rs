//! Any bytes as a SoundFont: parse, then build presets as the web loader
//! does (SF3 samples by stand-ins of a decoded length) and play each one,
//! every note with extreme controllers (`sampler_stress`, the path
//! `tests/corpus.rs` replays). Must return Ok or Err, never panic; run
//! with `-rss_limit_mb` so that an allocation believed from a size field
//! shows up as a failure, and with `-timeout` so a slow input does (see
//! FUZZING.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Presets built, and of those played, per input: a font can list
/// thousands, and the fuzzer learns more from many inputs than from every
/// preset of one.
const BUILT: usize = 32;
const PLAYED: usize = 4;

fuzz_target!(|data: &[u8]| {
    let Ok(font) = sampler_sf2::SoundFont::parse("fuzz.sf2", data) else { return };
    let seed = sampler_stress::seed_of(data);
    let presets = sampler_stress::sf2::presets(&font, BUILT, seed);
    for instrument in presets.into_iter().filter_map(|p| p.instrument.ok()).take(PLAYED) {
        sampler_stress::play_everything(instrument, seed);
    }
});
