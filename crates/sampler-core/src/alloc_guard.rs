//! A debug-build check that the render path neither allocates nor frees,
//! in the spirit of nih-plug's use of `assert_no_alloc`.
//!
//! [`Host::process`](crate::Host::process) runs inside [`forbid_allocation`].
//! A binary that installs [`CheckingAllocator`] as its global allocator (the
//! integration tests do, in `tests/common/mod.rs`, and so does the wasm test
//! binary) has every allocator call made inside such a scope recorded, and
//! the scope panics when it ends, naming the size of the first call. The
//! panic happens after the allocator has returned, never inside it: a
//! global allocator must not unwind.
//!
//! In release builds ([`ACTIVE`] is false) `forbid_allocation` only calls its
//! closure, and [`CheckingAllocator`] passes every call straight to the
//! system allocator: the shipped wasm carries no check.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Whether this build checks guarded scopes (debug builds, so tests).
pub const ACTIVE: bool = cfg!(debug_assertions);

/// What the allocator saw inside the current outermost scope.
#[derive(Clone, Copy)]
struct Record {
    calls: u32,
    bytes: usize,
    /// The first call: its size and whether it allocated (else it freed).
    first: Option<(usize, bool)>,
}

const CLEAN: Record = Record { calls: 0, bytes: 0, first: None };

thread_local! {
    // Const-initialised and without destructors, so reading them from the
    // allocator never allocates or touches a destroyed value.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    static RECORD: Cell<Record> = const { Cell::new(CLEAN) };
}

/// The system allocator, recording calls made on a thread that is inside a
/// [`forbid_allocation`] scope. Install it in a test binary with
/// `#[global_allocator] static A: CheckingAllocator = CheckingAllocator;`.
pub struct CheckingAllocator;

fn note(size: usize, allocating: bool) {
    if !ACTIVE {
        return;
    }
    // try_with: never panic in the allocator, even during thread teardown.
    let forbidden = DEPTH.try_with(|d| d.get() > 0).unwrap_or(false);
    if forbidden {
        let _ = RECORD.try_with(|r| {
            let mut rec = r.get();
            rec.calls = rec.calls.saturating_add(1);
            rec.bytes = rec.bytes.saturating_add(size);
            rec.first = rec.first.or(Some((size, allocating)));
            r.set(rec);
        });
    }
}

// SAFETY: every method forwards its arguments unchanged to `System`, which
// upholds the GlobalAlloc contract; `note` only updates thread-local cells
// (no allocation, no unwinding).
unsafe impl GlobalAlloc for CheckingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size(), true);
        // SAFETY: the caller's contract for `alloc`, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size(), true);
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(layout.size(), false);
        // SAFETY: `ptr` was allocated by `System` (through this type) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size, true);
        // SAFETY: `ptr` was allocated by `System` (through this type) with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Runs `f`; in debug builds, panics afterwards if `f` allocated or freed
/// memory on this thread (seen only where [`CheckingAllocator`] is the
/// global allocator). Nested scopes report once, from the outermost.
pub fn forbid_allocation<T>(what: &str, f: impl FnOnce() -> T) -> T {
    if !ACTIVE {
        return f();
    }
    /// Leaves the scope even if `f` unwinds.
    struct Scope;
    impl Drop for Scope {
        fn drop(&mut self) {
            DEPTH.with(|d| d.set(d.get() - 1));
        }
    }
    if DEPTH.with(|d| d.replace(d.get() + 1)) == 0 {
        RECORD.with(|r| r.set(CLEAN));
    }
    let scope = Scope;
    let result = f();
    drop(scope);
    if DEPTH.with(Cell::get) == 0 {
        let rec = RECORD.with(|r| r.replace(CLEAN));
        if let Some((size, allocating)) = rec.first {
            let kind = if allocating { "an allocation" } else { "a free" };
            panic!(
                "{what} must not allocate or free memory: {} allocator calls ({} bytes), the first {kind} of {size} bytes",
                rec.calls, rec.bytes
            );
        }
    }
    result
}

/// Whether guarded scopes are checked here: a debug build whose global
/// allocator is [`CheckingAllocator`]. Test rigs assert it, so a test
/// binary that forgot to install the allocator fails instead of checking
/// nothing. Call it outside any guarded scope.
pub fn checking() -> bool {
    if !ACTIVE {
        return false;
    }
    DEPTH.with(|d| d.set(d.get() + 1));
    let before = RECORD.with(|r| r.get().calls);
    drop(std::hint::black_box(Box::new(0u64)));
    let seen = RECORD.with(|r| r.get().calls) > before;
    DEPTH.with(|d| d.set(d.get() - 1));
    if DEPTH.with(Cell::get) == 0 {
        RECORD.with(|r| r.set(CLEAN));
    }
    seen
}
