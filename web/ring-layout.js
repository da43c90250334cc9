// The shared ring's layout, mirrored from crates/midi-ring/src/layout.rs,
// which defines and documents it. Tests compare these numbers with the ones
// compiled into the wasm module (`ringLayout()`); change both together.

export const MAGIC = 0x474e524d; // "MRNG" little-endian
export const VERSION = 1;

export const W_MAGIC = 0;
export const W_VERSION = 1;
export const W_CAPACITY = 2;
export const W_WRITE_INDEX = 16;
export const W_DROPPED = 17;
export const W_READ_INDEX = 32;
export const W_STATS = 33;

export const STAT_RECEIVED = 0;
export const STAT_LATE = 1;
export const STAT_QUANTA = 2;
export const STAT_ACTIVE_VOICES = 3;
export const STAT_QUEUE_DROPPED = 4;
export const STAT_QUEUED = 5;
export const STAT_MAX_FILL = 6;
export const STAT_INVALID = 7;
export const STAT_COUNT = 8;

export const HEADER_WORDS = 64;
export const RECORD_WORDS = 4;
export const FLAG_IMMEDIATE = 1;
export const MAX_CAPACITY = 1 << 20;

/** Bytes of a ring holding `capacity` records. */
export function ringBytes(capacity) {
  return (HEADER_WORDS + capacity * RECORD_WORDS) * 4;
}
