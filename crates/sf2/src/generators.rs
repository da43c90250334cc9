//! Generator semantics (SF2.04 section 8.1 and 9.4): the enumerators with
//! their defaults and ranges, reading one zone's generator list, combining
//! a preset zone with an instrument zone, and the unit conversions.
//!
//! Combination rules, as the spec gives them:
//! - an instrument zone's generators are absolute values; the instrument's
//!   global zone supplies values the zone lacks; the spec default fills the
//!   rest;
//! - a preset zone's generators are offsets added to those values; the
//!   preset's global zone supplies offsets the zone lacks; absent offsets
//!   are 0;
//! - key and velocity ranges are intersected instead of added;
//! - "instrument-only" generators (sample addresses, loop mode, fixed key
//!   and velocity, exclusive class, root key) are ignored at preset level;
//! - the sums are clamped to the spec's range for each generator.
//!
//! Leniencies (the spec says to ignore these; real files contain them):
//! `keyRange`/`velRange` anywhere in a zone are honoured, not only first.

use crate::hydra::GenRecord;

pub(crate) const GEN_COUNT: usize = 61;

/// Generator operators used by the loader.
pub(crate) mod op {
    pub const START_ADDRS_OFFSET: u16 = 0;
    pub const END_ADDRS_OFFSET: u16 = 1;
    pub const STARTLOOP_ADDRS_OFFSET: u16 = 2;
    pub const ENDLOOP_ADDRS_OFFSET: u16 = 3;
    pub const START_ADDRS_COARSE_OFFSET: u16 = 4;
    pub const MOD_LFO_TO_PITCH: u16 = 5;
    pub const VIB_LFO_TO_PITCH: u16 = 6;
    pub const MOD_ENV_TO_PITCH: u16 = 7;
    pub const INITIAL_FILTER_FC: u16 = 8;
    pub const INITIAL_FILTER_Q: u16 = 9;
    pub const MOD_LFO_TO_FILTER_FC: u16 = 10;
    pub const MOD_ENV_TO_FILTER_FC: u16 = 11;
    pub const END_ADDRS_COARSE_OFFSET: u16 = 12;
    pub const MOD_LFO_TO_VOLUME: u16 = 13;
    pub const PAN: u16 = 17;
    pub const DELAY_MOD_LFO: u16 = 21;
    pub const FREQ_MOD_LFO: u16 = 22;
    pub const DELAY_VIB_LFO: u16 = 23;
    pub const FREQ_VIB_LFO: u16 = 24;
    pub const DELAY_MOD_ENV: u16 = 25;
    pub const KEYNUM_TO_MOD_ENV_HOLD: u16 = 31;
    pub const KEYNUM_TO_MOD_ENV_DECAY: u16 = 32;
    pub const DELAY_VOL_ENV: u16 = 33;
    pub const KEYNUM_TO_VOL_ENV_HOLD: u16 = 39;
    pub const KEYNUM_TO_VOL_ENV_DECAY: u16 = 40;
    pub const INSTRUMENT: u16 = 41;
    pub const KEY_RANGE: u16 = 43;
    pub const VEL_RANGE: u16 = 44;
    pub const STARTLOOP_ADDRS_COARSE_OFFSET: u16 = 45;
    pub const KEYNUM: u16 = 46;
    pub const VELOCITY: u16 = 47;
    pub const INITIAL_ATTENUATION: u16 = 48;
    pub const ENDLOOP_ADDRS_COARSE_OFFSET: u16 = 50;
    pub const COARSE_TUNE: u16 = 51;
    pub const FINE_TUNE: u16 = 52;
    pub const SAMPLE_ID: u16 = 53;
    pub const SAMPLE_MODES: u16 = 54;
    pub const SCALE_TUNING: u16 = 56;
    pub const EXCLUSIVE_CLASS: u16 = 57;
    pub const OVERRIDING_ROOT_KEY: u16 = 58;
}

/// Offsets of the envelope generators from the envelope's delay generator:
/// delay, attack, hold, decay, sustain, release.
pub(crate) const ENV_DELAY: u16 = 0;
pub(crate) const ENV_ATTACK: u16 = 1;
pub(crate) const ENV_HOLD: u16 = 2;
pub(crate) const ENV_DECAY: u16 = 3;
pub(crate) const ENV_SUSTAIN: u16 = 4;
pub(crate) const ENV_RELEASE: u16 = 5;

const FREE: (i32, i32) = (i16::MIN as i32, i16::MAX as i32);

/// Name, default, (min, max) per operator.
const INFO: [(&str, i32, (i32, i32)); GEN_COUNT] = [
    ("startAddrsOffset", 0, FREE),
    ("endAddrsOffset", 0, FREE),
    ("startloopAddrsOffset", 0, FREE),
    ("endloopAddrsOffset", 0, FREE),
    ("startAddrsCoarseOffset", 0, FREE),
    ("modLfoToPitch", 0, (-12000, 12000)),
    ("vibLfoToPitch", 0, (-12000, 12000)),
    ("modEnvToPitch", 0, (-12000, 12000)),
    ("initialFilterFc", 13500, (1500, 13500)),
    ("initialFilterQ", 0, (0, 960)),
    ("modLfoToFilterFc", 0, (-12000, 12000)),
    ("modEnvToFilterFc", 0, (-12000, 12000)),
    ("endAddrsCoarseOffset", 0, FREE),
    ("modLfoToVolume", 0, (-960, 960)),
    ("unused1", 0, FREE),
    ("chorusEffectsSend", 0, (0, 1000)),
    ("reverbEffectsSend", 0, (0, 1000)),
    ("pan", 0, (-500, 500)),
    ("unused2", 0, FREE),
    ("unused3", 0, FREE),
    ("unused4", 0, FREE),
    ("delayModLFO", -12000, (-12000, 5000)),
    ("freqModLFO", 0, (-16000, 4500)),
    ("delayVibLFO", -12000, (-12000, 5000)),
    ("freqVibLFO", 0, (-16000, 4500)),
    ("delayModEnv", -12000, (-12000, 5000)),
    ("attackModEnv", -12000, (-12000, 8000)),
    ("holdModEnv", -12000, (-12000, 5000)),
    ("decayModEnv", -12000, (-12000, 8000)),
    ("sustainModEnv", 0, (0, 1000)),
    ("releaseModEnv", -12000, (-12000, 8000)),
    ("keynumToModEnvHold", 0, (-1200, 1200)),
    ("keynumToModEnvDecay", 0, (-1200, 1200)),
    ("delayVolEnv", -12000, (-12000, 5000)),
    ("attackVolEnv", -12000, (-12000, 8000)),
    ("holdVolEnv", -12000, (-12000, 5000)),
    ("decayVolEnv", -12000, (-12000, 8000)),
    ("sustainVolEnv", 0, (0, 1440)),
    ("releaseVolEnv", -12000, (-12000, 8000)),
    ("keynumToVolEnvHold", 0, (-1200, 1200)),
    ("keynumToVolEnvDecay", 0, (-1200, 1200)),
    ("instrument", 0, FREE),
    ("reserved1", 0, FREE),
    ("keyRange", 0, FREE),
    ("velRange", 0, FREE),
    ("startloopAddrsCoarseOffset", 0, FREE),
    ("keynum", -1, (-1, 127)),
    ("velocity", -1, (-1, 127)),
    ("initialAttenuation", 0, (0, 1440)),
    ("reserved2", 0, FREE),
    ("endloopAddrsCoarseOffset", 0, FREE),
    ("coarseTune", 0, (-120, 120)),
    ("fineTune", 0, (-99, 99)),
    ("sampleID", 0, FREE),
    ("sampleModes", 0, (0, 3)),
    ("reserved3", 0, FREE),
    ("scaleTuning", 100, (0, 1200)),
    ("exclusiveClass", 0, (0, 127)),
    ("overridingRootKey", -1, (-1, 127)),
    ("unused5", 0, FREE),
    ("endOper", 0, FREE),
];

pub(crate) fn name(oper: u16) -> String {
    match INFO.get(usize::from(oper)) {
        Some(info) => info.0.to_string(),
        None => format!("generator {oper}"),
    }
}

/// What a generator does, in words for people who do not know the SF2
/// spec, followed by its spec name: "the vibrato's speed (freqVibLFO)".
/// Only generators with a range the loader clamps have words of their own.
pub(crate) fn described(oper: u16) -> String {
    let words = match oper {
        5 => "how far the modulation LFO bends the pitch",
        6 => "vibrato depth",
        7 => "how far the modulation envelope bends the pitch",
        8 => "the filter's cutoff",
        9 => "the filter's resonance",
        10 => "how far the modulation LFO moves the filter",
        11 => "how far the modulation envelope moves the filter",
        13 => "tremolo depth",
        15 => "chorus amount",
        16 => "reverb amount",
        17 => "pan",
        21 => "the modulation LFO's delay",
        22 => "the modulation LFO's speed",
        23 => "the vibrato's delay",
        24 => "the vibrato's speed",
        25 => "the modulation envelope's delay",
        26 => "the modulation envelope's attack",
        27 => "the modulation envelope's hold",
        28 => "the modulation envelope's decay",
        29 => "the modulation envelope's sustain level",
        30 => "the modulation envelope's release",
        31 => "how the key changes the modulation envelope's hold",
        32 => "how the key changes the modulation envelope's decay",
        33 => "the volume envelope's delay",
        34 => "the volume envelope's attack",
        35 => "the volume envelope's hold",
        36 => "the volume envelope's decay",
        37 => "the volume envelope's sustain level",
        38 => "the volume envelope's release",
        39 => "how the key changes the volume envelope's hold",
        40 => "how the key changes the volume envelope's decay",
        46 => "the fixed key",
        47 => "the fixed velocity",
        48 => "attenuation, how much quieter the sound plays",
        51 => "tuning in semitones",
        52 => "tuning in cents",
        54 => "the loop mode",
        56 => "how much the pitch follows the key",
        57 => "the exclusive group",
        58 => "the root key",
        _ => return name(oper),
    };
    format!("{words} ({})", name(oper))
}

pub(crate) fn default_value(oper: u16) -> i32 {
    INFO.get(usize::from(oper)).map_or(0, |i| i.1)
}

/// Unused, reserved or past the end of the SF2.04 list.
fn is_unknown(oper: u16) -> bool {
    matches!(oper, 14 | 18 | 19 | 20 | 42 | 49 | 55 | 59) || oper >= 60
}

/// Generators that only make sense on an instrument zone; the spec says a
/// preset zone's values for them are ignored.
fn instrument_only(oper: u16) -> bool {
    matches!(oper, 0..=4 | 12 | 45..=47 | 50 | 53 | 54 | 57 | 58)
}

/// The generators one zone sets (the last value wins for repeats).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GenSet {
    values: [u16; GEN_COUNT],
    set: u64,
}

impl Default for GenSet {
    fn default() -> Self {
        GenSet {
            values: [0; GEN_COUNT],
            set: 0,
        }
    }
}

impl GenSet {
    pub fn set(&mut self, oper: u16, amount: u16) {
        if let Some(v) = self.values.get_mut(usize::from(oper)) {
            *v = amount;
            self.set |= 1 << oper;
        }
    }

    pub fn raw(&self, oper: u16) -> Option<u16> {
        (usize::from(oper) < GEN_COUNT && self.set & (1 << oper) != 0)
            .then(|| self.values[usize::from(oper)])
    }

    /// Signed amount.
    pub fn get(&self, oper: u16) -> Option<i32> {
        self.raw(oper).map(|v| i32::from(v as i16))
    }

    /// A key or velocity range, lo and hi (clamped to 0..=127, in order).
    pub fn range(&self, oper: u16) -> Option<(u8, u8)> {
        self.raw(oper).map(|v| {
            let (a, b) = ((v & 0xff).min(127) as u8, (v >> 8).min(127) as u8);
            (a.min(b), a.max(b))
        })
    }
}

/// A zone's generators and the instrument or sample it points to (None
/// for a global zone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Zone {
    pub gens: GenSet,
    pub link: Option<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    Preset,
    Instrument,
}

/// Reads one zone's generator list. The link generator (`instrument` on a
/// preset zone, `sampleID` on an instrument zone) ends the list: anything
/// after it is ignored, as the spec requires. Oddities go to `notes`.
pub(crate) fn read_zone(records: &[GenRecord], level: Level, notes: &mut Vec<String>) -> Zone {
    let link_oper = match level {
        Level::Preset => op::INSTRUMENT,
        Level::Instrument => op::SAMPLE_ID,
    };
    let mut zone = Zone::default();
    for (i, g) in records.iter().enumerate() {
        if g.oper == link_oper {
            zone.link = Some(g.amount);
            if i + 1 < records.len() {
                let n = records.len() - i - 1;
                notes.push(format!(
                    "{n} generator{} after {} ignored",
                    if n == 1 { "" } else { "s" },
                    name(link_oper)
                ));
            }
            break;
        }
        if is_unknown(g.oper) {
            notes.push(format!(
                "unknown {} ignored",
                if g.oper >= 60 {
                    name(g.oper)
                } else {
                    format!("generator {} ({})", g.oper, name(g.oper))
                }
            ));
            continue;
        }
        if g.oper == op::INSTRUMENT || g.oper == op::SAMPLE_ID {
            notes.push(format!(
                "{} on a {} zone ignored",
                name(g.oper),
                if level == Level::Preset {
                    "preset"
                } else {
                    "instrument"
                }
            ));
            continue;
        }
        if level == Level::Preset && instrument_only(g.oper) {
            notes.push(format!(
                "instrument-only generator {} on a preset zone ignored",
                name(g.oper)
            ));
            continue;
        }
        zone.gens.set(g.oper, g.amount);
    }
    zone
}

/// The values that drive one region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Combined {
    values: [i32; GEN_COUNT],
    pub key: (u8, u8),
    pub vel: (u8, u8),
    /// Operators whose sum was outside the spec range and was clamped.
    pub clamped: Vec<u16>,
}

impl Combined {
    pub fn get(&self, oper: u16) -> i32 {
        self.values.get(usize::from(oper)).copied().unwrap_or(0)
    }
}

/// Combines an instrument zone (with its instrument's global zone) and a
/// preset zone (with its preset's global zone). None when the key or
/// velocity ranges do not overlap.
pub(crate) fn combine(
    inst_global: &GenSet,
    inst: &GenSet,
    preset_global: &GenSet,
    preset: &GenSet,
) -> Option<Combined> {
    let range = |oper: u16| -> Option<(u8, u8)> {
        let i = inst
            .range(oper)
            .or(inst_global.range(oper))
            .unwrap_or((0, 127));
        let p = preset
            .range(oper)
            .or(preset_global.range(oper))
            .unwrap_or((0, 127));
        let (lo, hi) = (i.0.max(p.0), i.1.min(p.1));
        (lo <= hi).then_some((lo, hi))
    };
    let key = range(op::KEY_RANGE)?;
    let vel = range(op::VEL_RANGE)?;
    let mut values = [0i32; GEN_COUNT];
    let mut clamped = Vec::new();
    for oper in 0..GEN_COUNT as u16 {
        if matches!(
            oper,
            op::KEY_RANGE | op::VEL_RANGE | op::INSTRUMENT | op::SAMPLE_ID
        ) {
            continue; // ranges are intersected above; links are not values
        }
        let absolute = inst
            .get(oper)
            .or(inst_global.get(oper))
            .unwrap_or_else(|| default_value(oper));
        let offset = preset.get(oper).or(preset_global.get(oper)).unwrap_or(0);
        let sum = absolute + offset;
        let (lo, hi) = INFO[usize::from(oper)].2;
        let v = sum.clamp(lo, hi);
        if v != sum {
            clamped.push(oper);
        }
        values[usize::from(oper)] = v;
    }
    Some(Combined {
        values,
        key,
        vel,
        clamped,
    })
}

// ---- Unit conversions ----

/// Timecents → seconds: `2^(tc / 1200)` (1200 timecents per doubling;
/// 0 is one second).
pub(crate) fn timecents_to_seconds(tc: f32) -> f32 {
    (tc / 1200.0).exp2()
}

/// Absolute cents → Hz: `8.176 Hz × 2^(c / 1200)` (0 cents is MIDI key 0,
/// 8.176 Hz; 6900 cents is 440 Hz).
pub(crate) fn absolute_cents_to_hz(cents: f32) -> f32 {
    8.176 * (cents / 1200.0).exp2()
}

/// Centibels of attenuation → linear gain: `10^(-cB / 200)`
/// (10 cB = 1 dB; 60 cB halves the amplitude).
pub(crate) fn centibels_to_gain(cb: f32) -> f32 {
    10f32.powf(-cb / 200.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::gen;

    fn zone(records: &[(u16, u16)], level: Level) -> (Zone, Vec<String>) {
        let recs: Vec<GenRecord> = records
            .iter()
            .map(|&(oper, amount)| GenRecord { oper, amount })
            .collect();
        let mut notes = Vec::new();
        (read_zone(&recs, level, &mut notes), notes)
    }

    #[test]
    fn conversions() {
        assert_eq!(timecents_to_seconds(0.0), 1.0);
        assert_eq!(timecents_to_seconds(1200.0), 2.0);
        assert!((timecents_to_seconds(-12000.0) - 0.000_976_562_5).abs() < 1e-9);
        // The spec's 8.176 Hz is rounded: 6900 cents comes out 0.01 Hz sharp.
        assert!((absolute_cents_to_hz(6900.0) - 440.0).abs() < 0.02);
        assert!((absolute_cents_to_hz(13500.0) - 19_912.0).abs() < 2.0);
        assert_eq!(centibels_to_gain(0.0), 1.0);
        assert!((centibels_to_gain(200.0) - 0.1).abs() < 1e-6);
    }

    #[test]
    fn zone_reading_stops_at_the_link_and_drops_odd_generators() {
        let (z, notes) = zone(
            &[
                gen::key(10, 20),
                gen::i(17, -250),
                (99, 5),
                (14, 1),
                gen::sample(3),
                gen::i(48, 100),
            ],
            Level::Instrument,
        );
        assert_eq!(z.link, Some(3));
        assert_eq!(z.gens.range(op::KEY_RANGE), Some((10, 20)));
        assert_eq!(z.gens.get(op::PAN), Some(-250));
        assert_eq!(z.gens.get(op::INITIAL_ATTENUATION), None);
        assert_eq!(
            notes,
            vec![
                "unknown generator 99 ignored".to_string(),
                "unknown generator 14 (unused1) ignored".to_string(),
                "1 generator after sampleID ignored".to_string()
            ]
        );
        let (z, notes) = zone(
            &[gen::i(54, 1), gen::i(51, 12), gen::instrument(2)],
            Level::Preset,
        );
        assert_eq!(z.link, Some(2));
        assert_eq!(z.gens.get(op::SAMPLE_MODES), None);
        assert_eq!(z.gens.get(op::COARSE_TUNE), Some(12));
        assert_eq!(
            notes,
            vec!["instrument-only generator sampleModes on a preset zone ignored".to_string()]
        );
        let (z, _) = zone(&[gen::i(48, 10), gen::i(48, 20)], Level::Instrument);
        assert_eq!(z.link, None);
        assert_eq!(z.gens.get(48), Some(20));
    }

    #[test]
    fn ranges_are_ordered_and_clamped() {
        let mut g = GenSet::default();
        g.set(op::KEY_RANGE, 0x1040); // lo 0x40, hi 0x10: reversed
        assert_eq!(g.range(op::KEY_RANGE), Some((16, 64)));
        g.set(op::VEL_RANGE, 0xff00);
        assert_eq!(g.range(op::VEL_RANGE), Some((0, 127)));
        g.set(200, 1); // ignored, no panic
        assert_eq!(g.get(200), None);
    }

    #[test]
    fn combination_follows_the_spec() {
        let mut ig = GenSet::default();
        ig.set(op::PAN, 100);
        ig.set(op::INITIAL_ATTENUATION, 50);
        ig.set(op::KEY_RANGE, 0x4000); // 0..64
        let mut iz = GenSet::default();
        iz.set(op::INITIAL_ATTENUATION, 80); // overrides the global 50
        iz.set(op::SCALE_TUNING, 50);
        let mut pg = GenSet::default();
        pg.set(op::INITIAL_ATTENUATION, 20); // offset
        pg.set(op::KEY_RANGE, 0x7f30); // 48..127
        let mut pz = GenSet::default();
        pz.set(op::PAN, 500); // 100 + 500 clamps to 500
        let c = combine(&ig, &iz, &pg, &pz).unwrap();
        assert_eq!(c.get(op::INITIAL_ATTENUATION), 100);
        assert_eq!(c.get(op::PAN), 500);
        assert_eq!(c.get(op::SCALE_TUNING), 50);
        assert_eq!(c.get(op::INITIAL_FILTER_FC), 13500);
        assert_eq!(c.get(op::OVERRIDING_ROOT_KEY), -1);
        assert_eq!(c.key, (48, 64));
        assert_eq!(c.vel, (0, 127));
        assert_eq!(c.clamped, vec![op::PAN]);

        pz.set(op::KEY_RANGE, 0x7f41); // 65..127: no overlap with 0..64
        assert_eq!(combine(&ig, &iz, &pg, &pz), None);
    }

    #[test]
    fn names_and_defaults() {
        assert_eq!(name(op::INITIAL_FILTER_FC), "initialFilterFc");
        assert_eq!(name(op::OVERRIDING_ROOT_KEY), "overridingRootKey");
        assert_eq!(name(77), "generator 77");
        assert_eq!(default_value(op::DELAY_VOL_ENV + ENV_RELEASE), -12000);
        assert_eq!(default_value(op::SCALE_TUNING), 100);
        assert_eq!(name(op::DELAY_MOD_ENV + ENV_SUSTAIN), "sustainModEnv");
        assert_eq!(name(op::DELAY_VOL_ENV + ENV_HOLD), "holdVolEnv");
    }

    #[test]
    fn every_clamped_generator_is_described_in_words() {
        for oper in 0..GEN_COUNT as u16 {
            if INFO[usize::from(oper)].2 != FREE {
                assert_ne!(described(oper), name(oper), "{} has no words", name(oper));
            }
        }
        assert_eq!(
            described(op::DELAY_MOD_LFO),
            "the modulation LFO's delay (delayModLFO)"
        );
        assert_eq!(
            described(op::INITIAL_ATTENUATION),
            "attenuation, how much quieter the sound plays (initialAttenuation)"
        );
        assert_eq!(described(op::INSTRUMENT), "instrument");
    }
}
