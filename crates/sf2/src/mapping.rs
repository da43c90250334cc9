//! Combined generator values + sample header → one [`Region`].
//!
//! Each unit conversion is documented where it happens. Things the region
//! model cannot express are approximated as noted, or dropped with a note.

use crate::generators::{
    absolute_cents_to_hz, centibels_to_gain, op, timecents_to_seconds, Combined, ENV_ATTACK,
    ENV_DECAY, ENV_DELAY, ENV_HOLD, ENV_RELEASE, ENV_SUSTAIN,
};
use crate::hydra::SampleHeader;
use sampler_core::filter::FilterKind;
use sampler_core::region::{EnvelopeParams, FilterParams, LfoParams, LoopMode, Region};

/// The EMU-compatibility factor applied to `initialAttenuation`: SF2
/// players disagree on how loud a centibel is. The EMU8000/10K hardware the
/// format was made for attenuated by about 0.4 of the nominal amount, and
/// FluidSynth and most fonts tuned on it follow that, so
/// `volume_db = -(cB / 10) × 0.4`. (A strictly nominal reading would be
/// `-(cB / 10)`; fonts then sound much quieter than their authors heard.)
pub(crate) const ATTENUATION_FACTOR: f32 = 0.4;

/// Shortest time used for the "instant" attack, decay and release
/// (timecents of -12000 give 0.98 ms anyway); avoids clicks.
const MIN_SEGMENT_SECONDS: f32 = 0.001;

/// Decay to this level or lower counts as silence (the spec's 100 dB,
/// sustainVolEnv 1000 cB, "conventionally full attenuation").
const SILENCE_CB: f32 = 1000.0;

/// Keys over which a keynumToXEnvY slope may change an envelope time by
/// more than this many timecents (600: ×1.41) at the edges of the region's
/// key range before the baking is reported.
const WIDE_KEY_SCALING_TC: f32 = 600.0;

/// What the velocity modulators of the zone pair amount to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct VelocityMods {
    /// Velocity → initialAttenuation, centibels at velocity 0 (default 960).
    pub to_attenuation_cb: f32,
    /// Velocity → initialFilterFc, cents at velocity 0, 0 at 127 (default -2400).
    pub to_filter_cents: f32,
}

impl VelocityMods {
    pub const DEFAULT: VelocityMods = VelocityMods {
        to_attenuation_cb: 960.0,
        to_filter_cents: -2400.0,
    };
}

/// A region with the sample points it plays (absolute `smpl` positions);
/// `region.sample` is filled in when the samples are gathered.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Mapped {
    pub region: Region,
    pub start: u32,
    pub end: u32,
}

/// Delay and hold: timecents → seconds, -12000 and below meaning none.
fn wait_seconds(tc: f32) -> f32 {
    if tc <= -12000.0 {
        0.0
    } else {
        timecents_to_seconds(tc)
    }
}

/// Attack, decay and release: timecents → seconds, at least 1 ms.
fn segment_seconds(tc: f32) -> f32 {
    timecents_to_seconds(tc).max(MIN_SEGMENT_SECONDS)
}

/// An envelope's timecents values with the keynumToHold/Decay slopes
/// applied at `key` (timecents per key, relative to key 60: a slope of 100
/// halves the time an octave up).
struct EnvTimes {
    delay: f32,
    attack: f32,
    hold: f32,
    decay: f32,
    release: f32,
}

fn env_times(c: &Combined, base: u16, hold_slope: u16, decay_slope: u16, key: f32) -> EnvTimes {
    let tc = |i: u16| c.get(base + i) as f32;
    EnvTimes {
        delay: wait_seconds(tc(ENV_DELAY)),
        attack: segment_seconds(tc(ENV_ATTACK)),
        hold: wait_seconds(tc(ENV_HOLD) + c.get(hold_slope) as f32 * (60.0 - key)),
        decay: segment_seconds(tc(ENV_DECAY) + c.get(decay_slope) as f32 * (60.0 - key)),
        release: segment_seconds(tc(ENV_RELEASE)),
    }
}

/// The volume envelope. SF2's attack is linear in amplitude; decay and
/// release are linear in dB, and their times are for a 100 dB change, so:
/// - sustain: sustainVolEnv cB of attenuation → `10^(-cB/200)`, 0 from
///   1000 cB (100 dB) on, so the voice ends;
/// - decay: the core runs the decay segment from full level to sustain in
///   `decay` seconds, so it is scaled to the part of 100 dB the decay
///   covers (`T × min(cB, 1000) / 1000`); `decay_curve = sustain` puts the
///   core's exponential target at 0, which makes the segment exactly
///   straight in dB (see `sampler_core::envelope`);
/// - release: the core releases from the current level to 0 in `release`
///   seconds; with `release_curve = 1e-5` that is 100 dB in `T` from full
///   level, SF2's rate. From a lower level SF2 would take proportionally
///   less time; the core takes all of `T` (so quiet releases are slower).
fn volume_envelope(c: &Combined, key: f32) -> EnvelopeParams {
    let t = env_times(
        c,
        op::DELAY_VOL_ENV,
        op::KEYNUM_TO_VOL_ENV_HOLD,
        op::KEYNUM_TO_VOL_ENV_DECAY,
        key,
    );
    let sustain_cb = c.get(op::DELAY_VOL_ENV + ENV_SUSTAIN).max(0) as f32;
    let sustain = if sustain_cb >= SILENCE_CB {
        0.0
    } else {
        centibels_to_gain(sustain_cb)
    };
    EnvelopeParams {
        delay: t.delay,
        attack: t.attack,
        hold: t.hold,
        decay: t.decay * sustain_cb.min(SILENCE_CB) / SILENCE_CB,
        sustain,
        release: t.release,
        attack_curve: EnvelopeParams::LINEAR,
        decay_curve: sustain.max(1e-5),
        release_curve: 1e-5,
    }
}

/// The modulation envelope (drives the filter). All its segments are
/// linear; sustainModEnv is a decrease in 0.1 % units (1000 = 0), and the
/// decay time is for a 100 % change, so it is scaled by the part covered.
fn modulation_envelope(c: &Combined, key: f32) -> EnvelopeParams {
    let t = env_times(
        c,
        op::DELAY_MOD_ENV,
        op::KEYNUM_TO_MOD_ENV_HOLD,
        op::KEYNUM_TO_MOD_ENV_DECAY,
        key,
    );
    let sustain = 1.0 - c.get(op::DELAY_MOD_ENV + ENV_SUSTAIN).clamp(0, 1000) as f32 / 1000.0;
    EnvelopeParams {
        delay: t.delay,
        attack: t.attack,
        hold: t.hold,
        decay: t.decay * (1.0 - sustain),
        sustain,
        release: t.release,
        attack_curve: EnvelopeParams::LINEAR,
        decay_curve: EnvelopeParams::LINEAR,
        release_curve: EnvelopeParams::LINEAR,
    }
}

/// Builds the region for one zone pair; what it cannot represent goes to
/// `notes`. `points` is the size of the sample data; the sample
/// header has already passed [`check_sample`](crate::samples::check_sample).
pub(crate) fn map_region(
    c: &Combined,
    s: &SampleHeader,
    points: usize,
    vel: VelocityMods,
    notes: &mut Vec<String>,
) -> Mapped {
    let mut r = Region::new(0, 60);
    r.key_lo = c.key.0;
    r.key_hi = c.key.1;
    r.vel_lo = c.vel.0;
    r.vel_hi = c.vel.1;

    // Root: overridingRootKey, else the sample's originalPitch (255 means
    // unpitched; that and other out-of-range values use 60).
    r.root_key = match c.get(op::OVERRIDING_ROOT_KEY) {
        k @ 0..=127 => k as u8,
        _ if s.original_pitch <= 127 => s.original_pitch,
        _ => {
            if s.original_pitch != 255 {
                notes.push(format!(
                    "originalPitch {} is not a MIDI key; using 60",
                    s.original_pitch
                ));
            }
            60
        }
    };

    // Pitch: coarseTune (semitones) → transpose; fineTune and the sample's
    // pitchCorrection (both cents) → tune_cents; scaleTuning (cents per
    // key) → keytrack_cents.
    r.transpose = c.get(op::COARSE_TUNE) as i8; // clamped to ±120 by combine
    r.tune_cents = (c.get(op::FINE_TUNE) + i32::from(s.pitch_correction)) as f32;
    r.keytrack_cents = c.get(op::SCALE_TUNING) as f32;
    // A fixed keynum plays every key at that key's pitch: no key tracking,
    // and the pitch offset of the fixed key folded into the tuning.
    let fixed_key = c.get(op::KEYNUM);
    if (0..=127).contains(&fixed_key) {
        r.tune_cents += (fixed_key - i32::from(r.root_key)) as f32 * r.keytrack_cents;
        r.keytrack_cents = 0.0;
    }

    // Sample addresses: fine offsets plus 32768 × coarse offsets.
    let offset = |fine: u16, coarse: u16| i64::from(c.get(fine)) + 32768 * i64::from(c.get(coarse));
    let start = i64::from(s.start);
    let end_wanted = i64::from(s.end) + offset(op::END_ADDRS_OFFSET, op::END_ADDRS_COARSE_OFFSET);
    // (check_sample guarantees start < end <= points; max() keeps clamp
    // from panicking regardless.)
    let end = end_wanted.clamp(start + 1, (points as i64).max(start + 1));
    if end != end_wanted {
        notes.push(format!(
            "endAddrsOffset moves the end to {end_wanted}, outside {}..={points}; clamped",
            start + 1
        ));
    }
    let frames = end - start;
    let start_off = offset(op::START_ADDRS_OFFSET, op::START_ADDRS_COARSE_OFFSET);
    r.offset = start_off.clamp(0, frames - 1) as u32;
    if i64::from(r.offset) != start_off {
        notes.push(format!(
            "startAddrsOffset {start_off} is outside the sample's {frames} points; clamped"
        ));
    }

    // Loops: shdr loop points are absolute, endloop already exclusive;
    // made relative to the sample start, plus the loop offsets.
    let loop_start = i64::from(s.loop_start) - start
        + offset(
            op::STARTLOOP_ADDRS_OFFSET,
            op::STARTLOOP_ADDRS_COARSE_OFFSET,
        );
    let loop_end = i64::from(s.loop_end) - start
        + offset(op::ENDLOOP_ADDRS_OFFSET, op::ENDLOOP_ADDRS_COARSE_OFFSET);
    let loop_ok = 0 <= loop_start && loop_start < loop_end && loop_end <= frames;
    if loop_ok {
        r.loop_start = loop_start as u32;
        r.loop_end = loop_end as u32;
    }
    r.loop_mode = match c.get(op::SAMPLE_MODES) {
        1 => LoopMode::Continuous,
        3 => LoopMode::Sustain,
        _ => LoopMode::NoLoop, // 0, and 2 (reserved; the spec says no loop)
    };
    if r.loop_mode != LoopMode::NoLoop && !loop_ok {
        notes.push(format!("loop {loop_start}..{loop_end} does not fit the sample's {frames} points; played without a loop"));
        r.loop_mode = LoopMode::NoLoop;
    }

    // Level: initialAttenuation with the EMU factor (see ATTENUATION_FACTOR);
    // pan -500..500 (0.1 % units) → -1..1.
    r.volume_db = -(c.get(op::INITIAL_ATTENUATION) as f32 / 10.0) * ATTENUATION_FACTOR;
    r.pan = (c.get(op::PAN) as f32 / 500.0).clamp(-1.0, 1.0);
    // Velocity: SF2's default modulator attenuates by a concave curve of
    // up to 96 dB (960 cB), which is close to 40·log10(v/127) dB, i.e. the
    // squared amplitude curve the core applies at amp_veltrack = 1. The
    // core blends that curve linearly, so other amounts scale the track:
    // amp_veltrack = amount / 960 (0 when a font disables the modulator).
    // Real concave curves fall faster near velocity 0 than the square.
    r.amp_veltrack = (vel.to_attenuation_cb / 960.0).clamp(0.0, 1.0);

    // Exclusive class: a new note of the class silences the others.
    let class = c.get(op::EXCLUSIVE_CLASS).max(0) as u32;
    r.group = class;
    r.off_by = class;

    // Envelopes. Their keynum slopes are baked at one key: the fixed
    // keynum, else the middle of the key range.
    let env_key = if (0..=127).contains(&fixed_key) {
        fixed_key as f32
    } else {
        (f32::from(r.key_lo) + f32::from(r.key_hi)) / 2.0
    };
    if !(0..=127).contains(&fixed_key) {
        let half_width = (f32::from(r.key_hi) - f32::from(r.key_lo)) / 2.0;
        for slope in [
            op::KEYNUM_TO_VOL_ENV_HOLD,
            op::KEYNUM_TO_VOL_ENV_DECAY,
            op::KEYNUM_TO_MOD_ENV_HOLD,
            op::KEYNUM_TO_MOD_ENV_DECAY,
        ] {
            let k = c.get(slope);
            if k as f32 * half_width > WIDE_KEY_SCALING_TC
                || -(k as f32) * half_width > WIDE_KEY_SCALING_TC
            {
                notes.push(format!(
                    "{} {k} baked at key {env_key} for keys {}..={} (times at the edges differ by up to ×{:.2})",
                    crate::generators::name(slope),
                    r.key_lo,
                    r.key_hi,
                    (k.abs() as f32 * half_width / 1200.0).exp2()
                ));
            }
        }
    }
    r.amp_env = volume_envelope(c, env_key);

    // Filter: initialFilterFc (absolute cents) → Hz, initialFilterQ (cB
    // above DC gain at the cutoff) → dB by /10; modEnvToFilterFc cents →
    // envelope depth. Open (≥ 13500 cents, ~19.9 kHz) and unmodulated
    // means no filter. The default velocity → cutoff modulator lowers the
    // cutoff by up to 2400 cents at velocity 0 and not at all at 127; the
    // core adds `v/127 × veltrack_cents` to `cutoff_hz`, so the base cutoff
    // is lowered by the whole amount and veltrack_cents gives it back.
    let fc = c.get(op::INITIAL_FILTER_FC);
    let env_depth = c.get(op::MOD_ENV_TO_FILTER_FC);
    let lfo_depth = c.get(op::MOD_LFO_TO_FILTER_FC);
    let fixed_vel = c.get(op::VELOCITY);
    if fc < 13500 || env_depth != 0 || lfo_depth != 0 {
        let mut base_cents = fc as f32 + vel.to_filter_cents;
        let mut veltrack = -vel.to_filter_cents;
        if (0..=127).contains(&fixed_vel) {
            base_cents += veltrack * fixed_vel as f32 / 127.0;
            veltrack = 0.0;
        }
        r.filter = Some(FilterParams {
            kind: FilterKind::LowPass,
            cutoff_hz: absolute_cents_to_hz(base_cents),
            resonance_db: c.get(op::INITIAL_FILTER_Q) as f32 / 10.0,
            keytrack_cents: 0.0,
            keycenter: 60,
            veltrack_cents: veltrack,
            envelope: modulation_envelope(c, env_key),
            envelope_depth_cents: env_depth as f32,
        });
    }
    // A fixed velocity: the velocity curve's gain at that velocity goes
    // into volume_db and the track is switched off.
    if (0..=127).contains(&fixed_vel) {
        let v = fixed_vel as f32 / 127.0;
        let gain = (1.0 - r.amp_veltrack * (1.0 - v * v)).max(1e-5);
        r.volume_db += 20.0 * gain.log10();
        r.amp_veltrack = 0.0;
    }
    let pitch_env = c.get(op::MOD_ENV_TO_PITCH);
    if pitch_env != 0 {
        notes.push(format!(
            "modEnvToPitch {pitch_env} cents ignored (the region has no pitch envelope)"
        ));
    }

    r.lfo = lfo(c, notes);
    Mapped {
        region: r,
        start: s.start,
        end: end as u32,
    }
}

/// The region's single LFO (a sine; SF2's are triangles) from SF2's two.
/// Frequencies: absolute cents → Hz like the filter; delays: timecents.
/// The vibrato LFO drives pitch when used; the modulation LFO supplies the
/// filter and volume depths (modLfoToVolume cB → dB by /10, positive
/// raising the level on the LFO's positive half, as the spec says), and
/// its rate and delay when the vibrato LFO is unused.
fn lfo(c: &Combined, notes: &mut Vec<String>) -> LfoParams {
    let vib_pitch = c.get(op::VIB_LFO_TO_PITCH);
    let (mod_pitch, mod_cutoff, mod_volume) = (
        c.get(op::MOD_LFO_TO_PITCH),
        c.get(op::MOD_LFO_TO_FILTER_FC),
        c.get(op::MOD_LFO_TO_VOLUME),
    );
    let vib = (
        absolute_cents_to_hz(c.get(op::FREQ_VIB_LFO) as f32),
        wait_seconds(c.get(op::DELAY_VIB_LFO) as f32),
    );
    let modl = (
        absolute_cents_to_hz(c.get(op::FREQ_MOD_LFO) as f32),
        wait_seconds(c.get(op::DELAY_MOD_LFO) as f32),
    );
    let vib_used = vib_pitch != 0;
    if !vib_used && mod_pitch == 0 && mod_cutoff == 0 && mod_volume == 0 {
        return LfoParams::OFF;
    }
    let ((frequency_hz, delay), to_pitch) = if vib_used {
        (vib, vib_pitch)
    } else {
        (modl, mod_pitch)
    };
    if vib_used && mod_pitch != 0 {
        notes.push(format!(
            "modLfoToPitch {mod_pitch} cents ignored (the vibrato LFO drives pitch)"
        ));
    }
    if vib_used
        && (mod_cutoff != 0 || mod_volume != 0)
        && ((vib.0 - modl.0).abs() > 0.01 || (vib.1 - modl.1).abs() > 0.001)
    {
        notes.push(format!(
            "vibrato LFO ({:.2} Hz, delay {:.3} s) and modulation LFO ({:.2} Hz, delay {:.3} s) differ; one LFO at the vibrato's rate is used",
            vib.0, vib.1, modl.0, modl.1
        ));
    }
    LfoParams {
        frequency_hz,
        delay,
        fade: 0.0,
        to_pitch_cents: to_pitch as f32,
        to_cutoff_cents: mod_cutoff as f32,
        to_volume_db: mod_volume as f32 / 10.0,
    }
}

#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;
