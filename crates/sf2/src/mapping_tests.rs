//! Tests of the generator → Region mapping.

use super::*;
use crate::generators::{combine, GenSet};

fn header() -> SampleHeader {
    SampleHeader {
        name: "s".into(),
        start: 1000,
        end: 2000,
        loop_start: 1100,
        loop_end: 1900,
        rate: 44100,
        original_pitch: 64,
        pitch_correction: -7,
        link: 0,
        kind: 1,
    }
}

fn set(gens: &[(u16, i32)]) -> GenSet {
    let mut g = GenSet::default();
    for &(oper, v) in gens {
        g.set(oper, v as i16 as u16);
    }
    g
}

fn map_with(
    inst: &[(u16, i32)],
    preset: &[(u16, i32)],
    vel: VelocityMods,
) -> (Mapped, Vec<String>) {
    let c = combine(
        &GenSet::default(),
        &set(inst),
        &GenSet::default(),
        &set(preset),
    )
    .unwrap();
    let mut notes = Vec::new();
    let m = map_region(&c, &header(), 5000, vel, &mut notes);
    (m, notes)
}

fn map(inst: &[(u16, i32)]) -> (Mapped, Vec<String>) {
    map_with(inst, &[], VelocityMods::DEFAULT)
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-4 * b.abs().max(1.0)
}

#[test]
fn defaults_give_a_plain_region() {
    let (m, notes) = map(&[]);
    assert!(notes.is_empty(), "{notes:?}");
    let r = &m.region;
    assert_eq!((m.start, m.end), (1000, 2000));
    assert_eq!((r.key_lo, r.key_hi, r.vel_lo, r.vel_hi), (0, 127, 0, 127));
    assert_eq!(r.root_key, 64);
    assert_eq!(
        (r.transpose, r.tune_cents, r.keytrack_cents),
        (0, -7.0, 100.0)
    );
    assert_eq!(r.loop_mode, LoopMode::NoLoop);
    // Loop points are carried even without looping.
    assert_eq!((r.loop_start, r.loop_end), (100, 900));
    assert_eq!((r.volume_db, r.pan, r.amp_veltrack), (0.0, 0.0, 1.0));
    assert_eq!((r.group, r.off_by, r.offset), (0, 0, 0));
    assert_eq!(r.filter, None);
    assert_eq!(r.lfo, LfoParams::OFF);
    let e = r.amp_env;
    assert_eq!((e.delay, e.hold, e.decay, e.sustain), (0.0, 0.0, 0.0, 1.0));
    assert_eq!((e.attack, e.release), (0.001, 0.001));
}

#[test]
fn pitch_root_and_tuning() {
    let (m, _) = map(&[
        (op::OVERRIDING_ROOT_KEY, 48),
        (op::COARSE_TUNE, -12),
        (op::FINE_TUNE, 30),
        (op::SCALE_TUNING, 50),
    ]);
    let r = &m.region;
    assert_eq!(
        (r.root_key, r.transpose, r.tune_cents, r.keytrack_cents),
        (48, -12, 23.0, 50.0)
    );
    // Preset offsets add to the instrument's values, then clamp to ±120.
    let (m, _) = map_with(
        &[(op::COARSE_TUNE, 100)],
        &[(op::COARSE_TUNE, 50), (op::FINE_TUNE, 10)],
        VelocityMods::DEFAULT,
    );
    assert_eq!((m.region.transpose, m.region.tune_cents), (120, 3.0));
}

#[test]
fn fixed_key_and_velocity_are_baked() {
    // keynum 76 with root 64 at 100 cents/key: 12 semitones up on every key.
    let (m, notes) = map(&[(op::KEYNUM, 76)]);
    assert!(notes.is_empty());
    assert_eq!(
        (m.region.keytrack_cents, m.region.tune_cents),
        (0.0, 1193.0)
    );
    assert_eq!(m.region.pitch_semitones(20), 11.93);
    // velocity 64: gain (64/127)^2 → volume, no velocity tracking.
    let (m, _) = map(&[(op::VELOCITY, 64)]);
    assert_eq!(m.region.amp_veltrack, 0.0);
    assert!(
        close(m.region.volume_db, 40.0 * (64.0f32 / 127.0).log10()),
        "{}",
        m.region.volume_db
    );
}

#[test]
fn addresses_and_loops() {
    let (m, notes) = map(&[
        (op::SAMPLE_MODES, 1),
        (op::START_ADDRS_OFFSET, 20),
        (op::END_ADDRS_OFFSET, -50),
        (op::STARTLOOP_ADDRS_OFFSET, 10),
        (op::ENDLOOP_ADDRS_OFFSET, -5),
    ]);
    assert!(notes.is_empty(), "{notes:?}");
    let r = &m.region;
    assert_eq!((m.start, m.end), (1000, 1950));
    assert_eq!(
        (r.offset, r.loop_mode, r.loop_start, r.loop_end),
        (20, LoopMode::Continuous, 110, 895)
    );
    let (m, _) = map(&[(op::SAMPLE_MODES, 3)]);
    assert_eq!(m.region.loop_mode, LoopMode::Sustain);
    let (m, _) = map(&[(op::SAMPLE_MODES, 2)]);
    assert_eq!(m.region.loop_mode, LoopMode::NoLoop);
    // Coarse offsets count 32768 points: far past this sample.
    let (m, notes) = map(&[(op::SAMPLE_MODES, 1), (op::ENDLOOP_ADDRS_COARSE_OFFSET, 1)]);
    assert_eq!(m.region.loop_mode, LoopMode::NoLoop);
    assert_eq!(
        notes,
        vec![
            "loop 100..33668 does not fit the sample's 1000 points; played without a loop"
                .to_string()
        ]
    );
    let (m, notes) = map(&[(op::END_ADDRS_OFFSET, 9000), (op::START_ADDRS_OFFSET, -3)]);
    assert_eq!((m.end, m.region.offset), (5000, 0));
    assert_eq!(
        notes,
        vec![
            "endAddrsOffset moves the end to 11000, outside 1001..=5000; clamped".to_string(),
            "startAddrsOffset -3 is outside the sample's 4000 points; clamped".to_string()
        ]
    );
}

#[test]
fn attenuation_pan_and_exclusive_class() {
    let (m, _) = map(&[
        (op::INITIAL_ATTENUATION, 100),
        (op::PAN, -250),
        (op::EXCLUSIVE_CLASS, 3),
    ]);
    let r = &m.region;
    assert_eq!(r.volume_db, -4.0); // 10 dB nominal × 0.4
    assert_eq!(r.pan, -0.5);
    assert_eq!((r.group, r.off_by), (3, 3));
    let (m, _) = map_with(
        &[],
        &[],
        VelocityMods {
            to_attenuation_cb: 480.0,
            to_filter_cents: -2400.0,
        },
    );
    assert_eq!(m.region.amp_veltrack, 0.5);
}

#[test]
fn volume_envelope_times_and_levels() {
    let base = op::DELAY_VOL_ENV;
    let (m, _) = map(&[
        (base + ENV_DELAY, -1200),
        (base + ENV_ATTACK, 0),
        (base + ENV_HOLD, 1200),
        (base + ENV_DECAY, 2400),
        (base + ENV_SUSTAIN, 200),
        (base + ENV_RELEASE, -2400),
    ]);
    let e = m.region.amp_env;
    assert_eq!(
        (e.delay, e.attack, e.hold, e.release),
        (0.5, 1.0, 2.0, 0.25)
    );
    // 20 dB of the 100 dB decay range: a fifth of 4 s.
    assert!(close(e.decay, 0.8), "{}", e.decay);
    assert!(close(e.sustain, 0.1));
    assert_eq!(e.decay_curve, e.sustain);
    assert_eq!(e.attack_curve, EnvelopeParams::LINEAR);
    // Full attenuation ends the note after the whole decay time.
    let (m, _) = map(&[(base + ENV_DECAY, 0), (base + ENV_SUSTAIN, 1440)]);
    assert_eq!(
        (m.region.amp_env.sustain, m.region.amp_env.decay),
        (0.0, 1.0)
    );
}

#[test]
fn key_scaled_envelope_times_are_baked_at_the_range_centre() {
    let base = op::DELAY_VOL_ENV;
    // Keys 72..=72: 12 keys above 60 with 100 tc/key halves the decay.
    let c = {
        let mut z = set(&[
            (base + ENV_DECAY, 0),
            (base + ENV_SUSTAIN, 1000),
            (op::KEYNUM_TO_VOL_ENV_DECAY, 100),
        ]);
        z.set(op::KEY_RANGE, 72 | (72 << 8));
        combine(
            &GenSet::default(),
            &z,
            &GenSet::default(),
            &GenSet::default(),
        )
        .unwrap()
    };
    let mut notes = Vec::new();
    let m = map_region(&c, &header(), 5000, VelocityMods::DEFAULT, &mut notes);
    assert!(notes.is_empty());
    assert_eq!(m.region.amp_env.decay, 0.5);
    // Over all 128 keys the baking is reported.
    let (m, notes) = map(&[(base + ENV_HOLD, 0), (op::KEYNUM_TO_VOL_ENV_HOLD, 50)]);
    assert!(close(
        m.region.amp_env.hold,
        (-50.0f32 * 3.5 / 1200.0).exp2()
    ));
    assert_eq!(
        notes,
        vec!["keynumToVolEnvHold 50 baked at key 63.5 for keys 0..=127 (times at the edges differ by up to ×6.26)".to_string()]
    );
}

#[test]
fn filter_only_when_closed_or_modulated() {
    let (m, _) = map(&[(op::INITIAL_FILTER_FC, 13500), (op::INITIAL_FILTER_Q, 100)]);
    assert_eq!(m.region.filter, None);
    let (m, _) = map(&[(op::INITIAL_FILTER_FC, 6900), (op::INITIAL_FILTER_Q, 60)]);
    let f = m.region.filter.unwrap();
    assert_eq!(f.kind, FilterKind::LowPass);
    // 440 Hz lowered by 2400 cents (two octaves) at velocity 0, given back
    // by veltrack at 127.
    assert!(close(f.cutoff_hz, 110.0), "{}", f.cutoff_hz);
    assert_eq!(
        (
            f.veltrack_cents,
            f.resonance_db,
            f.envelope_depth_cents,
            f.keytrack_cents
        ),
        (2400.0, 6.0, 0.0, 0.0)
    );
    let menv = op::DELAY_MOD_ENV;
    let (m, _) = map(&[
        (op::MOD_ENV_TO_FILTER_FC, -3000),
        (menv + ENV_ATTACK, -1200),
        (menv + ENV_DECAY, 1200),
        (menv + ENV_SUSTAIN, 250),
    ]);
    let f = m.region.filter.unwrap();
    assert_eq!(f.envelope_depth_cents, -3000.0);
    assert_eq!(
        (f.envelope.attack, f.envelope.sustain, f.envelope.decay),
        (0.5, 0.75, 0.5)
    );
    assert_eq!(f.envelope.decay_curve, EnvelopeParams::LINEAR);
    // A fixed velocity bakes the velocity → cutoff modulator.
    let (m, _) = map(&[(op::INITIAL_FILTER_FC, 6900), (op::VELOCITY, 127)]);
    let f = m.region.filter.unwrap();
    assert!(
        close(f.cutoff_hz, 440.0) && f.veltrack_cents == 0.0,
        "{f:?}"
    );
}

#[test]
fn lfos_merge_into_one() {
    // Vibrato only: 0 cents = 8.176 Hz.
    let (m, notes) = map(&[
        (op::VIB_LFO_TO_PITCH, 50),
        (op::FREQ_VIB_LFO, 0),
        (op::DELAY_VIB_LFO, -1200),
    ]);
    assert!(notes.is_empty());
    let l = m.region.lfo;
    assert_eq!(
        (
            l.frequency_hz,
            l.delay,
            l.to_pitch_cents,
            l.to_cutoff_cents,
            l.to_volume_db
        ),
        (8.176, 0.5, 50.0, 0.0, 0.0)
    );
    // Modulation LFO only: its rate, pitch, cutoff (with a filter) and volume.
    let (m, notes) = map(&[
        (op::MOD_LFO_TO_PITCH, 20),
        (op::MOD_LFO_TO_FILTER_FC, 600),
        (op::MOD_LFO_TO_VOLUME, -30),
        (op::FREQ_MOD_LFO, 1200),
    ]);
    assert!(notes.is_empty());
    let l = m.region.lfo;
    assert_eq!(
        (
            l.frequency_hz,
            l.to_pitch_cents,
            l.to_cutoff_cents,
            l.to_volume_db
        ),
        (16.352, 20.0, 600.0, -3.0)
    );
    assert!(m.region.filter.is_some());
    // Both: vibrato rate and pitch, modulation depths, and a note.
    let (m, notes) = map(&[
        (op::VIB_LFO_TO_PITCH, 30),
        (op::MOD_LFO_TO_PITCH, 20),
        (op::MOD_LFO_TO_VOLUME, 60),
        (op::FREQ_MOD_LFO, 1200),
    ]);
    let l = m.region.lfo;
    assert_eq!(
        (l.frequency_hz, l.to_pitch_cents, l.to_volume_db),
        (8.176, 30.0, 6.0)
    );
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert_eq!(
        notes[0],
        "modLfoToPitch 20 cents ignored (the vibrato LFO drives pitch)"
    );
    assert!(
        notes[1].starts_with("vibrato LFO (8.18 Hz, delay 0.000 s) and modulation LFO (16.35 Hz"),
        "{}",
        notes[1]
    );
}

#[test]
fn unsupported_and_odd_values_are_noted() {
    let (_, notes) = map(&[(op::MOD_ENV_TO_PITCH, 1200)]);
    assert_eq!(
        notes,
        vec!["modEnvToPitch 1200 cents ignored (the region has no pitch envelope)".to_string()]
    );
    let c = combine(
        &GenSet::default(),
        &GenSet::default(),
        &GenSet::default(),
        &GenSet::default(),
    )
    .unwrap();
    let mut notes = Vec::new();
    let s = SampleHeader {
        original_pitch: 200,
        ..header()
    };
    let m = map_region(&c, &s, 5000, VelocityMods::DEFAULT, &mut notes);
    assert_eq!(m.region.root_key, 60);
    assert_eq!(
        notes,
        vec!["originalPitch 200 is not a MIDI key; using 60".to_string()]
    );
    let s = SampleHeader {
        original_pitch: 255,
        ..header()
    };
    let mut notes = Vec::new();
    assert_eq!(
        map_region(&c, &s, 5000, VelocityMods::DEFAULT, &mut notes)
            .region
            .root_key,
        60
    );
    assert!(notes.is_empty());
}
