//! Engine capabilities, each measured in the rendered audio: pitch accuracy
//! and interpolation quality, loops, offsets, envelopes, filter, LFO, round
//! robin, random layers, exclusive groups, release triggers, channel
//! controllers, pedals, programs, voice limits and the output guard.

mod common;
use common::*;
mod unclipped;
use unclipped::unclipped_rig;
use sampler_core::filter::FilterKind;
use sampler_core::region::{EnvelopeParams, FilterParams, LfoParams};
use sampler_core::{Interpolation, LoopMode, Region, Sample, Trigger};

const SR: f32 = 48_000.0;

/// A sine with a period of `period` frames, `frames` long.
fn sine_frames(period: f32, frames: usize, rate: f32) -> Sample {
    let data = (0..frames).map(|i| (std::f32::consts::TAU * i as f32 / period).sin()).collect();
    Sample::new(vec![data], rate).unwrap()
}

/// Amplitude of the component at `freq` (least squares on sin and cos) and
/// the RMS of everything else.
fn tone_and_residual(x: &[f32], freq: f64, rate: f32) -> (f64, f64) {
    let w = std::f64::consts::TAU * freq / f64::from(rate);
    let (mut s, mut c) = (0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        s += f64::from(v) * (w * i as f64).sin();
        c += f64::from(v) * (w * i as f64).cos();
    }
    let n = x.len() as f64;
    let (a, b) = (2.0 * s / n, 2.0 * c / n);
    let residual = x
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let e = f64::from(v) - a * (w * i as f64).sin() - b * (w * i as f64).cos();
            e * e
        })
        .sum::<f64>()
        / n;
    ((a * a + b * b).sqrt(), residual.sqrt())
}

#[test]
fn pitch_is_within_a_tenth_of_a_cent_across_the_keyboard() {
    let mut worst = 0.0f64;
    for mode in [Interpolation::Linear, Interpolation::Hermite] {
        for note in (21u8..=108).step_by(7) {
            let mut rig = unclipped_rig(SR, 8, single(sine(440.0, 44_100.0, 3.0), 69));
            rig.host.engine.set_interpolation(mode);
            rig.send(0, 0x90, note, 100);
            let out = rig.render(48_000);
            let expected = 440.0 * 2f64.powf((f64::from(note) - 69.0) / 12.0);
            // Measure only while the 3 s sample is sounding: its abrupt end
            // would add a crossing of its own.
            let sounding = (3.0 * 44_100.0 / (expected / 440.0 * 44_100.0 / f64::from(SR))) as usize;
            let end = (sounding - 500).min(out.len());
            let error = cents(frequency(&out[2000..end], SR), expected);
            assert!(error.abs() < 0.1, "{mode:?} note {note}: {error:.4} cents");
            worst = worst.max(error.abs());
        }
    }
    eprintln!("largest pitch error over the keyboard: {worst:.4} cents");
}

#[test]
fn hermite_interpolation_is_much_cleaner_than_linear() {
    // A 4 kHz sine recorded at 44.1 kHz, played a fifth up at 48 kHz.
    let residual = |mode| {
        let mut rig = unclipped_rig(SR, 8, single(sine(4000.0, 44_100.0, 2.0), 60));
        rig.host.engine.set_interpolation(mode);
        rig.send(0, 0x90, 67, 127);
        let out = rig.render(24_000);
        let (tone, rest) = tone_and_residual(&out[4000..], 4000.0 * 2f64.powf(7.0 / 12.0), SR);
        20.0 * (rest / tone).log10()
    };
    let (linear, hermite) = (residual(Interpolation::Linear), residual(Interpolation::Hermite));
    eprintln!("distortion + noise at 5.99 kHz: linear {linear:.1} dB, Hermite {hermite:.1} dB");
    assert!(linear > -45.0, "linear {linear:.1} dB");
    assert!(hermite < linear - 12.0, "Hermite {hermite:.1} dB vs linear {linear:.1} dB");
}

#[test]
fn continuous_loops_are_seamless_and_sustain_forever() {
    // 441 Hz at 44.1 kHz: exactly 100 frames a period; loop 40 periods.
    let inst = with_region(sine_frames(100.0, 10_000, 44_100.0), 69, |r| {
        r.loop_mode = LoopMode::Continuous;
        r.loop_start = 5000;
        r.loop_end = 9000;
        r.amp_veltrack = 0.0;
    });
    for mode in [Interpolation::Linear, Interpolation::Hermite] {
        let mut rig = unclipped_rig(SR, 8, inst.clone());
        rig.host.engine.set_interpolation(mode);
        rig.send(0, 0x90, 69, 127);
        let out = rig.render(SR as usize * 3);
        // Far past the 0.23 s sample, still at full level.
        let early = rms(&out[2400..4800]);
        let late = rms(&out[130_000..140_000]);
        assert!((late / early - 1.0).abs() < 0.01, "{mode:?}: rms {early} then {late}");
        // No step larger than the sine's own steepest slope allows.
        let smooth = UNITY * std::f32::consts::TAU * 441.0 / SR;
        assert!(max_jump(&out[100..]) < smooth * 1.05, "{mode:?}: jump {} vs {smooth}", max_jump(&out[100..]));
        assert!((frequency(&out[1000..], SR) - 441.0).abs() < 0.01);
    }
}

#[test]
fn sustain_loops_stop_looping_on_release_and_play_to_the_end() {
    let inst = with_region(sine_frames(100.0, 48_000, SR), 60, |r| {
        r.loop_mode = LoopMode::Sustain;
        r.loop_start = 1000;
        r.loop_end = 2000;
        r.amp_env.release = 10.0; // long: the sample's end must stop the voice
    });
    let mut rig = unclipped_rig(SR, 8, inst);
    rig.send(0, 0x90, 60, 127);
    rig.send(96_000, 0x80, 60, 0); // held for 2 s, much longer than the loop
    let out = rig.render(96_000);
    assert!(rms(&out[90_000..95_000]) > 0.1, "still looping while held");
    // After release it leaves the loop and reaches the end within 1 s (48000 frames).
    let out = rig.render(48_000);
    assert!(rms(&out[..1000]) > 0.1);
    assert_eq!(rig.host.engine.active_voices(), 0);
}

#[test]
fn one_shots_ignore_note_off() {
    let inst = with_region(dc(SR, 0.5), 60, |r| r.loop_mode = LoopMode::OneShot);
    let mut rig = unclipped_rig(SR, 8, inst);
    rig.send(0, 0x90, 60, 127);
    rig.send(4800, 0x80, 60, 0);
    let out = rig.render(30_000);
    assert_eq!(out[20_000], out[2000], "unchanged after note-off");
    assert!(out[23_999] > 0.0);
    assert_eq!(peak(&out[24_000..]), 0.0, "ends with the sample");
}

#[test]
fn offset_skips_into_the_sample_and_delay_postpones_the_onset() {
    let ramp: Vec<f32> = (0..48_000).map(|i| i as f32 / 48_000.0).collect();
    let inst = with_region(Sample::new(vec![ramp], SR).unwrap(), 60, |r| {
        r.offset = 12_000;
        r.delay = 0.01;
        r.amp_env.attack = 0.0;
        r.amp_veltrack = 0.0;
    });
    let mut rig = unclipped_rig(SR, 8, inst);
    rig.send(1000, 0x90, 60, 100);
    let out = rig.render(4096);
    assert_eq!(onset(&out), Some(1000 + 480), "10 ms of delay at 48 kHz");
    assert!((out[1480] / UNITY - 0.25).abs() < 1e-4, "starts at sample frame 12000 (value 0.25): {}", out[1480] / UNITY);
}

#[test]
fn the_amplitude_envelope_shapes_the_output() {
    let inst = with_region(dc(SR, 2.0), 60, |r| {
        r.amp_veltrack = 0.0;
        r.amp_env = EnvelopeParams { delay: 0.01, attack: 0.02, hold: 0.01, decay: 0.05, sustain: 0.25, release: 0.1, ..EnvelopeParams::amplitude() };
    });
    let mut rig = unclipped_rig(SR, 8, inst);
    rig.send(0, 0x90, 60, 100);
    rig.send(24_000, 0x80, 60, 0);
    let out: Vec<f32> = rig.render(36_000).iter().map(|x| x / UNITY).collect();
    assert_eq!(out[479], 0.0, "delay");
    assert!(out[480] > 0.0);
    assert!((out[480 + 959] - 1.0).abs() < 1e-6, "attack peak");
    assert!(out[480 + 958] < 0.9999);
    assert!((out[1439 + 480] - 1.0).abs() < 1e-6, "hold");
    assert!((out[1920 + 2399] - 0.25).abs() < 1e-6, "decayed to the sustain level");
    assert!((out[20_000] - 0.25).abs() < 1e-6, "sustain");
    assert_eq!(out[24_000 + 4799], 0.0, "released within 0.1 s");
    assert!(out[24_000 + 4798] > 0.0);
}

#[test]
fn the_filter_cuts_highs_and_tracks_the_key() {
    let filtered = |cutoff: f32, keytrack: f32, note: u8| {
        let inst = with_region(sine(4000.0, SR, 1.0), 60, |r| {
            r.keytrack_cents = 0.0; // same 4 kHz on every key
            r.filter = Some(FilterParams {
                kind: FilterKind::LowPass,
                cutoff_hz: cutoff,
                resonance_db: 0.0,
                keytrack_cents: keytrack,
                keycenter: 60,
                veltrack_cents: 0.0,
                envelope: EnvelopeParams::amplitude(),
                envelope_depth_cents: 0.0,
            });
        });
        let mut rig = unclipped_rig(SR, 8, inst);
        rig.send(0, 0x90, note, 127);
        rms(&rig.render(24_000)[4000..])
    };
    let open = rms(&{
        let mut rig = unclipped_rig(SR, 8, single(sine(4000.0, SR, 1.0), 60));
        rig.send(0, 0x90, 60, 127);
        rig.render(24_000)
    }[4000..]);
    let db = |x: f32| 20.0 * (x / open).log10();
    // 12 dB/octave: 3 octaves above a 500 Hz cutoff is about -36 dB.
    let at_500 = db(filtered(500.0, 0.0, 60));
    assert!((-38.0..-34.0).contains(&at_500), "{at_500:.1} dB");
    assert!((db(filtered(4000.0, 0.0, 60)) + 3.0).abs() < 0.3, "-3 dB at the cutoff");
    // Key tracking of 100 cents/key: 36 keys up moves the cutoff 3 octaves to 4 kHz.
    assert!((db(filtered(500.0, 100.0, 96)) + 3.0).abs() < 0.3);
}

#[test]
fn the_lfo_modulates_pitch_by_its_depth() {
    let inst = with_region(sine(440.0, SR, 3.0), 69, |r| {
        r.lfo = LfoParams { frequency_hz: 2.0, to_pitch_cents: 100.0, ..LfoParams::OFF };
    });
    let mut rig = unclipped_rig(SR, 8, inst);
    rig.send(0, 0x90, 69, 127);
    let out = rig.render(48_000);
    // Local frequency over 40 ms windows swings ±100 cents around 440 Hz.
    let (lo, hi) = pitch_range_cents(&out[480..], SR, 440.0);
    assert!((85.0..=101.0).contains(&hi) && (-101.0..=-85.0).contains(&lo), "swing {lo:.1}..{hi:.1} cents");
}

#[test]
fn round_robin_alternates_regions() {
    let inst = dc_layers(&[0.1, 0.2], |i, r| {
        r.seq_length = 2;
        r.seq_position = i as u8 + 1;
    });
    let mut rig = unclipped_rig(SR, 8, inst);
    let mut levels = Vec::new();
    for k in 0..4 {
        rig.send(rig.frame, 0x90, 60, 100);
        levels.push(rig.render(960)[900] / UNITY);
        rig.send(rig.frame, 0x80, 60, 0);
        rig.render(48_000);
        assert_eq!(rig.host.engine.active_voices(), 0, "round {k}");
    }
    let rounded: Vec<f32> = levels.iter().map(|x| (x * 100.0).round() / 100.0).collect();
    assert_eq!(rounded, vec![0.1, 0.2, 0.1, 0.2]);
}

#[test]
fn random_regions_split_notes_by_their_range() {
    let inst = dc_layers(&[0.1, 0.2], |i, r| {
        (r.rand_lo, r.rand_hi) = if i == 0 { (0.0, 0.5) } else { (0.5, 1.0) };
    });
    let mut rig = unclipped_rig(SR, 8, inst);
    let (mut a, mut b) = (0, 0);
    for _ in 0..200 {
        rig.send(rig.frame, 0x90, 60, 100);
        let level = rig.render(256)[200] / UNITY;
        rig.send(rig.frame, 0xB0, 120, 0); // all sound off
        rig.render(512);
        if (level - 0.1).abs() < 0.01 {
            a += 1;
        } else if (level - 0.2).abs() < 0.01 {
            b += 1;
        } else {
            panic!("exactly one region plays, got level {level}");
        }
    }
    assert!((60..=140).contains(&a) && a + b == 200, "{a} / {b}");
}

#[test]
fn exclusive_groups_choke_with_a_fade() {
    // Open hi-hat (46, group 2, off_by 1) choked by the closed one (42, group 1).
    let inst = dc_layers(&[0.2, 0.1], |i, r| {
        r.loop_mode = LoopMode::OneShot;
        if i == 0 {
            (r.key_lo, r.key_hi, r.group, r.off_by) = (46, 46, 2, 1);
        } else {
            (r.key_lo, r.key_hi, r.group, r.off_by) = (42, 42, 1, 0);
        }
    });
    let mut rig = unclipped_rig(SR, 8, inst);
    rig.send(0, 0x90, 46, 100);
    rig.send(10_000, 0x90, 42, 100);
    let out: Vec<f32> = rig.render(20_000).iter().map(|x| x / UNITY).collect();
    assert!((out[9_999] - 0.2).abs() < 1e-5);
    assert!((out[12_000] - 0.1).abs() < 1e-5, "the open hat is gone: {}", out[12_000]);
    assert!(max_jump(&out[10_000..]) < 0.1 / 48.0 + 0.2 / 240.0 + 1e-5, "faded, not cut");
}

#[test]
fn release_triggers_play_on_note_off_softer_after_long_holds() {
    let inst = dc_layers(&[0.2, 0.1], |i, r| {
        if i == 1 {
            r.trigger = Trigger::Release;
            r.rt_decay_db = 6.0;
            r.loop_mode = LoopMode::OneShot;
        }
        r.amp_env.release = 0.01;
    });
    let level_after_hold = |hold: u64, pedal: bool| {
        let mut rig = unclipped_rig(SR, 8, inst.clone());
        if pedal {
            rig.send(0, 0xB0, 64, 127);
        }
        rig.send(0, 0x90, 60, 100);
        rig.send(hold, 0x80, 60, 0);
        if pedal {
            rig.send(hold + 4800, 0xB0, 64, 0);
        }
        let out: Vec<f32> = rig.render(hold as usize + 12_000).iter().map(|x| x / UNITY).collect();
        out
    };
    let out = level_after_hold(48_000, false);
    assert!((out[47_999] - 0.2).abs() < 1e-5, "only the attack region while held");
    // 1 s held at 6 dB/s: the release sample plays at 0.1 × -6 dB.
    let expected = 0.1 * 10f32.powf(-6.0 / 20.0);
    assert!((out[48_000 + 2000] - expected).abs() < 1e-4, "{} vs {expected}", out[50_000]);
    let short = level_after_hold(4800, false);
    let expected_short = 0.1 * 10f32.powf(-0.6 / 20.0);
    assert!((short[4800 + 2000] - expected_short).abs() < 1e-4);
    // With the sustain pedal down the release sample waits for the pedal.
    let pedal = level_after_hold(48_000, true);
    assert!((pedal[48_000 + 2000] - 0.2).abs() < 1e-5, "held by the pedal, no release sample yet");
    let expected_late = 0.1 * 10f32.powf(-6.0 * 1.1 / 20.0);
    assert!((pedal[48_000 + 4800 + 2000] - expected_late).abs() < 1e-4, "{}", pedal[48_000 + 4800 + 2000]);
}

#[test]
fn programs_route_channels_to_their_instruments() {
    let short = |_: usize, r: &mut Region| r.amp_env.release = 0.01;
    let mut rig = unclipped_rig(SR, 8, dc_layers(&[0.1], short));
    rig.host.engine.set_program_instrument(5, dc_layers(&[0.3], short));
    rig.send(0, 0xC1, 5, 0); // channel 2 -> program 5
    rig.send(0, 0x90, 60, 100);
    rig.send(0, 0x91, 60, 100);
    rig.send(2000, 0x80, 60, 0);
    let out: Vec<f32> = rig.render(4000).iter().map(|x| x / UNITY).collect();
    assert!((out[1000] - 0.4).abs() < 1e-5, "both channels: {}", out[1000]);
    assert!((out[3900] - 0.3).abs() < 1e-3, "channel 2 alone plays program 5: {}", out[3900]);
}

#[test]
fn volume_expression_pan_and_soft_pedal_set_levels() {
    let steady = |messages: &[(u8, u8, u8)]| {
        let mut rig = unclipped_rig(SR, 8, dc_layers(&[0.2], |_, _| {}));
        for &(s, a, b) in messages {
            rig.send(0, s, a, b);
        }
        rig.send(0, 0x90, 60, 100);
        let (l, r) = rig.render_stereo(4800);
        (l[4000], r[4000])
    };
    let (base, _) = steady(&[]);
    let (vol, _) = steady(&[(0xB0, 7, 50)]);
    assert!((vol / base - (50.0f32 / 100.0).powi(2)).abs() < 1e-4);
    let (expr, _) = steady(&[(0xB0, 11, 64)]);
    assert!((expr / base - (64.0f32 / 127.0).powi(2)).abs() < 1e-4);
    let (soft, _) = steady(&[(0xB0, 67, 127)]);
    assert!((soft / base - 0.5).abs() < 1e-4);
    let (l, r) = steady(&[(0xB0, 10, 0)]);
    assert!(r.abs() < 1e-6 && (l / base - std::f32::consts::SQRT_2).abs() < 1e-3, "hard left: {l} {r}");
}

#[test]
fn controller_changes_do_not_zipper() {
    let mut rig = unclipped_rig(SR, 8, dc_layers(&[0.5], |_, _| {}));
    rig.send(0, 0x90, 60, 127);
    // Volume slammed from 100 to 0 and back within the note.
    rig.send(10_000, 0xB0, 7, 0);
    rig.send(20_000, 0xB0, 7, 127);
    let out = rig.render(30_000);
    // A step would be ~0.5 × UNITY; ramped over 32 frames it is 1/32 of that.
    let jump = max_jump(&out[1000..]);
    assert!(jump < 0.5 * 0.5 / 32.0 * 1.05, "largest jump {jump}");
    assert!(out[15_000].abs() < 1e-6 && out[29_000] > out[9_000]);
}

#[test]
fn pitch_bend_follows_the_rpn_bend_range() {
    for (range, bend, expected_cents) in [(2u8, 8191i32, 200.0 * 8191.0 / 8192.0), (12, -8192, -1200.0), (12, 4096, 600.0)] {
        let mut rig = unclipped_rig(SR, 8, single(sine(440.0, SR, 3.0), 69));
        for (cc, v) in [(101u8, 0u8), (100, 0), (6, range)] {
            rig.send(0, 0xB0, cc, v);
        }
        let raw = (bend + 8192) as u16;
        rig.send(0, 0xE0, (raw & 0x7F) as u8, (raw >> 7) as u8);
        rig.send(0, 0x90, 69, 100);
        let out = rig.render(24_000);
        let c = cents(frequency(&out[2000..], SR), 440.0);
        assert!((c - expected_cents).abs() < 0.1, "range {range} bend {bend}: {c:.3} cents");
    }
}

#[test]
fn sostenuto_holds_only_the_notes_down_when_pressed() {
    let mut rig = unclipped_rig(SR, 8, dc_layers(&[0.1], |_, r| r.amp_env.release = 0.01));
    rig.send(0, 0x90, 60, 100); // A down
    rig.send(100, 0xB0, 66, 127); // sostenuto: catches A
    rig.send(200, 0x90, 62, 100); // B down after the pedal
    rig.send(300, 0x80, 60, 0); // A up: held by sostenuto
    rig.send(400, 0x80, 62, 0); // B up: releases
    let out: Vec<f32> = rig.render(4800).iter().map(|x| x / UNITY).collect();
    assert!((out[4000] - 0.1).abs() < 1e-5, "A only: {}", out[4000]);
    rig.send(rig.frame, 0xB0, 66, 0);
    rig.render(4800);
    assert_eq!(rig.host.engine.active_voices(), 0);
}

#[test]
fn all_sound_off_fades_and_all_notes_off_releases() {
    let mut rig = unclipped_rig(SR, 8, dc_layers(&[0.2], |_, r| r.amp_env.release = 1.0));
    rig.send(0, 0x90, 60, 100);
    rig.send(0, 0x90, 64, 100);
    rig.send(1000, 0xB0, 123, 0);
    let out = rig.render(2000);
    assert!(out[1999] > 0.0 && out[1999] < out[999], "releasing over 1 s");
    rig.send(rig.frame, 0xB0, 120, 0);
    let out = rig.render(1000);
    assert_eq!(out[240], 0.0, "gone within 5 ms");
    assert!(max_jump(&out) < 0.4 * UNITY / 240.0 + 1e-5);
}

#[test]
fn stealing_prefers_released_voices() {
    let mut rig = unclipped_rig(SR, 2, dc_layers(&[0.1, 0.2], |i, r| {
        (r.key_lo, r.key_hi) = if i == 0 { (0, 60) } else { (61, 127) };
        r.amp_env.release = 5.0;
    }));
    rig.send(0, 0x90, 60, 100); // A (0.1), held
    rig.send(100, 0x90, 61, 100); // B (0.2)
    rig.send(200, 0x80, 61, 0); // B released, still sounding
    rig.send(2000, 0x90, 59, 100); // C (0.1): B is stolen, not A
    let out: Vec<f32> = rig.render(4000).iter().map(|x| x / UNITY).collect();
    assert!((out[3900] - 0.2).abs() < 1e-4, "A and C remain: {}", out[3900]);
}

#[test]
fn instrument_and_note_polyphony_limits() {
    let mut inst = dc_layers(&[0.1], |_, _| {});
    inst.polyphony = Some(3);
    inst.note_polyphony = Some(1);
    let mut rig = unclipped_rig(SR, 64, inst);
    for (k, note) in [60u8, 60, 60, 62, 64, 65].iter().enumerate() {
        rig.send(k as u64 * 500, 0x90, *note, 100);
    }
    let out: Vec<f32> = rig.render(6000).iter().map(|x| x / UNITY).collect();
    assert!((out[5900] - 0.3).abs() < 1e-4, "three voices: {}", out[5900]);
    assert!((out[1400] - 0.1).abs() < 1e-4, "one voice per key: {}", out[1400]);
}

#[test]
fn a_huge_chord_is_bounded_and_long_renders_stay_clean() {
    // This one measures the clip guard itself, so it stays on.
    let mut rig = Rig::new(SR, 256, dc_layers(&[1.0], |_, _| {}));
    for ch in 0..16u8 {
        for note in 30..46u8 {
            rig.send(0, 0x90 | ch, note, 127);
        }
    }
    let out = rig.render(4800);
    assert!(peak(&out) <= 1.0 && peak(&out) > 0.95, "peak {}", peak(&out));
    // A minute of notes, bends and controllers: nothing non-finite, nothing denormal.
    let mut rig = unclipped_rig(SR, 64, with_region(sine(220.0, 44_100.0, 0.7), 57, |r| {
        r.filter = Some(FilterParams {
            kind: FilterKind::LowPass,
            cutoff_hz: 800.0,
            resonance_db: 20.0,
            keytrack_cents: 50.0,
            keycenter: 60,
            veltrack_cents: 2400.0,
            envelope: EnvelopeParams { attack: 0.01, decay: 0.3, sustain: 0.2, ..EnvelopeParams::amplitude() },
            envelope_depth_cents: 3600.0,
        });
        r.lfo = LfoParams { frequency_hz: 6.0, to_pitch_cents: 20.0, to_cutoff_cents: 600.0, to_volume_db: 3.0, ..LfoParams::OFF };
    }));
    let mut seed = 7u32;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    for _ in 0..(60 * SR as usize / 4800) {
        for _ in 0..6 {
            let r = next();
            let at = rig.frame + u64::from(r % 4800);
            match r % 5 {
                0 | 1 => rig.send(at, 0x90 | (r % 16) as u8, 20 + (r >> 8) as u8 % 90, 1 + (r >> 16) as u8 % 127),
                2 => rig.send(at, 0x80 | (r % 16) as u8, 20 + (r >> 8) as u8 % 90, 0),
                3 => rig.send(at, 0xE0 | (r % 16) as u8, (r >> 8) as u8 & 0x7F, (r >> 16) as u8 & 0x7F),
                _ => rig.send(at, 0xB0 | (r % 16) as u8, [1u8, 7, 10, 11, 64, 66, 67][(r >> 8) as usize % 7], (r >> 16) as u8 & 0x7F),
            }
        }
        let (l, r) = rig.render_stereo(4800);
        // Unclipped: a NaN or an infinity would show here.
        assert!(l.iter().chain(&r).all(|x| x.is_finite() && (*x == 0.0 || x.abs() > 1e-30)));
    }
}

#[test]
fn velocity_layers_pick_by_velocity() {
    let inst = dc_layers(&[0.1, 0.2], |i, r| {
        (r.vel_lo, r.vel_hi) = if i == 0 { (1, 63) } else { (64, 127) };
        r.amp_env.release = 0.01;
    });
    let mut rig = unclipped_rig(SR, 8, inst);
    rig.send(0, 0x90, 60, 40);
    rig.send(0, 0x90, 62, 100);
    rig.send(2000, 0x80, 62, 0);
    let out: Vec<f32> = rig.render(4000).iter().map(|x| x / UNITY).collect();
    assert!((out[1000] - 0.3).abs() < 1e-4);
    assert!((out[3900] - 0.1).abs() < 1e-3);
}

#[test]
fn keyswitches_select_articulations() {
    let mut inst = dc_layers(&[0.1, 0.2], |i, r| {
        r.sw_last = Some(24 + i as u8);
        (r.key_lo, r.key_hi) = (48, 96);
        r.amp_env.release = 0.01;
    });
    inst.keyswitch_range = Some((24, 25));
    inst.keyswitch_default = Some(24);
    let mut rig = unclipped_rig(SR, 8, inst);
    let play = |rig: &mut Rig| {
        rig.send(rig.frame, 0x90, 60, 100);
        let level = rig.render(960)[900] / UNITY;
        rig.send(rig.frame, 0x80, 60, 0);
        rig.render(4800);
        (level * 100.0).round() / 100.0
    };
    assert_eq!(play(&mut rig), 0.1, "the default articulation");
    rig.send(rig.frame, 0x90, 25, 100); // the keyswitch itself is silent
    assert_eq!(rig.render(960)[900], 0.0);
    rig.send(rig.frame, 0x80, 25, 0);
    assert_eq!(play(&mut rig), 0.2, "switched");
}

#[test]
fn loop_crossfade_smooths_a_badly_cut_loop() {
    // 441 Hz (100-frame period) looped over 4025 frames: 40.25 periods, so
    // the wrap jumps from the sine's peak to its zero. A 20 ms crossfade hides it.
    let jump = |crossfade: f32| {
        let inst = with_region(sine_frames(100.0, 20_000, 44_100.0), 69, |r| {
            r.loop_mode = LoopMode::Continuous;
            (r.loop_start, r.loop_end) = (5000, 9025);
            r.loop_crossfade = crossfade;
            r.amp_veltrack = 0.0;
        });
        let mut rig = unclipped_rig(44_100.0, 8, inst);
        rig.send(0, 0x90, 69, 127);
        let out = rig.render(44_100);
        assert!(rms(&out[40_000..44_000]) > 0.3 * UNITY, "still sounding");
        max_jump(&out[100..]) / UNITY
    };
    let smooth = std::f32::consts::TAU / 100.0; // steepest step of the sine itself
    let (hard, faded) = (jump(0.0), jump(0.02));
    assert!(hard > 0.9, "the uncrossfaded loop clicks: {hard}");
    assert!(faded < smooth * 1.5, "crossfaded: {faded} vs smooth {smooth}");
}

#[test]
fn sixteen_bit_samples_play_like_their_float_twins() {
    let float: Vec<f32> = (0..48_000).map(|i| (std::f32::consts::TAU * 300.0 * i as f32 / SR).sin() * 0.5).collect();
    let int: Vec<i16> = float.iter().map(|x| (x * 32768.0).round() as i16).collect();
    let render = |sample: Sample| {
        let mut rig = unclipped_rig(SR, 8, single(sample, 60));
        rig.host.engine.set_interpolation(Interpolation::Hermite);
        rig.send(0, 0x90, 67, 100);
        rig.render(24_000)
    };
    let a = render(Sample::new(vec![float], SR).unwrap());
    let b = render(Sample::from_i16(vec![int], SR).unwrap());
    let diff = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
    assert!(peak(&a) > 0.05, "sounding: {}", peak(&a));
    assert!(diff < 2.0 / 32768.0, "16-bit and f32 differ by {diff}");
}

#[test]
fn swapping_instruments_lets_sounding_notes_ring_out() {
    let mut rig = unclipped_rig(SR, 8, dc_layers(&[0.1], |_, r| r.amp_env.release = 0.05));
    rig.send(0, 0x90, 60, 100);
    let before = rig.render(1000);
    // Swap while the note sounds: it keeps its old sample, no gap, no click.
    assert!(rig.host.engine.set_instrument(dc_layers(&[0.3], |_, r| r.amp_env.release = 0.05)).is_none());
    rig.send(rig.frame + 500, 0x90, 62, 100);
    let after: Vec<f32> = rig.render(2000).iter().map(|x| x / UNITY).collect();
    assert!((before[999] / UNITY - 0.1).abs() < 1e-5);
    assert!((after[0] - 0.1).abs() < 1e-5 && (after[499] - 0.1).abs() < 1e-5, "the old note goes on");
    assert!((after[1900] - 0.4).abs() < 1e-4, "old note plus a new note on the new instrument: {}", after[1900]);
    assert!(rig.host.engine.collect_retired().is_empty(), "still in use");
    rig.send(rig.frame, 0x80, 60, 0);
    rig.render(4800);
    assert_eq!(rig.host.engine.collect_retired().len(), 1, "freed once its notes ended");
}

#[test]
fn a_choke_group_does_not_cut_layers_of_the_same_note() {
    // Two layers of one note in the same class (an SF2 stereo pair, or
    // exclusiveClass drums): both sound; the next note of the class chokes both.
    let inst = dc_layers(&[0.1, 0.2], |_, r| {
        (r.group, r.off_by) = (7, 7);
        r.loop_mode = LoopMode::OneShot;
    });
    let mut rig = unclipped_rig(SR, 8, inst);
    rig.send(0, 0x90, 60, 100);
    rig.send(10_000, 0x90, 62, 100);
    let out: Vec<f32> = rig.render(20_000).iter().map(|x| x / UNITY).collect();
    assert!((out[5000] - 0.3).abs() < 1e-5, "both layers: {}", out[5000]);
    assert!((out[15_000] - 0.3).abs() < 1e-5, "the new note's two layers only: {}", out[15_000]);
    assert_eq!(rig.host.engine.active_voices(), 2);
}
