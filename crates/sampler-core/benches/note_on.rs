//! The worst case of one note-on (issue 9, F8): 100,000 regions on one
//! key (the SFZ parser's limit) and the whole pool of 4096 voices sounding,
//! so every layer the note-on starts must steal
//! (`cargo bench -p sampler-core --bench note_on`). Each note-on is timed
//! by the wall clock (`Instant`; the scheduler's CPU-time counter is too
//! coarse for one call); the renders between them, which let the stolen
//! voices fade, are not. The median and the fastest are reported: on a
//! shared machine the slowest includes time the thread was not running.

use sampler_core::midi::MidiMessage;
use sampler_core::{Engine, Instrument, Region, Sample};

const REGIONS: usize = 100_000;
const POLYPHONY: usize = 4096;

fn main() {
    // `NOTE_ON_REGIONS=n` puts n regions on the key instead, to separate
    // the pool's share of the time from the regions'; `NOTE_ON_ROUNDS=n`
    // times n note-ons instead of 200.
    let regions_on_key = std::env::var("NOTE_ON_REGIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(REGIONS);
    let sample = Sample::new(vec![vec![0.25; 48_000]], 48_000.0).unwrap();
    let mut regions: Vec<Region> = (0..regions_on_key)
        .map(|_| {
            let mut r = Region::new(0, 60);
            (r.key_lo, r.key_hi) = (60, 60);
            r
        })
        .collect();
    let mut filler = Region::new(0, 30);
    (filler.key_lo, filler.key_hi) = (0, 59);
    regions.push(filler);
    // Building the instrument (checks and per-key lists), for this layout
    // and for the worst one: a range ending at every key, so no two keys
    // share a list.
    let mut staggered = regions.clone();
    for (i, r) in staggered.iter_mut().enumerate() {
        (r.key_lo, r.key_hi) = ((i % 128) as u8, 127);
    }
    let t0 = std::time::Instant::now();
    let instrument = Instrument::new(vec![sample.clone()], regions).unwrap();
    let built = t0.elapsed().as_secs_f64() * 1e3;
    let t0 = std::time::Instant::now();
    drop(Instrument::new(vec![sample], staggered).unwrap());
    println!(
        "Instrument::new, {} regions: {built:.1} ms; with a range ending at every key: {:.1} ms",
        regions_on_key + 1,
        t0.elapsed().as_secs_f64() * 1e3
    );
    let mut engine = Engine::new(48_000.0, POLYPHONY);
    engine.set_instrument(instrument);
    for k in 0..POLYPHONY {
        engine.handle(MidiMessage::NoteOn { channel: (k % 16) as u8, note: (k / 16 % 60) as u8, velocity: 100 });
    }
    let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
    let rounds = std::env::var("NOTE_ON_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(200);
    let mut times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let channel = (round % 16) as u8;
        let t0 = std::time::Instant::now();
        engine.handle(MidiMessage::NoteOn { channel, note: 60, velocity: 100 });
        times.push(t0.elapsed().as_secs_f64() * 1e3);
        engine.handle(MidiMessage::NoteOff { channel, note: 60, velocity: 0 });
        for _ in 0..8 {
            engine.render(&mut l, &mut r);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "one note-on, {regions_on_key} regions on its key, {POLYPHONY} voices sounding: median {:.3} ms, fastest {:.3} ms, slowest {:.3} ms ({rounds} note-ons, wall clock)",
        times[rounds / 2],
        times[0],
        times[rounds - 1],
    );
}
