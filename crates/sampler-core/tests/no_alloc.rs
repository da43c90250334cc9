//! The whole render path, from ring drain to mixed output, must not touch
//! the allocator. Every `Host::process` of every suite using the test rig
//! runs under the allocation guard (`sampler_core::alloc_guard`, installed in
//! `common/mod.rs`); this suite drives the busiest scenes through it: every
//! per-voice feature, stereo and 16-bit samples, settings changes and
//! instrument swaps while voices sound.

mod common;
use common::*;
use sampler_core::alloc_guard::{checking, forbid_allocation};
use sampler_core::{Sample, VelocityCurve};

#[test]
fn the_guard_is_installed_in_test_builds() {
    assert!(checking(), "run the tests in a debug build, with CheckingAllocator installed");
}

#[test]
#[should_panic(expected = "the first an allocation of 40 bytes")]
fn the_guard_fails_on_an_allocation() {
    forbid_allocation("this scope", || drop(std::hint::black_box(vec![1u8; 40])));
}

#[test]
#[should_panic(expected = "the first a free of 24 bytes")]
fn the_guard_fails_on_a_free() {
    let held = std::hint::black_box(vec![7u8; 24]);
    forbid_allocation("this scope", move || drop(held));
}

#[test]
fn the_guard_passes_work_that_does_not_allocate() {
    let mut buffer = vec![0.0f32; 256];
    forbid_allocation("this scope", || buffer.iter_mut().enumerate().for_each(|(i, x)| *x = i as f32));
    assert_eq!(buffer[255], 255.0);
}

/// An instrument that exercises every per-voice feature.
fn everything_instrument() -> sampler_core::Instrument {
    use sampler_core::filter::FilterKind;
    use sampler_core::region::{EnvelopeParams, FilterParams, LfoParams};
    use sampler_core::{Instrument, LoopMode, Region, Trigger};
    let stereo = |f: f32| -> Vec<Vec<f32>> {
        let wave = |phase: f32| (0..48_000).map(|i| (std::f32::consts::TAU * f * i as f32 / 48_000.0 + phase).sin()).collect();
        vec![wave(0.0), wave(1.0)]
    };
    let to_i16 = |channels: Vec<Vec<f32>>| -> Vec<Vec<i16>> {
        channels.into_iter().map(|c| c.into_iter().map(|x| (x * 30_000.0) as i16).collect()).collect()
    };
    let samples = vec![
        sine(440.0, 44_100.0, 1.0),
        sine(220.0, 48_000.0, 0.5),
        Sample::new(stereo(330.0), 48_000.0).unwrap(),
        Sample::from_i16(to_i16(vec![stereo(262.0).remove(0)]), 48_000.0).unwrap(),
        Sample::from_i16(to_i16(stereo(196.0)), 22_050.0).unwrap(),
    ];
    assert!(samples[2].is_stereo() && !samples[3].is_stereo() && samples[4].is_stereo());
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
    // Stereo f32, mono i16 and stereo i16 (looped, filtered), layered on every key.
    let stereo_f32 = Region::new(2, 64);
    let mut mono_i16 = Region::new(3, 60);
    mono_i16.loop_mode = LoopMode::Continuous;
    (mono_i16.loop_start, mono_i16.loop_end) = (100, 40_000);
    let mut stereo_i16 = Region::new(4, 55);
    stereo_i16.filter = looped.filter;
    stereo_i16.lfo = looped.lfo;
    stereo_i16.pan = -0.4;
    let regions = vec![looped, release, robin_a, robin_b, random, stereo_f32, mono_i16, stereo_i16];
    let mut inst = Instrument::new(samples, regions).unwrap();
    inst.note_polyphony = Some(3);
    inst
}

/// Sends one quantum's worth of everything through the ring: notes, offs,
/// pedals, bends, controllers, programs, stealing (16 voices, up to 40
/// notes), future, late and garbage events.
fn send_busy_quantum(rig: &mut Rig, quantum: u64, frame: u64) {
    if quantum.is_multiple_of(500) {
        // MPE lower zone on and off: member channels, master pedals and bends.
        for (cc, v) in [(101u8, 0u8), (100, 6), (6, if quantum.is_multiple_of(1000) { 7 } else { 0 }), (74, 20)] {
            rig.send(frame, 0xB0, cc, v);
        }
    }
    for k in 0..8u64 {
        let note = 30 + ((quantum * 8 + k) % 40) as u8;
        let channel = (k % 3) as u8;
        let at = frame + (k * 37) % 300;
        rig.send(at, 0x90 | channel, note, 1 + (k as u8 * 15));
        rig.send(at + 200, 0x80 | channel, note, 0);
    }
    let pedal = if quantum.is_multiple_of(2) { 127 } else { 0 };
    rig.send(frame.saturating_sub(500), 0xB0, 64, pedal);
    rig.send(frame + 3, 0xB1, 66, pedal);
    rig.send(frame + 5, 0xE0, (quantum % 128) as u8, 64);
    rig.send(frame + 7, 0xB2, [1u8, 7, 10, 11, 67, 101, 100, 6, 121, 123][quantum as usize % 10], 64);
    rig.send(frame + 9, 0xC1, if quantum % 50 < 25 { 3 } else { 0 }, 0);
    rig.send(frame + 11, 0xA0, 40, 100);
    rig.send(frame + 1, 0xF8, 0, 0);
}

fn busy_rig() -> Rig {
    let mut rig = Rig::new(48_000.0, 16, everything_instrument());
    rig.host.engine.set_program_instrument(3, everything_instrument());
    rig.host.engine.set_interpolation(sampler_core::Interpolation::Hermite);
    rig
}

#[test]
fn render_path_does_not_allocate() {
    let mut rig = busy_rig();
    let (mut l, mut r) = (vec![0.0f32; QUANTUM], vec![0.0f32; QUANTUM]);
    let mut frame = 0;
    for quantum in 0..2000u64 {
        send_busy_quantum(&mut rig, quantum, frame);
        // The player's settings change while notes are held.
        if quantum % 100 == 0 {
            forbid_allocation("settings changes", || {
                let engine = &mut rig.host.engine;
                engine.note_input().set_transpose((quantum / 100) as i32 % 5 - 2);
                let curves = [VelocityCurve::Linear, VelocityCurve::Soft, VelocityCurve::Hard, VelocityCurve::Fixed(90)];
                engine.note_input().set_velocity_curve(curves[(quantum / 100) as usize % 4]);
                engine.set_polyphony(if quantum % 200 == 0 { 6 } else { 16 });
            });
        }
        // Guarded inside: panics if this quantum allocated or freed.
        rig.host.process(&mut rig.rx, frame, &mut l, &mut r);
        frame += QUANTUM as u64;
    }
    assert!(rig.host.stats().received > 30_000);
    assert!(rig.host.stats().late > 0);
}

/// Swapping instruments while their voices sound: the replaced instrument
/// is retired and its notes ring out inside `process`, which must not free
/// it; it is freed only when the caller collects it, outside the render.
#[test]
fn instruments_swapped_while_voices_sound_are_never_freed_in_process() {
    let mut rig = busy_rig();
    let (mut l, mut r) = (vec![0.0f32; QUANTUM], vec![0.0f32; QUANTUM]);
    let mut frame = 0;
    let (mut swaps_while_sounding, mut collected) = (0, 0);
    for quantum in 0..1500u64 {
        send_busy_quantum(&mut rig, quantum, frame);
        if quantum % 100 == 50 {
            // Built and swapped outside the render, as the worklet does
            // between quanta; what must be freed now is freed here.
            let sounding = rig.host.engine.active_voices() > 0;
            swaps_while_sounding += usize::from(sounding);
            let program = if quantum % 200 == 50 { None } else { Some(3) };
            let replaced = match program {
                None => rig.host.engine.set_instrument(everything_instrument()),
                Some(p) => rig.host.engine.set_program_instrument(p, everything_instrument()),
            };
            drop(replaced);
        }
        if quantum % 100 == 99 {
            collected += rig.host.engine.collect_retired().len();
        }
        rig.host.process(&mut rig.rx, frame, &mut l, &mut r);
        frame += QUANTUM as u64;
    }
    assert!(swaps_while_sounding >= 10, "only {swaps_while_sounding} swaps happened while voices sounded");
    assert!(collected >= 5, "only {collected} retired instruments rang out and were collected");
}
