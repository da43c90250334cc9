//! The whole render path, from ring drain to mixed output, must not touch
//! the allocator: a counting global allocator fails the test if it does.

mod common;
use common::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct CountingAllocator;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn count_allocations(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn the_allocator_counter_works() {
    assert!(count_allocations(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
}

#[test]
fn render_path_does_not_allocate() {
    let mut rig = Rig::new(48_000.0, 16, single(sine(440.0, 44_100.0, 1.0), 69));
    let (mut l, mut r) = (vec![0.0f32; QUANTUM], vec![0.0f32; QUANTUM]);
    // Warm up: first use of everything.
    rig.host.process(&mut rig.rx, 0, &mut l, &mut r);
    let mut frame = QUANTUM as u64;
    let mut allocations = 0;
    for quantum in 0..2000u64 {
        // Notes, offs, pedal, stealing (16 voices, up to 40 notes), future
        // events, late events and garbage, all through the ring.
        for k in 0..8u64 {
            let note = 30 + ((quantum * 8 + k) % 40) as u8;
            let at = frame + (k * 37) % 300;
            rig.send(at, 0x90, note, 1 + (k as u8 * 15));
            rig.send(at + 200, 0x80, note, 0);
        }
        rig.send(frame.saturating_sub(500), 0xB0, 64, if quantum % 2 == 0 { 127 } else { 0 });
        rig.send(frame + 1, 0xF8, 0, 0);
        allocations += count_allocations(|| rig.host.process(&mut rig.rx, frame, &mut l, &mut r));
        frame += QUANTUM as u64;
    }
    assert!(rig.host.stats().received > 30_000);
    assert!(rig.host.stats().late > 0);
    assert_eq!(allocations, 0, "the render path allocated {allocations} times");
}
