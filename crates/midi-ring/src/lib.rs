//! A single-producer single-consumer ring of timestamped MIDI events.
//!
//! The same protocol runs natively between two threads ([`midi_buffer`]) and
//! between the browser's main thread (the JavaScript producer in
//! `web/ring.js`) and the audio worklet (this crate's [`Consumer`] compiled to
//! wasm over a `SharedArrayBuffer`). The byte layout is defined once, in
//! [`layout`]. Storage is abstracted by [`RingWords`], so the protocol code is
//! the same on both sides.
//!
//! Neither side ever waits: a full ring makes [`Producer::try_send`] return
//! `false` and count the drop; an empty ring makes [`Consumer::try_pop`]
//! return `None`. No operation allocates.
//!
//! This is hand-written rather than built on `rtrb` or `ringbuf` because the
//! ring must live in memory laid out for a JavaScript peer, with a drop
//! counter and statistics in the same shared buffer; those crates own their
//! memory layout.

pub mod layout;
mod words;

pub use words::{HeapWords, RingWords};

use layout::*;
use std::sync::Arc;

/// One timestamped MIDI message: 16 bytes in the ring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MidiEvent {
    /// The sample frame (on the audio context's clock) at which to apply it.
    pub frame: u64,
    /// Status and up to two data bytes; unused bytes are zero.
    pub bytes: [u8; 3],
    /// How many of `bytes` are meaningful (1..=3).
    pub len: u8,
    /// The input port it came from (0 for the API and on-screen keyboard).
    pub port: u8,
    /// `layout::FLAG_*` bits.
    pub flags: u8,
}

impl MidiEvent {
    /// A three-byte message at `frame`.
    pub const fn new(frame: u64, status: u8, data1: u8, data2: u8) -> Self {
        MidiEvent { frame, bytes: [status, data1, data2], len: 3, port: 0, flags: 0 }
    }

    /// Whether the event asks to be applied at the start of the next quantum.
    pub const fn is_immediate(&self) -> bool {
        self.flags & FLAG_IMMEDIATE != 0
    }

    fn to_words(self) -> [u32; RECORD_WORDS] {
        [
            self.frame as u32,
            (self.frame >> 32) as u32,
            u32::from_le_bytes([self.bytes[0], self.bytes[1], self.bytes[2], self.len]),
            u32::from_le_bytes([self.port, self.flags, 0, 0]),
        ]
    }

    fn from_words(w: [u32; RECORD_WORDS]) -> Self {
        let [status, data1, data2, len] = w[2].to_le_bytes();
        let [port, flags, _, _] = w[3].to_le_bytes();
        MidiEvent {
            frame: u64::from(w[0]) | (u64::from(w[1]) << 32),
            bytes: [status, data1, data2],
            len,
            port,
            flags,
        }
    }
}

/// Why a buffer cannot be used as a ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutError {
    BadMagic(u32),
    BadVersion(u32),
    BadCapacity(u32),
    TooShort { words: usize, needed: usize },
}

impl std::fmt::Display for LayoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayoutError::BadMagic(m) => write!(f, "not a MIDI ring (magic {m:#010x})"),
            LayoutError::BadVersion(v) => {
                write!(f, "MIDI ring layout version {v}, this build understands {VERSION}")
            }
            LayoutError::BadCapacity(c) => {
                write!(f, "MIDI ring capacity {c} is not a power of two in 2..={MAX_CAPACITY}")
            }
            LayoutError::TooShort { words, needed } => {
                write!(f, "MIDI ring buffer has {words} words, its capacity needs {needed}")
            }
        }
    }
}

impl std::error::Error for LayoutError {}

fn capacity_is_valid(capacity: u32) -> bool {
    capacity.is_power_of_two() && (2..=MAX_CAPACITY).contains(&capacity)
}

/// Writes a fresh header for a ring of `capacity` records. Call before the
/// buffer is shared with the other side.
pub fn init_words<W: RingWords>(words: &W, capacity: u32) -> Result<(), LayoutError> {
    if !capacity_is_valid(capacity) {
        return Err(LayoutError::BadCapacity(capacity));
    }
    let needed = total_words(capacity);
    if words.len() < needed {
        return Err(LayoutError::TooShort { words: words.len(), needed });
    }
    for i in 0..HEADER_WORDS {
        words.store_relaxed(i, 0);
    }
    words.store_relaxed(W_MAGIC, MAGIC);
    words.store_relaxed(W_VERSION, VERSION);
    // Release so that a side that reads the capacity sees the zeroed header.
    words.store_release(W_CAPACITY, capacity);
    Ok(())
}

/// Checks the header and returns the capacity.
pub fn validate_words<W: RingWords>(words: &W) -> Result<u32, LayoutError> {
    if words.len() < HEADER_WORDS {
        return Err(LayoutError::TooShort { words: words.len(), needed: HEADER_WORDS });
    }
    let magic = words.load_acquire(W_MAGIC);
    if magic != MAGIC {
        return Err(LayoutError::BadMagic(magic));
    }
    let version = words.load_acquire(W_VERSION);
    if version != VERSION {
        return Err(LayoutError::BadVersion(version));
    }
    let capacity = words.load_acquire(W_CAPACITY);
    if !capacity_is_valid(capacity) {
        return Err(LayoutError::BadCapacity(capacity));
    }
    let needed = total_words(capacity);
    if words.len() < needed {
        return Err(LayoutError::TooShort { words: words.len(), needed });
    }
    Ok(capacity)
}

/// The writing end. Exactly one may exist per ring.
pub struct Producer<W: RingWords> {
    words: W,
    mask: u32,
    capacity: u32,
    /// Our own copy of the write index: only we store it.
    write: u32,
    /// The read index as last observed; refreshed only when the ring looks full.
    read_cache: u32,
}

/// The reading end. Exactly one may exist per ring.
pub struct Consumer<W: RingWords> {
    words: W,
    mask: u32,
    capacity: u32,
    /// Our own copy of the read index: only we store it.
    read: u32,
    /// The write index as last observed; refreshed only when the ring looks empty.
    write_cache: u32,
}

/// The native producer returned by [`midi_buffer`].
pub type MidiProducer = Producer<Arc<HeapWords>>;
/// The native consumer returned by [`midi_buffer`].
pub type MidiConsumer = Consumer<Arc<HeapWords>>;

/// A native ring of at least `capacity` events (rounded up to a power of
/// two, at least 2, at most [`MAX_CAPACITY`]), as a producer/consumer pair
/// for two threads.
pub fn midi_buffer(capacity: usize) -> (MidiProducer, MidiConsumer) {
    let capacity = capacity.clamp(2, MAX_CAPACITY as usize).next_power_of_two() as u32;
    let words = Arc::new(HeapWords::new(total_words(capacity)));
    init_words(&words, capacity).expect("capacity was clamped to a valid value");
    let producer = Producer::attach(words.clone()).expect("header was just written");
    let consumer = Consumer::attach(words).expect("header was just written");
    (producer, consumer)
}

impl<W: RingWords> Producer<W> {
    /// Attaches to a ring whose header is already written.
    pub fn attach(words: W) -> Result<Self, LayoutError> {
        let capacity = validate_words(&words)?;
        let write = words.load_relaxed(W_WRITE_INDEX);
        let read_cache = words.load_acquire(W_READ_INDEX);
        Ok(Producer { words, mask: capacity - 1, capacity, write, read_cache })
    }

    pub fn capacity(&self) -> usize {
        self.capacity as usize
    }

    /// Publishes `event`, or returns `false` (and counts a drop) when the ring
    /// is full. Never waits.
    pub fn try_send(&mut self, event: MidiEvent) -> bool {
        if self.write.wrapping_sub(self.read_cache) >= self.capacity {
            // Acquire: the consumer's reads of the slot we are about to reuse
            // happened before it released this read index.
            self.read_cache = self.words.load_acquire(W_READ_INDEX);
            if self.write.wrapping_sub(self.read_cache) >= self.capacity {
                let dropped = self.words.load_relaxed(W_DROPPED);
                self.words.store_release(W_DROPPED, dropped.wrapping_add(1));
                return false;
            }
        }
        let base = record_word(self.write & self.mask);
        for (i, w) in event.to_words().into_iter().enumerate() {
            self.words.store_relaxed(base + i, w);
        }
        self.write = self.write.wrapping_add(1);
        // Release: the record's words above are visible to a consumer that
        // acquires this index.
        self.words.store_release(W_WRITE_INDEX, self.write);
        true
    }

    pub fn is_full(&mut self) -> bool {
        self.read_cache = self.words.load_acquire(W_READ_INDEX);
        self.write.wrapping_sub(self.read_cache) >= self.capacity
    }

    pub fn is_empty(&mut self) -> bool {
        self.read_cache = self.words.load_acquire(W_READ_INDEX);
        self.write == self.read_cache
    }

    /// Events refused because the ring was full, since it was created.
    pub fn dropped(&self) -> u32 {
        self.words.load_relaxed(W_DROPPED)
    }
}

impl<W: RingWords> Consumer<W> {
    /// Attaches to a ring whose header is already written.
    pub fn attach(words: W) -> Result<Self, LayoutError> {
        let capacity = validate_words(&words)?;
        let read = words.load_relaxed(W_READ_INDEX);
        let write_cache = words.load_acquire(W_WRITE_INDEX);
        Ok(Consumer { words, mask: capacity - 1, capacity, read, write_cache })
    }

    pub fn capacity(&self) -> usize {
        self.capacity as usize
    }

    /// Events published and not yet consumed.
    pub fn len(&mut self) -> usize {
        self.write_cache = self.words.load_acquire(W_WRITE_INDEX);
        self.fill() as usize
    }

    pub fn is_empty(&mut self) -> bool {
        self.len() == 0
    }

    pub fn is_full(&mut self) -> bool {
        self.len() >= self.capacity as usize
    }

    /// The oldest unconsumed event, if any. Never waits.
    pub fn try_pop(&mut self) -> Option<MidiEvent> {
        if self.read == self.write_cache {
            // Acquire: the records below this index are fully written.
            self.write_cache = self.words.load_acquire(W_WRITE_INDEX);
            if self.read == self.write_cache {
                return None;
            }
        }
        let event = self.read_record(self.read);
        self.read = self.read.wrapping_add(1);
        // Release: our reads of the slot happen before the producer reuses it.
        self.words.store_release(W_READ_INDEX, self.read);
        Some(event)
    }

    /// Moves up to `out.len()` events into `out`, oldest first, and returns
    /// how many. One acquire and one release for the whole batch; no
    /// allocation.
    pub fn drain_into(&mut self, out: &mut [MidiEvent]) -> usize {
        self.write_cache = self.words.load_acquire(W_WRITE_INDEX);
        let n = (self.fill() as usize).min(out.len());
        for (i, slot) in out[..n].iter_mut().enumerate() {
            *slot = self.read_record(self.read.wrapping_add(i as u32));
        }
        if n > 0 {
            self.read = self.read.wrapping_add(n as u32);
            self.words.store_release(W_READ_INDEX, self.read);
        }
        n
    }

    /// Events the producer dropped because the ring was full.
    pub fn dropped(&self) -> u32 {
        self.words.load_relaxed(W_DROPPED)
    }

    /// Publishes one statistic word (`layout::STAT_*`) for readers of the
    /// shared buffer.
    pub fn publish_stat(&self, stat: usize, value: u32) {
        debug_assert!(stat < STAT_COUNT);
        self.words.store_release(W_STATS + stat, value);
    }

    pub fn stat(&self, stat: usize) -> u32 {
        self.words.load_acquire(W_STATS + stat)
    }

    /// A fill larger than the capacity means the producer broke the protocol
    /// (or the buffer was overwritten); treat it as full rather than reading
    /// past the ring.
    fn fill(&self) -> u32 {
        self.write_cache.wrapping_sub(self.read).min(self.capacity)
    }

    fn read_record(&self, index: u32) -> MidiEvent {
        let base = record_word(index & self.mask);
        MidiEvent::from_words([
            self.words.load_relaxed(base),
            self.words.load_relaxed(base + 1),
            self.words.load_relaxed(base + 2),
            self.words.load_relaxed(base + 3),
        ])
    }
}

#[cfg(test)]
mod tests;
