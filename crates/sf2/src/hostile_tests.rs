//! Issue 9, F1 through the SoundFont loader: a zone whose generators are
//! all in range (scaleTuning 1200, fineTune 55) asks for 27 octaves up at
//! key 87. The engine once read outside the sample there; the voice must
//! stay finite and end, and the preset must play normally afterwards.

use crate::testutil::{gen, Builder, TSample, TZone};
use crate::SoundFont;
use sampler_core::testing::assert_extreme_note_ends_and_reference_plays;
use sampler_core::Engine;

const RATE: u32 = 48_000;

#[test]
fn an_in_range_zone_that_asks_for_27_octaves_up_plays_safely() {
    let n = 2 * RATE;
    let mut smpl: Vec<i16> = (0..n)
        .map(|i| ((std::f32::consts::TAU * 440.0 * i as f32 / RATE as f32).sin() * 16_000.0) as i16)
        .collect();
    smpl.extend([0; 46]);
    let mut f = Builder::new(smpl);
    let sine = f.sample(TSample { rate: RATE, ..TSample::new("Sine", 0, n, 60) });
    let inst = f.instrument(
        "Steep",
        vec![TZone::gens(&[gen::i(56, 1200), gen::i(52, 55), gen::sample(sine)])],
    );
    f.preset("Steep", 0, 0, vec![TZone::gens(&[gen::instrument(inst)])]);
    let sf = SoundFont::parse("steep.sf2", &f.build()).unwrap();
    let instrument = sf.instrument(0).unwrap();
    let mut engine = Engine::new(RATE as f32, 16);
    engine.set_instrument(instrument);
    assert_extreme_note_ends_and_reference_plays(&mut engine, 87, 60);
}
