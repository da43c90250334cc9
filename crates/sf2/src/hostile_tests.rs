//! Issue 9, F1 through the SoundFont loader: a zone whose generators are
//! all in range (scaleTuning 1200, fineTune 55) asks for 27 octaves up at
//! key 87. The engine once read outside the sample there; the voice must
//! stay finite and end, and the preset must play normally afterwards.

use crate::testutil::{gen, Builder, TSample, TZone};
use crate::SoundFont;
use sampler_core::midi::MidiMessage;
use sampler_core::Engine;

const RATE: u32 = 48_000;

fn render(engine: &mut Engine, frames: usize) -> Vec<f32> {
    let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
    let mut out = Vec::new();
    while out.len() < frames {
        engine.render(&mut l, &mut r);
        out.extend_from_slice(&l);
    }
    out
}

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
    engine.set_output_clip(false); // see every value, NaN included
    engine.set_instrument(instrument);
    engine.handle(MidiMessage::NoteOn { channel: 0, note: 87, velocity: 100 });
    let out = render(&mut engine, 9_600);
    assert!(out.iter().all(|x| x.is_finite()));
    assert_eq!(engine.active_voices(), 0, "the sample runs out at the fastest step and the voice ends");
    engine.handle(MidiMessage::NoteOn { channel: 0, note: 60, velocity: 100 });
    let out = render(&mut engine, 9_600);
    let cycles = out[4_800..].windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    assert!((43..=45).contains(&cycles), "{cycles} cycles in 0.1 s");
}
