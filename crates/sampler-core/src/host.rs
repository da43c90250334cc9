//! The bridge from the event ring to the engine, one render quantum at a
//! time: take a bounded number of events from the ring, hold future ones in
//! a preallocated queue, and split the quantum at each due event's frame so
//! every event is applied at its exact sample.
//!
//! Real-time contract, per method (as nih-plug documents its callbacks):
//! **must not allocate** means the method runs on the audio thread, takes
//! bounded time and never touches the allocator; in debug builds
//! [`Host::process`] checks this itself ([`crate::alloc_guard`]). **May
//! allocate** means call it from a non-real-time context only.

use midi_ring::layout::*;
use midi_ring::{Consumer, MidiEvent, RingWords};

use crate::alloc_guard::forbid_allocation;
use crate::engine::Engine;
use crate::event_queue::EventQueue;
use crate::midi::MidiMessage;

/// Counters published to the ring's statistics words after every quantum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostStats {
    pub received: u32,
    pub late: u32,
    pub quanta: u32,
    /// Events lost because the queue of future events was full: refused on
    /// arrival or evicted by an earlier one.
    pub queue_dropped: u32,
    pub invalid: u32,
    pub max_fill: u32,
}

pub struct Host {
    pub engine: Engine,
    /// Future events in order of application; see [`EventQueue`].
    pending: EventQueue,
    /// Drain buffer: one quantum's worth of events at most.
    scratch: Box<[MidiEvent]>,
    stats: HostStats,
}

impl Host {
    pub const DEFAULT_MAX_PENDING: usize = 4096;

    /// The most events [`Host::process`] takes from the ring per quantum;
    /// the rest wait in the ring for the next quantum (a producer that keeps
    /// sending then sees the ring fill and its sends refused and counted:
    /// nothing is lost silently). Chosen from `npm run bench` (wasm,
    /// BENCHMARKS.md): taking, queueing and applying a controller costs
    /// about 0.25 µs of CPU, but an immediate note-on that starts a voice in
    /// a pool of 256 costs about 5 µs. 128 note-ons are then about 0.65 ms,
    /// a quarter of a 128-frame quantum at 48 kHz (2.67 ms), with the render
    /// still to come; 128 controllers about 0.03 ms. That still takes
    /// 48,000 events a second, 15 times what a MIDI cable carries, and
    /// empties a full default ring (1024 events) in 8 quanta.
    pub const MAX_DRAIN_PER_QUANTUM: usize = 128;

    /// The most event work one quantum does, in the engine's own work units
    /// (regions examined plus pool slots scanned by note-ons and release
    /// triggers, [`crate::engine::EngineCounters`]). Once a quantum has
    /// spent it, its remaining due events wait for the next quantum (they
    /// then count as late) instead of stretching this one: the drain cap
    /// bounds events, this bounds what they cost. One event always runs, so
    /// the queue moves. About 3.7 ns a unit natively (a note-on with 100,000
    /// regions on its key among 4,096 sounding voices, `cargo bench -p
    /// sampler-core --bench note_on`, examines ~125,000 units in 0.46 ms),
    /// so the budget is about 0.9 ms, a third of a 128-frame quantum at
    /// 48 kHz. An ordinary note-on (a few regions, 256 voices) costs about
    /// 1,500 units: 128 of them fit.
    pub const EVENT_WORK_PER_QUANTUM: u64 = 250_000;

    /// May allocate: the queue (`max_pending` events) and the drain buffer
    /// are allocated here, once.
    pub fn new(engine: Engine, ring_capacity: usize, max_pending: usize) -> Host {
        let drain = ring_capacity.min(Self::MAX_DRAIN_PER_QUANTUM);
        Host {
            engine,
            pending: EventQueue::with_capacity(max_pending),
            scratch: vec![MidiEvent::default(); drain].into_boxed_slice(),
            stats: HostStats::default(),
        }
    }

    /// Must not allocate.
    pub fn stats(&self) -> HostStats {
        self.stats
    }

    /// Future events waiting in the queue. Must not allocate.
    pub fn queued(&self) -> usize {
        self.pending.len()
    }

    /// One quantum: takes up to [`Self::MAX_DRAIN_PER_QUANTUM`] events from
    /// `ring`, renders `left.len()` frames starting at `start_frame`, and
    /// publishes statistics. Must not allocate (checked in debug builds:
    /// it panics if anything on the path allocated or freed).
    pub fn process<W: RingWords>(
        &mut self,
        ring: &mut Consumer<W>,
        start_frame: u64,
        left: &mut [f32],
        right: &mut [f32],
    ) {
        forbid_allocation("Host::process", || {
            let fill = ring.len() as u32;
            self.stats.max_fill = self.stats.max_fill.max(fill);
            let n = ring.drain_into(&mut self.scratch);
            for i in 0..n {
                let event = self.scratch[i];
                self.schedule(event, start_frame);
            }
            self.render(start_frame, left, right);
            self.publish(ring);
        })
    }

    /// Queues one event for `start_frame` or later. Events already due are
    /// moved to `start_frame` and count as late. An immediate event plays at
    /// `start_frame` whatever its frame; its frame is a deadline instead (0:
    /// none), and it counts as late when that has passed. When the queue is
    /// full the event applied last loses its place (counted in
    /// `queue_dropped`). Must not allocate; O(log n).
    pub fn schedule(&mut self, mut event: MidiEvent, start_frame: u64) {
        self.stats.received = self.stats.received.wrapping_add(1);
        if event.is_immediate() {
            if event.frame != 0 && event.frame < start_frame {
                self.stats.late = self.stats.late.wrapping_add(1);
            }
            event.frame = start_frame;
        } else if event.frame < start_frame {
            self.stats.late = self.stats.late.wrapping_add(1);
            event.frame = start_frame;
        }
        if self.pending.push(event).is_some() {
            self.stats.queue_dropped = self.stats.queue_dropped.wrapping_add(1);
        }
    }

    /// Renders `left.len()` frames from `start_frame`, applying each queued
    /// event at its frame. Must not allocate.
    pub fn render(&mut self, start_frame: u64, left: &mut [f32], right: &mut [f32]) {
        let frames = left.len();
        let end = start_frame + frames as u64;
        let mut done = 0;
        let work_at_start = self.engine.counters().work();
        let mut applied = 0;
        loop {
            let spent = self.engine.counters().work().wrapping_sub(work_at_start);
            if applied > 0 && spent >= Self::EVENT_WORK_PER_QUANTUM {
                break;
            }
            let Some(event) = self.pending.pop_before(end) else { break };
            applied += 1;
            if event.frame < start_frame {
                // Left over by an earlier quantum that spent its budget.
                self.stats.late = self.stats.late.wrapping_add(1);
            }
            let offset = (event.frame.saturating_sub(start_frame) as usize).min(frames);
            if offset > done {
                self.engine.render(&mut left[done..offset], &mut right[done..offset]);
                done = offset;
            }
            match MidiMessage::parse(event.bytes, event.len) {
                Some(message) => self.engine.handle(message),
                None => self.stats.invalid = self.stats.invalid.wrapping_add(1),
            }
        }
        if done < frames {
            self.engine.render(&mut left[done..], &mut right[done..]);
        }
        self.stats.quanta = self.stats.quanta.wrapping_add(1);
    }

    fn publish<W: RingWords>(&self, ring: &Consumer<W>) {
        let s = &self.stats;
        ring.publish_stat(STAT_RECEIVED, s.received);
        ring.publish_stat(STAT_LATE, s.late);
        ring.publish_stat(STAT_QUANTA, s.quanta);
        ring.publish_stat(STAT_ACTIVE_VOICES, self.engine.active_voices() as u32);
        ring.publish_stat(STAT_QUEUE_DROPPED, s.queue_dropped);
        ring.publish_stat(STAT_QUEUED, self.pending.len() as u32);
        ring.publish_stat(STAT_MAX_FILL, s.max_fill);
        ring.publish_stat(STAT_INVALID, s.invalid);
        let counters = self.engine.counters();
        ring.publish_stat(STAT_LAYERS_DROPPED, counters.layers_dropped);
        ring.publish_stat(STAT_VOICES_CUT, counters.non_finite_voices);
    }
}
