//! Pitches far outside music (issue 9, F1): a region tuned 27 octaves up
//! once made the read position wrap and read outside the sample. Whatever
//! the tuning, a voice must stay finite and either sound or end, and the
//! engine must play normally afterwards.

use sampler_core::midi::MidiMessage;
use sampler_core::{Engine, Instrument, LoopMode, Region, Sample};

const RATE: f32 = 48_000.0;

fn sine(seconds: f32) -> Sample {
    let n = (RATE * seconds) as usize;
    Sample::new(vec![(0..n).map(|i| (std::f32::consts::TAU * 440.0 * i as f32 / RATE).sin()).collect()], RATE).unwrap()
}

/// Key 69 plays the extreme region, key 60 a normal one (440 Hz at its root).
fn instrument(extreme: Region) -> Instrument {
    let mut normal = Region::new(0, 60);
    (normal.key_lo, normal.key_hi) = (60, 60);
    Instrument::new(vec![sine(2.0)], vec![extreme, normal]).unwrap()
}

fn extreme(f: impl FnOnce(&mut Region)) -> Region {
    let mut r = Region::new(0, 69);
    (r.key_lo, r.key_hi) = (61, 127);
    f(&mut r);
    r
}

fn render(engine: &mut Engine, frames: usize) -> Vec<f32> {
    let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
    let mut out = Vec::with_capacity(frames);
    while out.len() < frames {
        engine.render(&mut l, &mut r);
        out.extend_from_slice(&l);
    }
    out
}

fn note_on(engine: &mut Engine, note: u8) {
    engine.handle(MidiMessage::NoteOn { channel: 0, note, velocity: 100 });
}

/// Plays `note` on the extreme region, then checks that the output stayed
/// finite, the voice behaved, and a normal note still sounds at 440 Hz.
fn survives(region: Region, note: u8, bend: Option<i16>) {
    let mut engine = Engine::new(RATE, 16);
    engine.set_output_clip(false); // see every value, NaN included
    engine.set_instrument(instrument(region.clone()));
    if let Some(value) = bend {
        engine.handle(MidiMessage::PitchBend { channel: 0, value });
    }
    note_on(&mut engine, note);
    let out = render(&mut engine, 24_000);
    assert!(out.iter().all(|x| x.is_finite()), "{region:?}: non-finite output");
    engine.handle(MidiMessage::NoteOff { channel: 0, note, velocity: 0 });
    render(&mut engine, 24_000);
    assert_eq!(engine.active_voices(), 0, "{region:?}: the voice ends after its release");
    engine.handle(MidiMessage::PitchBend { channel: 0, value: 0 });
    note_on(&mut engine, 60);
    let out = render(&mut engine, 9_600);
    let tail = &out[4_800..];
    let crossings = tail.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    assert!((43..=45).contains(&crossings), "{region:?}: the normal note plays 440 Hz ({crossings} cycles in 0.1 s)");
}

#[test]
fn the_issue_tuning_plays_without_reading_outside_the_sample() {
    // loadSamples([{ rootKey: 69, tuneCents: 32454.98 }]), note 69: 27 octaves up.
    let mut engine = Engine::new(RATE, 16);
    engine.set_output_clip(false); // see every value, NaN included
    engine.set_instrument(instrument(extreme(|r| {
        r.key_lo = 69;
        r.tune_cents = 32_454.98;
    })));
    note_on(&mut engine, 69);
    let out = render(&mut engine, 4_800);
    assert!(out.iter().all(|x| x.is_finite()));
    // Held at the fastest step, the 2 s sample runs out within 0.1 s.
    assert_eq!(engine.active_voices(), 0, "the voice ran off the end of its sample and ended");
    survives(extreme(|r| r.tune_cents = 32_454.98), 69, None);
}

#[test]
fn extreme_tunings_loops_offsets_and_bends_stay_finite() {
    for tune in [-160_000.0, -32_454.98, -9_600.0, 9_600.0, 32_454.98, 152_627.0] {
        for note in [61u8, 69, 127] {
            survives(extreme(|r| r.tune_cents = tune), note, None);
            survives(extreme(|r| r.tune_cents = tune), note, Some(8191));
            survives(extreme(|r| r.tune_cents = tune), note, Some(-8192));
            survives(
                extreme(|r| {
                    r.tune_cents = tune;
                    r.keytrack_cents = 1200.0;
                    r.loop_mode = LoopMode::Continuous;
                    (r.loop_start, r.loop_end, r.loop_crossfade) = (1_000, 90_000, 0.01);
                    r.offset = 95_000;
                }),
                note,
                None,
            );
            survives(
                extreme(|r| {
                    r.tune_cents = tune;
                    r.loop_mode = LoopMode::Sustain;
                    (r.loop_start, r.loop_end) = (3, 5);
                    r.offset = 4;
                }),
                note,
                Some(8191),
            );
        }
    }
}
