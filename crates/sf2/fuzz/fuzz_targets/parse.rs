//! Any bytes as a SoundFont: parse, then build every preset (SF3 presets
//! against a stand-in decoded length). Must return Ok or Err, never panic;
//! run with `-rss_limit_mb` (see README.md) so that an allocation believed
//! from a size field shows up as a failure.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(font) = sampler_sf2::SoundFont::parse("fuzz.sf2", data) else { return };
    for p in font.presets().into_iter().take(32) {
        let _ = font.layout(p.index, &|_| Some(4096));
        if font.compressed_samples(p.index).is_empty() {
            let _ = font.instrument(p.index);
        }
    }
});
