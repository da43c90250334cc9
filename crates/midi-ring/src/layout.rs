//! The byte layout of the shared ring: the one place it is defined.
//!
//! The ring is an array of 32-bit words (a `SharedArrayBuffer` seen as an
//! `Int32Array` in the browser, `[AtomicU32]` natively). All words are
//! little-endian `u32`; JavaScript reads them through an `Int32Array` and
//! converts with `>>> 0` where the sign matters.
//!
//! ```text
//! word   owner     meaning
//! 0      creator   MAGIC ("MRNG"), written once before sharing
//! 1      creator   VERSION
//! 2      creator   capacity in records (a power of two, 2..=MAX_CAPACITY)
//! 3-15   -         reserved (zero)
//! 16     producer  write index: free-running u32, count of records published
//! 17     producer  dropped: events refused because the ring was full
//! 18-31  -         reserved (zero); words 16..32 are the producer's cache line
//! 32     consumer  read index: free-running u32, count of records consumed
//! 33..48 consumer  statistics (STAT_* below), published once per render quantum
//! 48-63  -         reserved (zero)
//! 64..   producer  records: capacity × RECORD_WORDS words
//! ```
//!
//! A record is 16 bytes (4 words):
//!
//! ```text
//! word 0  target sample frame (with FLAG_IMMEDIATE: the deadline), low 32 bits
//! word 1  target sample frame, high 32 bits (frames fit in 53 bits in JS)
//! word 2  byte 0: MIDI status, byte 1: data 1, byte 2: data 2,
//!         byte 3: message length in bytes (1..=3)
//! word 3  byte 0: input port, byte 1: flags (FLAG_*), bytes 2-3: reserved
//! ```
//!
//! Protocol: the producer writes a record's words, then publishes it by
//! storing `write + 1` to the write index with release ordering. The consumer
//! loads the write index with acquire ordering, reads the records below it,
//! then frees them by storing the read index with release ordering. The
//! producer loads the read index with acquire ordering before reusing a slot.
//! `write - read` (wrapping) is the fill; the ring is full when the fill equals
//! the capacity, and the producer then drops the event and increments
//! `dropped` instead of waiting.
//!
//! `web/ring.js` mirrors these numbers; a test in the wasm crate and
//! one in `tests/` compare the two.

/// "MRNG" as a little-endian u32.
pub const MAGIC: u32 = u32::from_le_bytes(*b"MRNG");
/// Bumped whenever anything in this file changes meaning.
pub const VERSION: u32 = 1;

pub const W_MAGIC: usize = 0;
pub const W_VERSION: usize = 1;
pub const W_CAPACITY: usize = 2;

pub const W_WRITE_INDEX: usize = 16;
pub const W_DROPPED: usize = 17;

pub const W_READ_INDEX: usize = 32;
/// First statistics word; `W_STATS + STAT_*` is each statistic's word.
pub const W_STATS: usize = 33;

/// Events the consumer has taken from the ring.
pub const STAT_RECEIVED: usize = 0;
/// Events whose target frame (or, immediate ones, deadline) had already
/// passed when they were taken; they were applied at the start of the quantum.
pub const STAT_LATE: usize = 1;
/// Render quanta completed (wraps at 2^32).
pub const STAT_QUANTA: usize = 2;
/// Voices sounding after the last quantum.
pub const STAT_ACTIVE_VOICES: usize = 3;
/// Events dropped by the consumer because its queue of future events was full.
pub const STAT_QUEUE_DROPPED: usize = 4;
/// Future events waiting in the consumer's queue after the last quantum.
pub const STAT_QUEUED: usize = 5;
/// Largest ring fill the consumer has seen when draining.
pub const STAT_MAX_FILL: usize = 6;
/// Events whose bytes were not a MIDI message the engine understands.
pub const STAT_INVALID: usize = 7;
/// Share of real time spent rendering, in parts per million, averaged over
/// about a second. The worklet measures it (it owns the only clock) and
/// publishes it through the consumer. 0 means not measured yet; a measured
/// load is published as at least 1.
pub const STAT_DSP_LOAD_PPM: usize = 8;
/// Quanta whose measured render time exceeded the quantum's own duration.
pub const STAT_OVER_BUDGET: usize = 9;
/// Regions a note-on or release trigger matched but did not play, because
/// it had started the engine's most layers per trigger already.
pub const STAT_LAYERS_DROPPED: usize = 10;
/// Voices cut because what they would mix was not finite (a fault the
/// engine contains: the other voices play on).
pub const STAT_VOICES_CUT: usize = 11;
pub const STAT_COUNT: usize = 12;

pub const HEADER_WORDS: usize = 64;
pub const RECORD_WORDS: usize = 4;
pub const RECORD_BYTES: usize = RECORD_WORDS * 4;

/// Record flag: apply at the start of the next quantum whatever the frame
/// says (the "lowest latency" mode). The frame is then a deadline: the event
/// counts as late when the quantum starts after it (0: no deadline).
pub const FLAG_IMMEDIATE: u8 = 1;

/// Large enough for any burst a player or a sequencer produces between two
/// quanta; small enough that 64-bit frames never collide with index wrap.
pub const MAX_CAPACITY: u32 = 1 << 20;

/// Total words of a ring holding `capacity` records.
pub const fn total_words(capacity: u32) -> usize {
    HEADER_WORDS + capacity as usize * RECORD_WORDS
}

/// Word index of the first word of record slot `slot`.
pub const fn record_word(slot: u32) -> usize {
    HEADER_WORDS + slot as usize * RECORD_WORDS
}

const _: () = assert!(W_STATS + STAT_COUNT <= 48);
