//! A note-on's work is bounded (issue 9, F8): with 100,000 regions on one
//! key (the SFZ parser's limit) one note-on looped over every region and
//! scanned the voice pool for each, about 300 ms of audio thread. Counted,
//! not timed: regions examined come from the key's own list, the voices one
//! note-on starts are capped at `Engine::MAX_LAYERS` (the rest counted),
//! and the pool is scanned a fixed number of times however many layers.

use sampler_core::midi::MidiMessage;
use sampler_core::{Engine, Instrument, Region, Sample, Trigger};

const REGIONS: usize = 100_000;
const POLYPHONY: usize = 4096;

/// `REGIONS` regions on key 60 (attack or release), one region for keys
/// 0..=59 to fill the pool with.
fn instrument(trigger: Trigger) -> Instrument {
    let sample = Sample::new(vec![vec![0.25; 48_000]], 48_000.0).unwrap();
    let mut regions: Vec<Region> = (0..REGIONS)
        .map(|_| {
            let mut r = Region::new(0, 60);
            (r.key_lo, r.key_hi, r.trigger) = (60, 60, trigger);
            r
        })
        .collect();
    let mut filler = Region::new(0, 30);
    (filler.key_lo, filler.key_hi) = (0, 59);
    regions.push(filler);
    Instrument::new(vec![sample], regions).unwrap()
}

/// An engine whose whole polyphony sounds (4096 voices on keys 0..=59).
fn full_engine(trigger: Trigger) -> Engine {
    let mut engine = Engine::new(48_000.0, POLYPHONY);
    engine.set_instrument(instrument(trigger));
    for k in 0..POLYPHONY {
        engine.handle(MidiMessage::NoteOn { channel: (k % 16) as u8, note: (k / 16 % 60) as u8, velocity: 100 });
    }
    let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
    engine.render(&mut l, &mut r);
    assert_eq!(engine.active_voices(), POLYPHONY);
    engine
}

/// The pool: the polyphony plus the spares stolen voices fade in.
fn pool() -> u64 {
    (POLYPHONY + POLYPHONY / 4 + 4) as u64
}

#[test]
fn a_note_on_examines_its_key_only_and_starts_at_most_max_layers() {
    let mut engine = full_engine(Trigger::Attack);
    let before = engine.counters();
    engine.handle(MidiMessage::NoteOn { channel: 0, note: 61, velocity: 100 });
    let after = engine.counters();
    assert_eq!(after.regions_examined, before.regions_examined, "key 61 has no regions");
    assert_eq!(after.voices_scanned, before.voices_scanned, "nothing to start, no pool scan");

    engine.handle(MidiMessage::NoteOn { channel: 0, note: 60, velocity: 100 });
    let after = engine.counters();
    assert_eq!(after.regions_examined - before.regions_examined, REGIONS as u64, "key 60's list, not the filler");
    assert_eq!(after.layers_dropped - before.layers_dropped, (REGIONS - Engine::MAX_LAYERS) as u32);
    let scans = (after.voices_scanned - before.voices_scanned) as f64 / pool() as f64;
    assert!(scans <= Engine::MAX_POOL_SCANS as f64, "{scans} pool scans for one note-on");
    let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
    engine.render(&mut l, &mut r);
    let voices = engine.active_voices();
    assert!(voices <= pool() as usize, "{voices} voices");
    // MAX_LAYERS new voices; as many old ones stolen and fading.
    engine.render(&mut vec![0.0; 480], &mut vec![0.0; 480]);
    assert_eq!(engine.active_voices(), POLYPHONY, "the stolen voices have faded");
}

#[test]
fn a_release_trigger_examines_its_key_only_and_starts_at_most_max_layers() {
    let mut engine = full_engine(Trigger::Release);
    engine.handle(MidiMessage::NoteOn { channel: 0, note: 60, velocity: 100 });
    let before = engine.counters();
    engine.handle(MidiMessage::NoteOff { channel: 0, note: 60, velocity: 0 });
    let after = engine.counters();
    assert_eq!(after.regions_examined - before.regions_examined, REGIONS as u64);
    assert_eq!(after.layers_dropped - before.layers_dropped, (REGIONS - Engine::MAX_LAYERS) as u32);
    let scans = (after.voices_scanned - before.voices_scanned) as f64 / pool() as f64;
    // The note-off's own scan for the key's voices, then the trigger's.
    assert!(scans <= 1.0 + Engine::MAX_POOL_SCANS as f64, "{scans} pool scans for one note-off");
}

#[test]
fn every_matching_layer_plays_below_the_cap() {
    // Eight layers of one key, each a different level: all eight sound.
    let sample = Sample::new(vec![vec![0.01; 48_000]], 48_000.0).unwrap();
    let regions = (0..8)
        .map(|_| {
            let mut r = Region::new(0, 60);
            r.amp_veltrack = 0.0;
            r
        })
        .collect();
    let mut engine = Engine::new(48_000.0, 64);
    engine.set_output_clip(false);
    engine.set_instrument(Instrument::new(vec![sample], regions).unwrap());
    engine.handle(MidiMessage::NoteOn { channel: 0, note: 60, velocity: 100 });
    assert_eq!(engine.active_voices(), 8);
    assert_eq!(engine.counters().layers_dropped, 0);
}
