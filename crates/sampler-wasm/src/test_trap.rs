//! A way for tests to make the engine trap the way a bug would: inside
//! `WasmSampler::process` or a load step's sample copy, on the audio
//! thread, leaving the instance unusable. The worklet calls [`arm_test_trap`] only when its sampler was
//! created with the test-only option (see `worklet/processor.js`); nothing
//! in the event ring or the public JS API reaches it.
//!
//! The flag is per wasm instance, and the worklet makes one instance per
//! sampler, so arming it fails exactly one sampler.

use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;

static ARMED: AtomicBool = AtomicBool::new(false);

/// Makes the next `process` call or sample copy step trap (`unreachable`).
#[wasm_bindgen(js_name = armTestTrap)]
pub fn arm_test_trap() {
    ARMED.store(true, Ordering::Relaxed);
}

/// Traps if armed. One relaxed load per render quantum or copy step.
#[inline]
pub(crate) fn trap_if_armed() {
    if ARMED.load(Ordering::Relaxed) {
        // `abort` is wasm's `unreachable` instruction: a trap, as a bug
        // such as an out-of-bounds access would raise.
        std::process::abort();
    }
}
