//! The Host's queue of future events, through the ring: a due event wins
//! over far-future ones when the queue is full, and every event lost is
//! counted.

mod common;
use common::*;
use sampler_core::Host;

const RATE: f32 = 48_000.0;
const MINUTE: u64 = 60 * 48_000;

/// Fills the Host's queue with `count` note-ons a minute ahead (distinct
/// frames), in batches of one quantum's drain, rendering a quantum after each.
/// Returns the audio rendered meanwhile.
fn schedule_far_ahead(rig: &mut Rig, count: u64) -> Vec<f32> {
    let mut out = Vec::new();
    let mut sent = 0;
    while sent < count {
        for _ in 0..(count - sent).min(Host::MAX_DRAIN_PER_QUANTUM as u64) {
            rig.send(MINUTE + sent, 0x90, 60, 100);
            sent += 1;
        }
        out.extend(rig.render(QUANTUM));
    }
    out
}

#[test]
fn a_due_note_sounds_on_its_frame_when_far_future_events_fill_the_queue() {
    let mut rig = Rig::new(RATE, 16, single(dc(RATE, 1.0), 60));
    let queue = Host::DEFAULT_MAX_PENDING as u64;
    let far = 4200;
    assert!(far > queue, "the far-future events must overfill the queue");
    let before = schedule_far_ahead(&mut rig, far);
    assert_eq!(onset(&before), None, "nothing is due yet");
    // One note for 37 frames into the next quantum.
    rig.send(rig.frame + 37, 0x90, 60, 100);
    let out = rig.render(4 * QUANTUM);
    assert_eq!(onset(&out), Some(37), "the due note must start on its frame");
    let stats = rig.host.stats();
    assert_eq!(stats.received as u64, far + 1);
    assert_eq!(stats.late, 0);
    // The queue keeps the earliest events: the due one and the first
    // `queue - 1` far ones; every other one is counted as dropped.
    assert_eq!(rig.host.queued() as u64, queue - 1, "the due note left the queue when it played");
    assert_eq!(stats.queue_dropped as u64, far + 1 - queue);
}

/// A burst larger than the drain cap: `Host::process` takes at most
/// `MAX_DRAIN_PER_QUANTUM` events per quantum and leaves the rest, in order,
/// in the ring for the next quanta; nothing is lost.
#[test]
fn events_beyond_the_drain_cap_wait_in_the_ring_for_the_next_quantum() {
    let cap = Host::MAX_DRAIN_PER_QUANTUM;
    for (fillers, note_frame) in [(cap, 0u64), (3 * cap + 5, 0), (cap, 200)] {
        let mut rig = Rig::with_ring(RATE, 16, single(dc(RATE, 1.0), 60), 4 * cap);
        // Controller 20 (the engine ignores it), all due at frame 0, then
        // the note-on, sent last.
        for i in 0..fillers {
            rig.send(0, 0xB0, 20, (i % 128) as u8);
        }
        rig.send(note_frame, 0x90, 60, 100);
        let total = fillers + 1;
        let quanta = total.div_ceil(cap);
        let mut out = Vec::new();
        for q in 1..=quanta + 2 {
            out.extend(rig.render(QUANTUM));
            assert_eq!(rig.host.stats().received as usize, total.min(q * cap), "{fillers} fillers: events taken after quantum {q}");
            assert_eq!(rig.rx.len(), total - total.min(q * cap), "the rest waits in the ring");
        }
        // The note-on was taken in the last draining quantum: at its start
        // (late) if its frame had passed, else exactly on its frame.
        let drained_at = ((quanta - 1) * QUANTUM) as u64;
        let expected = note_frame.max(drained_at);
        assert_eq!(onset(&out), Some(expected as usize), "{fillers} fillers, note for frame {note_frame}");
        let stats = rig.host.stats();
        // Fillers taken after the first quantum had passed frame 0: late too.
        let late = fillers.saturating_sub(cap) + usize::from(note_frame < drained_at);
        assert_eq!(stats.late as usize, late, "{fillers} fillers: late count");
        assert_eq!(rig.rx.dropped() + stats.queue_dropped, 0, "nothing lost");
    }
}

/// A burst of costly note-ons (20,000 regions on their key) due in one
/// quantum: each quantum does at most its event work budget (plus the one
/// event that crossed it), the rest follow in the next quanta, counted
/// late, and none is lost.
#[test]
fn a_quantum_spends_at_most_its_event_work_budget_and_defers_the_rest() {
    use sampler_core::{Instrument, Region};
    const REGIONS: usize = 20_000;
    const NOTES: u64 = 128;
    let samples = vec![dc(RATE, 0.5)];
    let regions = (0..REGIONS).map(|_| Region::new(0, 60)).collect();
    let mut rig = Rig::new(RATE, 64, Instrument::new(samples, regions).unwrap());
    for _ in 0..NOTES {
        rig.send(0, 0x90, 60, 100);
    }
    // The most one of these note-ons costs: its key's list, and its passes
    // over the pool (64 voices plus 64 / 4 + 4 spares).
    let one_event = (REGIONS + sampler_core::Engine::MAX_POOL_SCANS * (64 + 20)) as u64;
    let mut work = rig.host.engine.counters().work();
    let mut quanta = 0;
    while rig.host.engine.counters().regions_examined < NOTES * REGIONS as u64 {
        rig.render(QUANTUM);
        let now = rig.host.engine.counters().work();
        assert!(now - work <= Host::EVENT_WORK_PER_QUANTUM + one_event, "quantum {quanta} did {} units of event work", now - work);
        work = now;
        quanta += 1;
        assert!(quanta < 100, "the burst never finished");
    }
    let stats = rig.host.stats();
    assert!(quanta > 1, "the burst took one quantum: the budget did not apply");
    assert_eq!(stats.received, NOTES as u32);
    assert!(stats.late > 0 && stats.late < NOTES as u32, "deferred note-ons count as late: {stats:?}");
    assert_eq!(stats.queue_dropped, 0);
}
