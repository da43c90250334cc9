//! The Host's queue of future events: bounded, ordered by frame with equal
//! frames in arrival order, and allocation-free after construction.
//!
//! When it is full, the event that would be applied last (the latest frame;
//! among equal frames, the latest to arrive) loses its place, whether that
//! is the newcomer or one already queued: a due event always wins over
//! far-future ones. Every operation is O(log n): a min-max heap gives the
//! earliest event to apply and the latest one to evict.

use midi_ring::MidiEvent;
use min_max_heap::MinMaxHeap;
use std::cmp::Ordering;

/// An event and its place in the order of application.
#[derive(Clone, Copy, Debug)]
struct Queued {
    frame: u64,
    /// Arrival number: orders equal frames first-in, first-out. A u64 does
    /// not wrap (2^64 events at a billion a second take 584 years).
    arrival: u64,
    event: MidiEvent,
}

impl Queued {
    fn key(&self) -> (u64, u64) {
        (self.frame, self.arrival)
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Queued {}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

pub(crate) struct EventQueue {
    heap: MinMaxHeap<Queued>,
    capacity: usize,
    arrivals: u64,
}

impl EventQueue {
    /// Allocates room for `capacity` events; nothing allocates after this.
    pub(crate) fn with_capacity(capacity: usize) -> EventQueue {
        EventQueue { heap: MinMaxHeap::with_capacity(capacity), capacity, arrivals: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Queues `event` for its `frame`. When the queue is full, returns the
    /// event that lost its place: the one that would be applied last, which
    /// is `event` itself unless a queued one would be applied after it.
    pub(crate) fn push(&mut self, event: MidiEvent) -> Option<MidiEvent> {
        let queued = Queued { frame: event.frame, arrival: self.arrivals, event };
        self.arrivals += 1;
        if self.heap.len() < self.capacity {
            // Within the capacity reserved at construction: no allocation.
            self.heap.push(queued);
            return None;
        }
        if self.capacity == 0 {
            return Some(event);
        }
        // Replaces the maximum if `queued` is smaller, else hands it back;
        // the heap's length (and storage) stays as it is.
        Some(self.heap.push_pop_max(queued).event)
    }

    /// The frame of the next event to apply.
    pub(crate) fn next_frame(&self) -> Option<u64> {
        self.heap.peek_min().map(|q| q.frame)
    }

    /// Removes and returns the next event to apply if its frame is before
    /// `end`.
    pub(crate) fn pop_before(&mut self, end: u64) -> Option<MidiEvent> {
        if self.next_frame()? >= end {
            return None;
        }
        self.heap.pop_min().map(|q| q.event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random sequence (xorshift64*).
    struct Noise(u64);
    impl Noise {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    /// Events told apart by their data bytes (an id in 0..2^14).
    fn event(frame: u64, id: u32) -> MidiEvent {
        MidiEvent::new(frame, 0x90, (id >> 7) as u8 & 127, id as u8 & 127)
    }

    /// The reference: a vector kept sorted, a new event placed after every
    /// event of its frame; a full queue drops its last element.
    struct Model {
        events: Vec<MidiEvent>,
        capacity: usize,
    }
    impl Model {
        fn push(&mut self, e: MidiEvent) -> Option<MidiEvent> {
            let at = self.events.partition_point(|q| q.frame <= e.frame);
            self.events.insert(at, e);
            (self.events.len() > self.capacity).then(|| self.events.pop().unwrap())
        }
        fn pop_before(&mut self, end: u64) -> Option<MidiEvent> {
            (self.events.first()?.frame < end).then(|| self.events.remove(0))
        }
    }

    #[test]
    fn matches_a_sorted_list_under_random_pushes_pops_and_evictions() {
        for capacity in [0, 1, 2, 3, 7, 64] {
            let mut queue = EventQueue::with_capacity(capacity);
            let mut model = Model { events: Vec::new(), capacity };
            let mut noise = Noise(0x9E37_79B9_7F4A_7C15 ^ capacity as u64);
            let mut now = 0u64;
            let (mut evictions, mut pops) = (0, 0);
            for id in 0..20_000u32 {
                // Few distinct frames, so equal frames are common.
                let frame = now + noise.next() % 16;
                let e = event(frame, id % 16_384);
                let dropped = queue.push(e);
                assert_eq!(dropped, model.push(e), "push {id} (capacity {capacity})");
                evictions += usize::from(dropped.is_some_and(|d| d != e));
                // Time moves on every 50 pushes on average: the small queues
                // fill between moves, the largest now and then.
                if noise.next().is_multiple_of(50) {
                    now += noise.next() % 24;
                    while let Some(e) = model.pop_before(now) {
                        assert_eq!(queue.pop_before(now), Some(e));
                        pops += 1;
                    }
                    assert_eq!(queue.pop_before(now), None);
                }
                assert_eq!(queue.len(), model.events.len());
                assert_eq!(queue.next_frame(), model.events.first().map(|e| e.frame));
            }
            if capacity > 1 {
                assert!(evictions > 100 && pops > 100, "capacity {capacity}: {evictions} evictions, {pops} pops");
            }
        }
    }

    #[test]
    fn a_full_queue_drops_the_event_applied_last() {
        let mut queue = EventQueue::with_capacity(3);
        for (frame, id) in [(1000, 1), (1000, 2), (2000, 3)] {
            assert_eq!(queue.push(event(frame, id)), None);
        }
        // Earlier than the latest: the latest (frame 2000) goes.
        assert_eq!(queue.push(event(500, 4)), Some(event(2000, 3)));
        // Equal to the latest frame, but arrived later: the newcomer goes.
        assert_eq!(queue.push(event(1000, 5)), Some(event(1000, 5)));
        // Earlier: of the two at frame 1000, the later arrival goes.
        assert_eq!(queue.push(event(900, 6)), Some(event(1000, 2)));
        let order: Vec<_> = std::iter::from_fn(|| queue.pop_before(u64::MAX)).collect();
        assert_eq!(order, [event(500, 4), event(900, 6), event(1000, 1)]);
    }
}
