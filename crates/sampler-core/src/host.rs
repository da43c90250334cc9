//! The bridge from the event ring to the engine, one render quantum at a
//! time: drain the ring, hold future events in a preallocated queue, and
//! split the quantum at each due event's frame so every event is applied at
//! its exact sample. Allocation-free after construction.

use std::collections::VecDeque;

use midi_ring::layout::*;
use midi_ring::{Consumer, MidiEvent, RingWords};

use crate::engine::Engine;
use crate::midi::MidiMessage;

/// Counters published to the ring's statistics words after every quantum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostStats {
    pub received: u32,
    pub late: u32,
    pub quanta: u32,
    pub queue_dropped: u32,
    pub invalid: u32,
    pub max_fill: u32,
}

pub struct Host {
    pub engine: Engine,
    /// Future events, sorted by frame; equal frames keep arrival order.
    pending: VecDeque<MidiEvent>,
    max_pending: usize,
    /// Drain buffer, as large as the ring so one drain empties it.
    scratch: Box<[MidiEvent]>,
    stats: HostStats,
}

impl Host {
    pub const DEFAULT_MAX_PENDING: usize = 4096;

    pub fn new(engine: Engine, ring_capacity: usize, max_pending: usize) -> Host {
        Host {
            engine,
            pending: VecDeque::with_capacity(max_pending),
            max_pending,
            scratch: vec![MidiEvent::default(); ring_capacity].into_boxed_slice(),
            stats: HostStats::default(),
        }
    }

    pub fn stats(&self) -> HostStats {
        self.stats
    }

    pub fn queued(&self) -> usize {
        self.pending.len()
    }

    /// One quantum: takes everything in `ring`, renders `left.len()` frames
    /// starting at `start_frame`, and publishes statistics.
    pub fn process<W: RingWords>(
        &mut self,
        ring: &mut Consumer<W>,
        start_frame: u64,
        left: &mut [f32],
        right: &mut [f32],
    ) {
        let fill = ring.len() as u32;
        self.stats.max_fill = self.stats.max_fill.max(fill);
        // One drain empties the ring (scratch is as large as the ring); what
        // the producer adds meanwhile waits for the next quantum. Bounded work.
        let n = ring.drain_into(&mut self.scratch);
        for i in 0..n {
            let event = self.scratch[i];
            self.schedule(event, start_frame);
        }
        self.render(start_frame, left, right);
        self.publish(ring);
    }

    /// Queues one event for `start_frame` or later. Events already due are
    /// moved to `start_frame` and count as late. An immediate event plays at
    /// `start_frame` whatever its frame; its frame is a deadline instead (0:
    /// none), and it counts as late when that has passed.
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
        if self.pending.len() >= self.max_pending {
            self.stats.queue_dropped = self.stats.queue_dropped.wrapping_add(1);
            return;
        }
        // Events mostly arrive in time order, so scan from the back.
        let mut at = self.pending.len();
        while at > 0 && self.pending[at - 1].frame > event.frame {
            at -= 1;
        }
        self.pending.insert(at, event);
    }

    /// Renders `left.len()` frames from `start_frame`, applying each queued
    /// event at its frame.
    pub fn render(&mut self, start_frame: u64, left: &mut [f32], right: &mut [f32]) {
        let frames = left.len();
        let end = start_frame + frames as u64;
        let mut done = 0;
        while let Some(event) = self.pending.front().copied() {
            if event.frame >= end {
                break;
            }
            let offset = (event.frame.saturating_sub(start_frame) as usize).min(frames);
            if offset > done {
                self.engine.render(&mut left[done..offset], &mut right[done..offset]);
                done = offset;
            }
            self.pending.pop_front();
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
    }
}
