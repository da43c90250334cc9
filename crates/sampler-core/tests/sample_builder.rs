//! A sample written in pieces allocates its storage once: appending pieces
//! neither allocates nor reallocates, whatever their size, and finishing
//! hands the storage over without copying it.

use sampler_core::{SampleBuilder, SampleFormat};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct CountingAllocator;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    /// Reallocations of blocks of at least `STORAGE_BYTES`: sample storage,
    /// not the small list of a sample's channels.
    static REALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

const STORAGE_BYTES: usize = 4096;

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` or `realloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) && layout.size().max(new_size) >= STORAGE_BYTES {
            REALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// (allocations, reallocations of storage) made by `f` on this thread.
fn count<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    ALLOCATIONS.with(|n| n.set(0));
    REALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    (out, ALLOCATIONS.with(Cell::get), REALLOCATIONS.with(Cell::get))
}

#[test]
fn the_counter_sees_a_reallocation() {
    let mut v = Vec::<u8>::with_capacity(1);
    let (_, _, reallocs) = count(|| v.extend_from_slice(&[0; STORAGE_BYTES]));
    assert!(reallocs >= 1);
}

#[test]
fn pieces_are_written_into_storage_reserved_once() {
    for (format, channels) in [(SampleFormat::F32, 1), (SampleFormat::F32, 2), (SampleFormat::I16, 1), (SampleFormat::I16, 2)] {
        let frames = 100_003;
        let (builder, allocations, reallocs) = count(|| SampleBuilder::try_new(format, channels, frames, 44_100.0).unwrap());
        assert_eq!(allocations, channels + 1, "{format:?}: one allocation per channel and one for the list");
        assert_eq!(reallocs, 0);
        let mut builder = builder;
        let piece_f32 = vec![0.25f32; 4096];
        let piece_i16 = vec![123i16; 4096];
        let (_, allocations, reallocs) = count(|| {
            for c in 0..channels {
                while builder.remaining(c) > 0 {
                    let n = builder.remaining(c).min(4096);
                    match format {
                        SampleFormat::F32 => builder.append_f32(c, &piece_f32[..n]).unwrap(),
                        SampleFormat::I16 => builder.append_i16(c, &piece_i16[..n]).unwrap(),
                    }
                }
            }
        });
        assert_eq!((allocations, reallocs), (0, 0), "{format:?}/{channels}: appending allocated");
        let (sample, allocations, reallocs) = count(|| builder.finish().unwrap());
        assert_eq!(reallocs, 0, "{format:?}/{channels}: finishing moved the storage");
        assert!(allocations <= 1, "only the list of channels");
        assert_eq!(sample.frames(), frames);
        assert_eq!(sample.memory_bytes(), SampleBuilder::storage_bytes(format, channels, frames));
        let expected = if format == SampleFormat::F32 { 0.25 } else { 123.0 / 32768.0 };
        assert_eq!((sample.value(0, 0), sample.value(channels - 1, frames - 1)), (expected, expected));
    }
}
