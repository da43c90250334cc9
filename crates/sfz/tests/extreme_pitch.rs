//! Issue 9, F1 through the SFZ loader: every opcode in range, yet note 87
//! asks for 27 octaves up (`pitch_keytrack=1200` over 27 keys plus `tune`).
//! The engine once read outside the sample; the voice must stay finite,
//! end or sound, and the instrument must play normally afterwards.

use sampler_core::midi::MidiMessage;
use sampler_core::{Engine, Instrument, Sample};

const RATE: f32 = 48_000.0;

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
fn an_in_range_sfz_that_asks_for_27_octaves_up_plays_safely() {
    let text = "<region> sample=sine.wav pitch_keycenter=60 pitch_keytrack=1200 tune=54.98";
    let sfz = sampler_sfz::parse("t.sfz", text, &mut |_| None).unwrap();
    assert!(sfz.warnings.is_empty(), "{:?}", sfz.warnings);
    let n = 2 * RATE as usize;
    let sine = (0..n).map(|i| (std::f32::consts::TAU * 440.0 * i as f32 / RATE).sin()).collect();
    let instrument = Instrument::new(vec![Sample::new(vec![sine], RATE).unwrap()], sfz.regions).unwrap();
    let mut engine = Engine::new(RATE, 16);
    engine.set_output_clip(false); // see every value, NaN included
    engine.set_instrument(instrument);
    engine.handle(MidiMessage::NoteOn { channel: 0, note: 87, velocity: 100 });
    let out = render(&mut engine, 9_600);
    assert!(out.iter().all(|x| x.is_finite()));
    assert_eq!(engine.active_voices(), 0, "held at the fastest step, the sample runs out and the voice ends");
    // Key 60 is the sample's own pitch: 440 Hz.
    engine.handle(MidiMessage::NoteOn { channel: 0, note: 60, velocity: 100 });
    let out = render(&mut engine, 9_600);
    let cycles = out[4_800..].windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    assert!((43..=45).contains(&cycles), "{cycles} cycles in 0.1 s");
}
