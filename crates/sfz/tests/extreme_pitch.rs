//! Issue 9, F1 through the SFZ loader: every opcode in range, yet note 87
//! asks for 27 octaves up (`pitch_keytrack=1200` over 27 keys plus `tune`).
//! The engine once read outside the sample; the voice must stay finite,
//! end or sound, and the instrument must play normally afterwards.

use sampler_core::testing::assert_extreme_note_ends_and_reference_plays;
use sampler_core::{Engine, Instrument, Sample};

const RATE: f32 = 48_000.0;

#[test]
fn an_in_range_sfz_that_asks_for_27_octaves_up_plays_safely() {
    let text = "<region> sample=sine.wav pitch_keycenter=60 pitch_keytrack=1200 tune=54.98";
    let sfz = sampler_sfz::parse("t.sfz", text, &mut |_| None).unwrap();
    assert!(sfz.warnings.is_empty(), "{:?}", sfz.warnings);
    let n = 2 * RATE as usize;
    let sine = (0..n).map(|i| (std::f32::consts::TAU * 440.0 * i as f32 / RATE).sin()).collect();
    let instrument = Instrument::new(vec![Sample::new(vec![sine], RATE).unwrap()], sfz.regions).unwrap();
    let mut engine = Engine::new(RATE, 16);
    engine.set_instrument(instrument);
    // Key 60 is the sample's own pitch: 440 Hz.
    assert_extreme_note_ends_and_reference_plays(&mut engine, 87, 60);
}
