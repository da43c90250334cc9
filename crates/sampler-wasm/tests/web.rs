//! In headless Chromium (`wasm-pack test --headless --chrome`): records
//! written by the JavaScript producer (web/ring.js, the file the page uses)
//! are read back by the Rust consumer compiled to wasm, and the engine plays
//! them at their exact frames. Every `process` here runs under the
//! allocation guard (a debug build with the checking allocator installed).

use js_sys::SharedArrayBuffer;
use midi_ring::{Consumer, MidiEvent};
use sampler_core::alloc_guard::{checking, forbid_allocation, CheckingAllocator};
use sampler_core::{LoopMode, Region};
use sampler_wasm::{SharedWords, WasmSampler};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[global_allocator]
static ALLOCATOR: CheckingAllocator = CheckingAllocator;

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

#[wasm_bindgen_test]
fn the_allocation_guard_checks_this_wasm_build() {
    assert!(checking(), "the wasm tests must run a debug build with CheckingAllocator installed");
}

#[wasm_bindgen_test]
#[should_panic(expected = "the first an allocation of 40 bytes")]
fn the_allocation_guard_fails_on_an_allocation_in_wasm() {
    forbid_allocation("this scope", || drop(std::hint::black_box(vec![0u8; 40])));
}

/// Loads an instrument of a stereo f32 sample, a mono 16-bit and a stereo
/// 16-bit sample (looped, over the whole keyboard, panned apart); `shift`
/// moves its pitch so each load differs.
fn load_mixed_instrument(sampler: &mut WasmSampler, shift: f32) {
    let wave = |freq: f32, phase: f32| -> Vec<f32> {
        (0..24_000).map(|i| (std::f32::consts::TAU * freq * shift * i as f32 / 48_000.0 + phase).sin()).collect()
    };
    let to_i16 = |x: Vec<f32>| -> Vec<i16> { x.into_iter().map(|v| (v * 20_000.0) as i16).collect() };
    sampler.begin_instrument();
    sampler.add_sample(wave(330.0, 0.0), Some(wave(330.0, 1.0)), 48_000.0).unwrap();
    sampler.add_sample_i16(to_i16(wave(262.0, 0.0)), None, 44_100.0).unwrap();
    sampler.add_sample_i16(to_i16(wave(196.0, 0.0)), Some(to_i16(wave(196.0, 2.0))), 22_050.0).unwrap();
    for (sample, pan) in [(0, 0.0), (1, -0.8), (2, 0.6)] {
        let mut region = Region::new(sample, 60);
        region.pan = pan;
        region.loop_mode = LoopMode::Continuous;
        (region.loop_start, region.loop_end) = (100, 20_000);
        sampler.add_region(region);
    }
    sampler.commit_instrument(JsValue::UNDEFINED).unwrap();
}

/// Stereo and 16-bit samples through `WasmSampler::process`, with the
/// instrument swapped while its notes sound: the guard inside
/// `Host::process` panics (failing this test) if any quantum allocates or
/// frees, including freeing a replaced instrument.
#[wasm_bindgen_test]
fn the_wasm_render_path_does_not_allocate_with_stereo_and_i16_samples_and_swaps() {
    assert!(checking());
    let ring = MidiRing::create(1024);
    let mut sampler = WasmSampler::new(48_000.0, ring.buffer().into(), 24).unwrap();
    load_mixed_instrument(&mut sampler, 1.0);
    let (mut stereo_frames, mut swaps_while_sounding) = (0, 0);
    for quantum in 0..800u32 {
        let frame = f64::from(quantum * 128);
        // Four notes a quantum, each released 300 frames later: voices are
        // stolen (24 voices), released and started all the time.
        for k in 0..4u32 {
            let note = 36 + ((quantum * 4 + k) % 48) as u8;
            assert!(ring.try_send(frame + f64::from(k * 29), 0x90, note, 40 + k as u8 * 20, 3, 0, 0));
            assert!(ring.try_send(frame + f64::from(k * 29 + 300), 0x80, note, 0, 3, 0, 0));
        }
        if quantum % 100 == 60 {
            // Between quanta, as the worklet's message handler does.
            swaps_while_sounding += u32::from(sampler.active_voices() > 0);
            load_mixed_instrument(&mut sampler, 1.0 + quantum as f32 / 1000.0);
        }
        sampler.process(frame, 128);
        // SAFETY: left_ptr and right_ptr point at MAX_BLOCK floats owned by
        // `sampler`, which outlives these borrows and is not mutated during them.
        let (left, right) = unsafe {
            (std::slice::from_raw_parts(sampler.left_ptr(), 128), std::slice::from_raw_parts(sampler.right_ptr(), 128))
        };
        assert!(left.iter().chain(right).all(|x| x.is_finite()), "quantum {quantum}");
        stereo_frames += left.iter().zip(right).filter(|(l, r)| (*l - *r).abs() > 1e-3).count();
    }
    assert!(swaps_while_sounding >= 7, "only {swaps_while_sounding} swaps while voices sounded");
    assert!(stereo_frames > 50_000, "the stereo and panned samples must reach both channels apart ({stereo_frames} frames)");
}
