//! In headless Chromium (`wasm-pack test --headless --chrome`): records
//! written by the JavaScript producer (web/ring.js, the file the page uses)
//! are read back by the Rust consumer compiled to wasm, and the engine plays
//! them at their exact frames.

use js_sys::SharedArrayBuffer;
use midi_ring::{Consumer, MidiEvent};
use sampler_wasm::{SharedWords, WasmSampler};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/../../web/ring.js")]
extern "C" {
    type MidiRing;
    #[wasm_bindgen(static_method_of = MidiRing)]
    fn create(capacity: u32) -> MidiRing;
    #[wasm_bindgen(method, js_name = trySend)]
    #[allow(clippy::too_many_arguments)]
    fn try_send(
        this: &MidiRing,
        frame: f64,
        status: u8,
        d1: u8,
        d2: u8,
        length: u8,
        port: u8,
        flags: u8,
    ) -> bool;
    #[wasm_bindgen(method, getter)]
    fn buffer(this: &MidiRing) -> SharedArrayBuffer;
    #[wasm_bindgen(method, getter)]
    fn dropped(this: &MidiRing) -> u32;
}

/// The i-th test event: every field varies, frames use the high word too.
fn expected(i: u32) -> MidiEvent {
    MidiEvent {
        frame: u64::from(i) * 0x1_0000_0101 % (1 << 53),
        bytes: [
            0x80 | (i % 0x70) as u8,
            (i % 128) as u8,
            ((i / 3) % 128) as u8,
        ],
        len: 1 + (i % 3) as u8,
        port: (i % 251) as u8,
        flags: (i % 2) as u8,
    }
}

fn send(ring: &MidiRing, e: MidiEvent) -> bool {
    ring.try_send(
        e.frame as f64,
        e.bytes[0],
        e.bytes[1],
        e.bytes[2],
        e.len,
        e.port,
        e.flags,
    )
}

#[wasm_bindgen_test]
fn rust_consumer_reads_js_records_intact_across_wrap_around() {
    let ring = MidiRing::create(64);
    let mut consumer =
        Consumer::attach(SharedWords::new(&ring.buffer())).expect("JS wrote a valid header");
    assert_eq!(consumer.capacity(), 64);
    let mut sent = 0u32;
    let mut received = 0u32;
    let mut batch = [MidiEvent::default(); 16];
    // 300 rounds of up to 64 events: the indices wrap the ring many times.
    for round in 0..300u32 {
        for _ in 0..(1 + round % 64) {
            assert!(send(&ring, expected(sent)), "event {sent} refused");
            sent += 1;
        }
        if round % 2 == 0 {
            while let Some(e) = consumer.try_pop() {
                assert_eq!(e, expected(received));
                received += 1;
            }
        } else {
            loop {
                let n = consumer.drain_into(&mut batch);
                if n == 0 {
                    break;
                }
                for e in &batch[..n] {
                    assert_eq!(*e, expected(received));
                    received += 1;
                }
            }
        }
    }
    assert_eq!(received, sent);
    assert!(consumer.is_empty());
}

#[wasm_bindgen_test]
fn js_drops_on_a_full_ring_are_seen_by_rust() {
    let ring = MidiRing::create(8);
    let mut consumer = Consumer::attach(SharedWords::new(&ring.buffer())).unwrap();
    for i in 0..11 {
        let accepted = send(&ring, expected(i));
        assert_eq!(accepted, i < 8);
    }
    assert!(consumer.is_full());
    assert_eq!(consumer.dropped(), 3);
    assert_eq!(ring.dropped(), 3);
    for i in 0..8 {
        assert_eq!(
            consumer.try_pop(),
            Some(expected(i)),
            "the oldest events survive"
        );
    }
}

#[wasm_bindgen_test]
fn the_engine_plays_js_events_at_their_exact_frames() {
    for target in [1000u32, 1129, 5000] {
        let ring = MidiRing::create(16);
        let mut sampler = WasmSampler::new(48_000.0, ring.buffer().into(), 32).unwrap();
        sampler.begin_instrument();
        sampler
            .add_sample(vec![1.0; 48_000], None, 48_000.0)
            .unwrap();
        sampler.add_region(sampler_core::Region::new(0, 60));
        sampler.commit_instrument(JsValue::UNDEFINED).unwrap();
        assert!(ring.try_send(f64::from(target), 0x90, 60, 100, 3, 0, 0));
        let mut onset = None;
        for quantum in 0..64u32 {
            sampler.process(f64::from(quantum * 128), 128);
            // SAFETY: left_ptr points at MAX_BLOCK floats owned by `sampler`,
            // which outlives this borrow and is not mutated during it.
            let out = unsafe { std::slice::from_raw_parts(sampler.left_ptr(), 128) };
            if onset.is_none() {
                onset = out
                    .iter()
                    .position(|x| x.abs() > 1e-6)
                    .map(|i| quantum * 128 + i as u32);
            }
        }
        assert_eq!(onset, Some(target));
    }
}
