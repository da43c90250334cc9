//! A region: which sample plays for which notes, and how. Modelled on SFZ's
//! `<region>` (opcode names in the field docs) so the SFZ and SF2 loaders
//! both map onto it.

/// `loop_mode`.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopMode {
    /// Play to the end of the sample; note-off releases.
    NoLoop,
    /// Play to the end whatever note-off says (drums).
    OneShot,
    /// Loop between `loop_start` and `loop_end` until the voice ends.
    Continuous,
    /// Loop while the key is held, then play on to the end.
    Sustain,
}

/// `trigger`.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Attack,
    /// Plays on note-off (piano release samples).
    Release,
}

/// Times in seconds, `sustain` as a level in 0..=1. The curve numbers shape
/// each segment: the segment approaches an overshoot target `curve` beyond
/// its end level, so a large value is nearly linear and a small one is
/// exponential (straight in dB).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EnvelopeParams {
    pub delay: f32,
    pub attack: f32,
    pub hold: f32,
    pub decay: f32,
    pub sustain: f32,
    pub release: f32,
    pub attack_curve: f32,
    pub decay_curve: f32,
    pub release_curve: f32,
}

impl Default for EnvelopeParams {
    fn default() -> Self {
        EnvelopeParams::amplitude()
    }
}

impl EnvelopeParams {
    pub const LINEAR: f32 = 10.0;
    /// About 60 dB of fall over the segment time.
    pub const EXPONENTIAL: f32 = 0.001;

    /// SFZ's amplitude envelope defaults, except a 1 ms attack so samples
    /// that start at a non-zero value do not click.
    pub const fn amplitude() -> EnvelopeParams {
        EnvelopeParams {
            delay: 0.0,
            attack: 0.001,
            hold: 0.0,
            decay: 0.0,
            sustain: 1.0,
            release: 0.35,
            attack_curve: Self::LINEAR,
            decay_curve: Self::EXPONENTIAL,
            release_curve: Self::EXPONENTIAL,
        }
    }
}

/// Filter settings of a region (`fil_type`, `cutoff`, `resonance`,
/// `fil_keytrack`, `fil_keycenter`, `fil_veltrack`, `fileg_*`).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FilterParams {
    pub kind: crate::filter::FilterKind,
    pub cutoff_hz: f32,
    pub resonance_db: f32,
    /// Cents of cutoff per key away from `keycenter`.
    pub keytrack_cents: f32,
    pub keycenter: u8,
    /// Cents of cutoff at velocity 127 (scaled linearly down to 0 at velocity 0).
    pub veltrack_cents: f32,
    pub envelope: EnvelopeParams,
    /// Cents of cutoff at full envelope level.
    pub envelope_depth_cents: f32,
}

impl FilterParams {
    /// A plain 12 dB/octave low-pass at `cutoff_hz`: no resonance, key or
    /// velocity tracking, or envelope depth.
    pub fn low_pass(cutoff_hz: f32) -> FilterParams {
        FilterParams {
            kind: crate::filter::FilterKind::LowPass,
            cutoff_hz,
            resonance_db: 0.0,
            keytrack_cents: 0.0,
            keycenter: 60,
            veltrack_cents: 0.0,
            envelope: EnvelopeParams::amplitude(),
            envelope_depth_cents: 0.0,
        }
    }
}

/// One LFO per voice (`lfo01_*` style): sine, to pitch, cutoff and volume.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LfoParams {
    pub frequency_hz: f32,
    pub delay: f32,
    /// Seconds over which depth fades in after the delay.
    pub fade: f32,
    pub to_pitch_cents: f32,
    pub to_cutoff_cents: f32,
    pub to_volume_db: f32,
}

impl Default for LfoParams {
    fn default() -> Self {
        LfoParams::OFF
    }
}

impl LfoParams {
    pub const OFF: LfoParams =
        LfoParams { frequency_hz: 5.0, delay: 0.0, fade: 0.0, to_pitch_cents: 0.0, to_cutoff_cents: 0.0, to_volume_db: 0.0 };

    pub fn is_active(&self) -> bool {
        self.to_pitch_cents != 0.0 || self.to_cutoff_cents != 0.0 || self.to_volume_db != 0.0
    }
}

#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    pub sample: usize,
    /// `lokey`/`hikey`, `lovel`/`hivel`.
    pub key_lo: u8,
    pub key_hi: u8,
    pub vel_lo: u8,
    pub vel_hi: u8,
    /// `pitch_keycenter`.
    pub root_key: u8,
    /// `transpose` (semitones) and `tune` (cents).
    pub transpose: i8,
    pub tune_cents: f32,
    /// `pitch_keytrack`: cents per key (0 plays every key at the root pitch).
    pub keytrack_cents: f32,
    /// `volume` (dB) and `pan` (-1 left .. 1 right).
    pub volume_db: f32,
    pub pan: f32,
    /// `amp_veltrack` in 0..=1: 1 is the full velocity curve, 0 ignores velocity.
    pub amp_veltrack: f32,
    /// Velocity crossfades (`xfin_lovel`..`xfout_hivel`): gain rises from
    /// 0 at `xfin.0` to 1 at `xfin.1`, and falls from 1 at `xfout.0` to 0 at
    /// `xfout.1` (equal-power).
    pub xfin: (u8, u8),
    pub xfout: (u8, u8),
    pub loop_mode: LoopMode,
    /// Loop points in sample frames; `loop_end` is exclusive.
    pub loop_start: u32,
    pub loop_end: u32,
    /// Seconds of crossfade before `loop_end` (`loop_crossfade`).
    pub loop_crossfade: f32,
    /// `offset` (frames into the sample) and `delay` (seconds before sounding).
    pub offset: u32,
    pub delay: f32,
    pub trigger: Trigger,
    /// `rt_decay`: dB per second of key hold that a release region loses.
    pub rt_decay_db: f32,
    /// Round robin: plays on the `seq_position`-th (1-based) of every
    /// `seq_length` matching notes.
    pub seq_length: u8,
    pub seq_position: u8,
    /// `lorand`/`hirand`: plays when the note's random number is in [lo, hi).
    pub rand_lo: f32,
    pub rand_hi: f32,
    /// Exclusive groups: a note of a region with `group` g silences voices
    /// whose region has `off_by` g (0 = none).
    pub group: u32,
    pub off_by: u32,
    /// `sw_last`: plays only while this is the channel's last keyswitch
    /// (keys in the instrument's `keyswitch_range`).
    pub sw_last: Option<u8>,
    pub amp_env: EnvelopeParams,
    pub filter: Option<FilterParams>,
    pub lfo: LfoParams,
}

impl Default for Region {
    /// Sample 0 at SFZ's default root key, 60.
    fn default() -> Self {
        Region::new(0, 60)
    }
}

impl Region {
    /// `sample` at root `root_key`, covering all keys and velocities, with
    /// SFZ defaults.
    pub fn new(sample: usize, root_key: u8) -> Region {
        Region {
            sample,
            key_lo: 0,
            key_hi: 127,
            vel_lo: 1,
            vel_hi: 127,
            root_key,
            transpose: 0,
            tune_cents: 0.0,
            keytrack_cents: 100.0,
            volume_db: 0.0,
            pan: 0.0,
            amp_veltrack: 1.0,
            xfin: (0, 0),
            xfout: (127, 127),
            loop_mode: LoopMode::NoLoop,
            loop_start: 0,
            loop_end: 0,
            loop_crossfade: 0.0,
            offset: 0,
            delay: 0.0,
            trigger: Trigger::Attack,
            rt_decay_db: 0.0,
            seq_length: 1,
            seq_position: 1,
            rand_lo: 0.0,
            rand_hi: 1.0,
            group: 0,
            off_by: 0,
            sw_last: None,
            amp_env: EnvelopeParams::amplitude(),
            filter: None,
            lfo: LfoParams::OFF,
        }
    }

    pub fn matches(&self, note: u8, velocity: u8) -> bool {
        (self.key_lo..=self.key_hi).contains(&note) && (self.vel_lo..=self.vel_hi).contains(&velocity)
    }

    /// Semitones from the sample's recorded pitch for `note`.
    pub fn pitch_semitones(&self, note: u8) -> f64 {
        let keys = f64::from(note) - f64::from(self.root_key);
        keys * f64::from(self.keytrack_cents) / 100.0 + f64::from(self.transpose) + f64::from(self.tune_cents) / 100.0
    }

    /// Linear gain from `volume`, velocity (`amp_veltrack`, squared curve)
    /// and the velocity crossfades.
    pub fn velocity_gain(&self, velocity: u8) -> f32 {
        let v = f32::from(velocity) / 127.0;
        let curve = 1.0 - self.amp_veltrack * (1.0 - v * v);
        let volume = 10f32.powf(self.volume_db / 20.0);
        volume * curve * crossfade_gain(velocity, self.xfin, self.xfout)
    }

    /// Whether the region loops at all, with usable loop points for a
    /// sample of `frames` frames.
    pub fn loops(&self, frames: usize) -> bool {
        matches!(self.loop_mode, LoopMode::Continuous | LoopMode::Sustain)
            && self.loop_end > self.loop_start
            && self.loop_end as usize <= frames
    }
}

/// The ranges a region's numbers must lie in, checked by
/// [`crate::Instrument::new`]: every value finite and within them. They
/// cover what the SFZ and SF2 loaders produce from any file (the reason is
/// given where a range is wider than the format's own); where the engine
/// holds a value tighter when it plays (the filter's cutoff and resonance,
/// the pitch step, envelope lengths), it says so.
pub mod limits {
    /// (min, max), both included.
    pub type Range = (f32, f32);
    /// `tune_cents`. SF2 folds a fixed `keynum` into the tuning: up to 127
    /// keys × 1200 cents plus fine tune and the sample's correction. The
    /// voice holds the resulting step within `MIN_STEP..=MAX_STEP`.
    pub const TUNE_CENTS: Range = (-160_000.0, 160_000.0);
    /// `keytrack_cents` and a filter's `keytrack_cents` (SFZ's ±1200).
    pub const KEYTRACK_CENTS: Range = (-1_200.0, 1_200.0);
    /// `volume_db`. SFZ allows -144..48; SF2's fixed velocity and
    /// attenuation reach -158; below -200 dB nothing is audible.
    pub const VOLUME_DB: Range = (-200.0, 48.0);
    /// `pan`, -1 left .. 1 right.
    pub const PAN: Range = (-1.0, 1.0);
    /// Fractions: `amp_veltrack`, envelope `sustain`, `rand_lo`, `rand_hi`.
    pub const UNIT: Range = (0.0, 1.0);
    /// Times in seconds: `delay`, `loop_crossfade`, envelope stages, LFO
    /// delay and fade. Any finite time: SF2's key-scaled envelope times
    /// reach 10^19 s; envelopes hold a stage at 2^32 - 1 frames (a day).
    pub const SECONDS: Range = (0.0, f32::MAX);
    /// Envelope segment curves; the envelope's own working range.
    pub const CURVE: Range = (1e-5, 1e3);
    /// `rt_decay_db` (SFZ's 0..200).
    pub const RT_DECAY_DB: Range = (0.0, 200.0);
    /// A filter's `cutoff_hz`. SF2 velocity modulators can push it far past
    /// hearing; the filter holds it within 10 Hz .. 0.45 × the output rate.
    pub const CUTOFF_HZ: Range = (0.0, f32::MAX);
    /// A filter's `resonance_db`. SF2's `initialFilterQ` reaches 96 dB; the
    /// filter holds it at 40 (SFZ's maximum).
    pub const RESONANCE_DB: Range = (0.0, 96.0);
    /// A filter's `veltrack_cents`: SF2 adds an instrument and a preset
    /// velocity modulator of ±32768 cents each (SFZ: ±9600).
    pub const VELTRACK_CENTS: Range = (-65_536.0, 65_536.0);
    /// A filter's `envelope_depth_cents` (SFZ's and SF2's ±12000).
    pub const ENVELOPE_DEPTH_CENTS: Range = (-12_000.0, 12_000.0);
    /// The LFO's `frequency_hz` (SFZ: up to 100 Hz; SF2: up to 110 Hz).
    pub const LFO_HZ: Range = (0.0, 200.0);
    /// The LFO's pitch and cutoff depths: SFZ adds two sources of ±9600.
    pub const LFO_CENTS: Range = (-19_200.0, 19_200.0);
    /// The LFO's `to_volume_db`: SFZ adds two sources of ±48 dB.
    pub const LFO_VOLUME_DB: Range = (-96.0, 96.0);
}

/// A region's number outside its range in [`limits`] (or not finite).
#[derive(Clone, Debug, PartialEq)]
pub struct BadValue {
    /// The field's path, e.g. `filter.envelope.decay`.
    pub field: &'static str,
    pub value: f32,
    pub range: limits::Range,
}

impl std::fmt::Display for BadValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (lo, hi) = self.range;
        if hi == f32::MAX {
            write!(f, "{} is {}; it must be a finite number of at least {lo}", self.field, self.value)
        } else {
            write!(f, "{} is {}; it must be a finite number in {lo}..={hi}", self.field, self.value)
        }
    }
}

type Checked = (&'static str, f32, limits::Range);

fn envelope_values(names: [&'static str; 9], e: &EnvelopeParams) -> [Checked; 9] {
    use limits::*;
    let values = [e.delay, e.attack, e.hold, e.decay, e.sustain, e.release, e.attack_curve, e.decay_curve, e.release_curve];
    let ranges = [SECONDS, SECONDS, SECONDS, SECONDS, UNIT, SECONDS, CURVE, CURVE, CURVE];
    std::array::from_fn(|i| (names[i], values[i], ranges[i]))
}

impl Region {
    /// Checks every number against [`limits`]: the first one that is not
    /// finite or out of its range.
    pub fn check_values(&self) -> Result<(), BadValue> {
        use limits::*;
        let own: [Checked; 10] = [
            ("tune_cents", self.tune_cents, TUNE_CENTS),
            ("keytrack_cents", self.keytrack_cents, KEYTRACK_CENTS),
            ("volume_db", self.volume_db, VOLUME_DB),
            ("pan", self.pan, PAN),
            ("amp_veltrack", self.amp_veltrack, UNIT),
            ("loop_crossfade", self.loop_crossfade, SECONDS),
            ("delay", self.delay, SECONDS),
            ("rt_decay_db", self.rt_decay_db, RT_DECAY_DB),
            ("rand_lo", self.rand_lo, UNIT),
            ("rand_hi", self.rand_hi, UNIT),
        ];
        let amp = envelope_values(
            ["amp_env.delay", "amp_env.attack", "amp_env.hold", "amp_env.decay", "amp_env.sustain", "amp_env.release", "amp_env.attack_curve", "amp_env.decay_curve", "amp_env.release_curve"],
            &self.amp_env,
        );
        let l = &self.lfo;
        let lfo: [Checked; 6] = [
            ("lfo.frequency_hz", l.frequency_hz, LFO_HZ),
            ("lfo.delay", l.delay, SECONDS),
            ("lfo.fade", l.fade, SECONDS),
            ("lfo.to_pitch_cents", l.to_pitch_cents, LFO_CENTS),
            ("lfo.to_cutoff_cents", l.to_cutoff_cents, LFO_CENTS),
            ("lfo.to_volume_db", l.to_volume_db, LFO_VOLUME_DB),
        ];
        let filter: Option<([Checked; 5], [Checked; 9])> = self.filter.as_ref().map(|f| {
            (
                [
                    ("filter.cutoff_hz", f.cutoff_hz, CUTOFF_HZ),
                    ("filter.resonance_db", f.resonance_db, RESONANCE_DB),
                    ("filter.keytrack_cents", f.keytrack_cents, KEYTRACK_CENTS),
                    ("filter.veltrack_cents", f.veltrack_cents, VELTRACK_CENTS),
                    ("filter.envelope_depth_cents", f.envelope_depth_cents, ENVELOPE_DEPTH_CENTS),
                ],
                envelope_values(
                    ["filter.envelope.delay", "filter.envelope.attack", "filter.envelope.hold", "filter.envelope.decay", "filter.envelope.sustain", "filter.envelope.release", "filter.envelope.attack_curve", "filter.envelope.decay_curve", "filter.envelope.release_curve"],
                    &f.envelope,
                ),
            )
        });
        let filter = filter.iter().flat_map(|(own, env)| own.iter().chain(env));
        for &(field, value, range) in own.iter().chain(&amp).chain(&lfo).chain(filter) {
            // NaN fails both comparisons; so do the infinities (max <= f32::MAX).
            if !(value >= range.0 && value <= range.1) {
                return Err(BadValue { field, value, range });
            }
        }
        Ok(())
    }
}

/// The field names serde's derive gives `T`, read by asking `T` to
/// deserialise from a probe that records them. Deserialisers that read
/// only the fields they are asked for (serde-wasm-bindgen reads a JS
/// object's declared fields, so `deny_unknown_fields` never sees the
/// others) can check an object's keys against these.
#[cfg(feature = "serde")]
pub fn serde_field_names<'de, T: serde::Deserialize<'de>>() -> &'static [&'static str] {
    use serde::de::{self, Visitor};
    struct Probe<'a>(&'a mut &'static [&'static str]);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("field names probed")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Stop {
            Stop
        }
    }
    impl<'de> de::Deserializer<'de> for Probe<'_> {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(self, _: &'static str, fields: &'static [&'static str], _: V) -> Result<V::Value, Stop> {
            *self.0 = fields;
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

/// Equal-power velocity crossfade gain.
fn crossfade_gain(velocity: u8, xfin: (u8, u8), xfout: (u8, u8)) -> f32 {
    let ramp = |v: u8, lo: u8, hi: u8| -> f32 {
        if v <= lo {
            0.0
        } else if v >= hi {
            1.0
        } else {
            f32::from(v - lo) / f32::from(hi - lo)
        }
    };
    let fade_in = if xfin.1 > xfin.0 { ramp(velocity, xfin.0, xfin.1) } else { 1.0 };
    let fade_out = if xfout.1 > xfout.0 { 1.0 - ramp(velocity, xfout.0, xfout.1) } else { 1.0 };
    (fade_in * std::f32::consts::FRAC_PI_2).sin() * (fade_out * std::f32::consts::FRAC_PI_2).sin()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regions come from JS objects: a misspelt or unknown field must be an
    /// error, not silently a default (issue 9, section 3).
    #[cfg(feature = "serde")]
    #[test]
    fn deserialising_rejects_unknown_fields() {
        use serde::de::value::{Error, MapDeserializer};
        use serde::Deserialize;
        let region = |fields: &[(&'static str, u32)]| Region::deserialize(MapDeserializer::<_, Error>::new(fields.iter().copied()));
        let r = region(&[("sample", 2), ("root_key", 64), ("key_hi", 70)]).unwrap();
        assert_eq!((r.sample, r.root_key, r.key_lo, r.key_hi), (2, 64, 0, 70), "the rest defaults");
        let err = region(&[("sample", 2), ("rootKey", 64)]).unwrap_err().to_string();
        assert!(err.contains("unknown field `rootKey`"), "{err}");
        let lfo = |fields: &[(&'static str, f32)]| LfoParams::deserialize(MapDeserializer::<_, Error>::new(fields.iter().copied()));
        assert!(lfo(&[("frequency_hz", 3.0)]).is_ok());
        assert!(lfo(&[("frequency", 3.0)]).unwrap_err().to_string().contains("unknown field `frequency`"));
        let envelope = |fields: &[(&'static str, f32)]| EnvelopeParams::deserialize(MapDeserializer::<_, Error>::new(fields.iter().copied()));
        assert!(envelope(&[("attack", 0.1)]).is_ok());
        assert!(envelope(&[("atack", 0.1)]).is_err());
        let filter = |fields: &[(&'static str, f32)]| FilterParams::deserialize(MapDeserializer::<_, Error>::new(fields.iter().copied()));
        assert!(filter(&[("cutoff", 500.0)]).unwrap_err().to_string().contains("unknown field `cutoff`"));
    }

    #[cfg(feature = "serde")]
    #[test]
    fn field_names_are_probed_from_the_derive() {
        let region = serde_field_names::<Region>();
        assert_eq!(region.len(), 32);
        assert!(region.contains(&"tune_cents") && region.contains(&"amp_env") && region.contains(&"lfo"));
        assert_eq!(serde_field_names::<LfoParams>(), ["frequency_hz", "delay", "fade", "to_pitch_cents", "to_cutoff_cents", "to_volume_db"]);
        assert_eq!(serde_field_names::<EnvelopeParams>().len(), 9);
        assert_eq!(serde_field_names::<FilterParams>().len(), 8);
    }

    #[test]
    fn pitch_follows_key_transpose_tune_and_keytrack() {
        let mut r = Region::new(0, 60);
        assert_eq!(r.pitch_semitones(72), 12.0);
        r.transpose = -12;
        r.tune_cents = 50.0;
        assert_eq!(r.pitch_semitones(72), 0.5);
        r.keytrack_cents = 0.0;
        assert_eq!(r.pitch_semitones(90), -11.5);
    }

    #[test]
    fn velocity_curve_and_veltrack() {
        let mut r = Region::new(0, 60);
        assert_eq!(r.velocity_gain(127), 1.0);
        assert!((r.velocity_gain(64) - (64.0f32 / 127.0).powi(2)).abs() < 1e-6);
        r.amp_veltrack = 0.0;
        assert_eq!(r.velocity_gain(1), 1.0);
        r.volume_db = -6.0;
        assert!((r.velocity_gain(100) - 0.501).abs() < 1e-3);
    }

    #[test]
    fn velocity_crossfades_are_equal_power() {
        let mut soft = Region::new(0, 60);
        soft.amp_veltrack = 0.0;
        soft.xfout = (40, 80);
        let mut loud = soft.clone();
        loud.xfout = (127, 127);
        loud.xfin = (40, 80);
        for v in [1u8, 40, 50, 60, 70, 80, 127] {
            let (a, b) = (soft.velocity_gain(v), loud.velocity_gain(v));
            assert!((a * a + b * b - 1.0).abs() < 1e-5, "velocity {v}: {a} {b}");
        }
        assert_eq!(soft.velocity_gain(30), 1.0);
        assert_eq!(loud.velocity_gain(30), 0.0);
    }
}
