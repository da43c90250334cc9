//! Plays what the parsers produce as hard as a hostile page or file could,
//! and checks the engine stays sound. The fuzz targets (`crates/sfz/fuzz`,
//! `crates/sf2/fuzz`) and the regression-corpus tests (`tests/corpus.rs` of
//! both parsers) go through this same path, so a committed fuzz finding is
//! checked by `cargo test` exactly as libFuzzer found it.
//!
//! - [`stand_in`]: generated samples for the files an SFZ names (and for
//!   the decoded Ogg Vorbis samples of an SF3), of varied kinds and lengths,
//!   some shorter than the loops and offsets the file asks for.
//! - [`sfz`], [`sf2`]: a parse → the `Instrument`s the web loader would build.
//! - [`play`]: every note with extreme controllers, through the event ring
//!   and `Host`, asserting on what comes out.

pub mod play;
pub mod sf2;
pub mod sfz;
pub mod stand_in;

pub use play::{play_everything, Played};

/// FNV-1a of `bytes`: a seed that follows the input, so a finding replays
/// with the same stand-in samples and engine settings.
pub fn seed_of(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// SplitMix64: decorrelated choices from a seed and an index.
pub(crate) fn mix(seed: u64, index: u64) -> u64 {
    let mut z = seed.wrapping_add(index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
