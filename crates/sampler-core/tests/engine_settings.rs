//! The player's settings, measured in the audio: transpose (pitch, and no
//! hanging note when it changes mid-note), velocity curve (level) and the
//! polyphony cap (voices counted and stolen).

mod common;
use common::*;
mod unclipped;
use unclipped::unclipped_rig;
use sampler_core::VelocityCurve;

const SR: f32 = 48_000.0;

#[test]
fn transpose_moves_pitch_and_a_changed_transpose_still_releases_the_held_note() {
    let mut rig = unclipped_rig(SR, 8, single(sine(440.0, 48_000.0, 4.0), 69));
    rig.host.engine.note_input().set_transpose(-12);
    rig.send(0, 0x90, 69, 100);
    let out = rig.render(24_000);
    let error = cents(frequency(&out[2_000..], SR), 220.0);
    assert!(error.abs() < 0.1, "A4 transposed down an octave: {error:.3} cents from 220 Hz");

    // Transpose changes while the key is down: the release still ends it.
    rig.host.engine.note_input().set_transpose(5);
    let f = rig.frame;
    rig.send(f, 0x80, 69, 0);
    rig.render(48_000);
    assert_eq!(rig.host.engine.active_voices(), 0, "the note A4 started was released");
    let tail = rig.render(4_800);
    assert!(peak(&tail) < 1e-6, "silent after the release (peak {})", peak(&tail));

    // A note transposed off the keyboard is not played at all.
    rig.host.engine.note_input().set_transpose(48);
    let f = rig.frame;
    rig.send(f, 0x90, 100, 100);
    let out = rig.render(4_800);
    assert!(peak(&out) < 1e-6);
}

#[test]
fn velocity_curves_change_the_level_of_a_soft_note() {
    // amp_veltrack 100 %: level follows velocity squared.
    let level_at = |curve: VelocityCurve, velocity: u8| {
        let mut rig = unclipped_rig(SR, 8, dc_layers(&[1.0], |_, r| r.amp_veltrack = 1.0));
        rig.host.engine.note_input().set_velocity_curve(curve);
        rig.send(0, 0x90, 60, velocity);
        let out = rig.render(9_600);
        rms(&out[4_800..])
    };
    let linear = level_at(VelocityCurve::Linear, 64);
    let soft = level_at(VelocityCurve::Soft, 64);
    let hard = level_at(VelocityCurve::Hard, 64);
    let fixed = level_at(VelocityCurve::Fixed(127), 64);
    let full = level_at(VelocityCurve::Linear, 127);
    let db = |x: f32| 20.0 * (x / linear).log10();
    assert!(db(soft) > 3.0, "soft curve lifts velocity 64 by {:.2} dB", db(soft));
    assert!(db(hard) < -3.0, "hard curve lowers velocity 64 by {:.2} dB", db(hard));
    assert!((fixed / full - 1.0).abs() < 1e-3, "fixed 127 plays at full level ({fixed} vs {full})");
}

#[test]
fn the_polyphony_cap_can_be_lowered_and_raised_within_the_pool() {
    let mut rig = unclipped_rig(SR, 16, single(sine(440.0, 48_000.0, 4.0), 69));
    assert_eq!(rig.host.engine.polyphony_capacity(), 16);
    rig.host.engine.set_polyphony(4);
    for k in 0..8u8 {
        rig.send(u64::from(k) * 64, 0x90, 60 + k, 100);
    }
    // 8 notes under a cap of 4: four sound, the stolen ones fade in 5 ms.
    rig.render(4_800);
    assert_eq!(rig.host.engine.active_voices(), 4);
    rig.host.engine.set_polyphony(1000);
    assert_eq!(rig.host.engine.polyphony(), 16, "clamped to the pool chosen at construction");
    let f = rig.frame;
    for k in 0..8u8 {
        rig.send(f, 0x90, 80 + k, 100);
    }
    rig.render(4_800);
    assert_eq!(rig.host.engine.active_voices(), 12);
}
