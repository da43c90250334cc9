//! The whole render path, from ring drain to mixed output, must not touch
//! the allocator: a counting global allocator fails the test if it does.

mod common;
use common::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use sampler_core::VelocityCurve;

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

/// An instrument that exercises every per-voice feature.
fn everything_instrument() -> sampler_core::Instrument {
    use sampler_core::filter::FilterKind;
    use sampler_core::region::{EnvelopeParams, FilterParams, LfoParams};
    use sampler_core::{Instrument, LoopMode, Region, Trigger};
    let samples = vec![sine(440.0, 44_100.0, 1.0), sine(220.0, 48_000.0, 0.5)];
    let mut looped = Region::new(0, 69);
    looped.loop_mode = LoopMode::Sustain;
    looped.loop_start = 1000;
    looped.loop_end = 20_000;
    looped.filter = Some(FilterParams {
        kind: FilterKind::LowPass,
        cutoff_hz: 1000.0,
        resonance_db: 12.0,
        keytrack_cents: 100.0,
        keycenter: 60,
        veltrack_cents: 1200.0,
        envelope: EnvelopeParams { attack: 0.01, decay: 0.2, sustain: 0.3, ..EnvelopeParams::amplitude() },
        envelope_depth_cents: 2400.0,
    });
    looped.lfo = LfoParams { frequency_hz: 5.0, delay: 0.05, fade: 0.1, to_pitch_cents: 30.0, to_cutoff_cents: 600.0, to_volume_db: 2.0 };
    let mut release = Region::new(1, 57);
    release.trigger = Trigger::Release;
    release.rt_decay_db = 3.0;
    let mut robin_a = Region::new(1, 57);
    (robin_a.seq_length, robin_a.seq_position, robin_a.group, robin_a.off_by) = (2, 1, 1, 2);
    let mut robin_b = Region::new(1, 57);
    (robin_b.seq_length, robin_b.seq_position, robin_b.group, robin_b.off_by) = (2, 2, 2, 1);
    robin_b.loop_mode = LoopMode::OneShot;
    let mut random = Region::new(0, 69);
    (random.rand_lo, random.rand_hi) = (0.0, 0.3);
    random.loop_mode = LoopMode::Continuous;
    (random.loop_start, random.loop_end) = (0, 4410);
    let mut inst = Instrument::new(samples, vec![looped, release, robin_a, robin_b, random]).unwrap();
    inst.note_polyphony = Some(3);
    inst
}

#[test]
fn render_path_does_not_allocate() {
    let mut rig = Rig::new(48_000.0, 16, everything_instrument());
    rig.host.engine.set_program_instrument(3, everything_instrument());
    rig.host.engine.set_interpolation(sampler_core::Interpolation::Hermite);
    let (mut l, mut r) = (vec![0.0f32; QUANTUM], vec![0.0f32; QUANTUM]);
    // Warm up: first use of everything.
    rig.host.process(&mut rig.rx, 0, &mut l, &mut r);
    let mut frame = QUANTUM as u64;
    let mut allocations = 0;
    for quantum in 0..2000u64 {
        if quantum % 500 == 0 {
            // MPE lower zone on and off: member channels, master pedals and bends.
            for (cc, v) in [(101u8, 0u8), (100, 6), (6, if quantum % 1000 == 0 { 7 } else { 0 }), (74, 20)] {
                rig.send(frame, 0xB0, cc, v);
            }
        }
        // Notes, offs, pedals, bends, controllers, programs, stealing (16
        // voices, up to 40 notes), future, late and garbage events, all
        // through the ring.
        for k in 0..8u64 {
            let note = 30 + ((quantum * 8 + k) % 40) as u8;
            let channel = (k % 3) as u8;
            let at = frame + (k * 37) % 300;
            rig.send(at, 0x90 | channel, note, 1 + (k as u8 * 15));
            rig.send(at + 200, 0x80 | channel, note, 0);
        }
        let pedal = if quantum % 2 == 0 { 127 } else { 0 };
        rig.send(frame.saturating_sub(500), 0xB0, 64, pedal);
        rig.send(frame + 3, 0xB1, 66, pedal);
        rig.send(frame + 5, 0xE0, (quantum % 128) as u8, 64);
        rig.send(frame + 7, 0xB2, [1u8, 7, 10, 11, 67, 101, 100, 6, 121, 123][quantum as usize % 10], 64);
        rig.send(frame + 9, 0xC1, if quantum % 50 < 25 { 3 } else { 0 }, 0);
        rig.send(frame + 11, 0xA0, 40, 100);
        rig.send(frame + 1, 0xF8, 0, 0);
        allocations += count_allocations(|| {
            // The player's settings change while notes are held.
            if quantum % 100 == 0 {
                let engine = &mut rig.host.engine;
                engine.note_input().set_transpose((quantum / 100) as i32 % 5 - 2);
                let curves = [VelocityCurve::Linear, VelocityCurve::Soft, VelocityCurve::Hard, VelocityCurve::Fixed(90)];
                engine.note_input().set_velocity_curve(curves[(quantum / 100) as usize % 4]);
                engine.set_polyphony(if quantum % 200 == 0 { 6 } else { 16 });
            }
            rig.host.process(&mut rig.rx, frame, &mut l, &mut r)
        });
        frame += QUANTUM as u64;
    }
    assert!(rig.host.stats().received > 30_000);
    assert!(rig.host.stats().late > 0);
    assert_eq!(allocations, 0, "the render path allocated {allocations} times");
}
