//! The ring's words in a `SharedArrayBuffer`, for the wasm consumer.
//!
//! wasm memory here is not shared, so the ring lives in its own
//! `SharedArrayBuffer` and is read through an `Int32Array` view created
//! once. (Without cross-origin isolation the ring is a plain `ArrayBuffer`
//! owned by the worklet, filled from posted messages; the same code reads
//! it.) Index words go through `Atomics.load`/`Atomics.store`, which are
//! sequentially consistent in JavaScript, so at least as strong as the
//! acquire/release the protocol needs. Record words use plain element
//! access; the index operations order them. None of these calls creates a
//! JS object.
//!
//! `js_sys::Atomics` is not used: its bindings are declared `catch`, and the
//! glue for those wraps every call in a fresh closure plus an `arguments`
//! object, which is garbage on the audio thread 30 times a quantum. The
//! bindings below call `Atomics` directly; they cannot throw for an
//! `Int32Array` and an in-range index, and if they ever did, the exception
//! would reach the processor's `try`/`catch` around `process`.

use js_sys::Int32Array;
use midi_ring::RingWords;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Atomics, js_name = load)]
    fn atomics_load(array: &Int32Array, index: u32) -> i32;
    #[wasm_bindgen(js_namespace = Atomics, js_name = store)]
    fn atomics_store(array: &Int32Array, index: u32, value: i32) -> i32;
}

pub struct SharedWords {
    view: Int32Array,
    len: usize,
}

impl SharedWords {
    /// `buffer`: a `SharedArrayBuffer` or an `ArrayBuffer`.
    pub fn new(buffer: &JsValue) -> SharedWords {
        let view = Int32Array::new(buffer);
        let len = view.length() as usize;
        SharedWords { view, len }
    }
}

impl RingWords for SharedWords {
    fn len(&self) -> usize {
        self.len
    }
    fn load_acquire(&self, index: usize) -> u32 {
        atomics_load(&self.view, index as u32) as u32
    }
    fn store_release(&self, index: usize, value: u32) {
        atomics_store(&self.view, index as u32, value as i32);
    }
    fn load_relaxed(&self, index: usize) -> u32 {
        self.view.get_index(index as u32) as u32
    }
    fn store_relaxed(&self, index: usize, value: u32) {
        self.view.set_index(index as u32, value as i32)
    }
}
