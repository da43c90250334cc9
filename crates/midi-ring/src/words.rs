//! Where the ring's words live: natively a heap array of atomics, in the
//! browser a `SharedArrayBuffer` (implemented in the wasm crate).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// Shared 32-bit words with the orderings the ring protocol needs.
///
/// Every access is atomic, so the protocol needs no `unsafe`: record words
/// use relaxed accesses and are ordered by the release store / acquire load
/// of the indices. Relaxed 32-bit atomics compile to plain loads and stores
/// on x86-64, AArch64 and wasm32.
pub trait RingWords {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn load_acquire(&self, index: usize) -> u32;
    fn store_release(&self, index: usize, value: u32);
    fn load_relaxed(&self, index: usize) -> u32;
    fn store_relaxed(&self, index: usize, value: u32);
}

/// A heap-allocated word array for a ring shared between native threads.
pub struct HeapWords(Box<[AtomicU32]>);

impl HeapWords {
    pub fn new(len: usize) -> Self {
        HeapWords((0..len).map(|_| AtomicU32::new(0)).collect())
    }
}

impl RingWords for HeapWords {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn load_acquire(&self, index: usize) -> u32 {
        self.0[index].load(Ordering::Acquire)
    }
    fn store_release(&self, index: usize, value: u32) {
        self.0[index].store(value, Ordering::Release)
    }
    fn load_relaxed(&self, index: usize) -> u32 {
        self.0[index].load(Ordering::Relaxed)
    }
    fn store_relaxed(&self, index: usize, value: u32) {
        self.0[index].store(value, Ordering::Relaxed)
    }
}

impl<W: RingWords + ?Sized> RingWords for Arc<W> {
    fn len(&self) -> usize {
        (**self).len()
    }
    fn load_acquire(&self, index: usize) -> u32 {
        (**self).load_acquire(index)
    }
    fn store_release(&self, index: usize, value: u32) {
        (**self).store_release(index, value)
    }
    fn load_relaxed(&self, index: usize) -> u32 {
        (**self).load_relaxed(index)
    }
    fn store_relaxed(&self, index: usize, value: u32) {
        (**self).store_relaxed(index, value)
    }
}
