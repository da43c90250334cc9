//! Helpers for tests in other crates that play instruments through the
//! engine (feature `test-util`, for dev-dependencies only).

use crate::midi::MidiMessage;
use crate::Engine;

/// Renders at least `frames` frames in 128-frame quanta; returns the left channel.
pub fn render_left(engine: &mut Engine, frames: usize) -> Vec<f32> {
    let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
    let mut out = Vec::with_capacity(frames + 128);
    while out.len() < frames {
        engine.render(&mut l, &mut r);
        out.extend_from_slice(&l);
    }
    out
}

/// Upward zero crossings in `signal`: cycles of a clean tone.
pub fn cycles(signal: &[f32]) -> usize {
    signal.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count()
}

/// Plays `note` and renders 0.2 s: it must stay finite and end (a voice
/// asked for far more than `MAX_STEP` runs out of its sample); then plays
/// `reference` and checks that it sounds 440 Hz (44 cycles in 0.1 s).
pub fn assert_extreme_note_ends_and_reference_plays(engine: &mut Engine, note: u8, reference: u8) {
    engine.set_output_clip(false); // see every value, NaN included
    engine.handle(MidiMessage::NoteOn { channel: 0, note, velocity: 100 });
    let out = render_left(engine, 9_600);
    assert!(out.iter().all(|x| x.is_finite()), "non-finite output");
    assert_eq!(engine.active_voices(), 0, "held at the fastest step, the sample runs out and the voice ends");
    engine.handle(MidiMessage::NoteOn { channel: 0, note: reference, velocity: 100 });
    let out = render_left(engine, 9_600);
    let n = cycles(&out[4_800..9_600]);
    assert!((43..=45).contains(&n), "{n} cycles in 0.1 s");
}
