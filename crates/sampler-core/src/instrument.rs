//! The instrument model: samples, the regions that map notes to them, and
//! voice limits.

use crate::instrument_builder::{InstrumentBuilder, KeyIndex};
use crate::region::{BadValue, Region, Trigger};
use crate::sample::Sample;

/// A playable instrument. Built off the render path and swapped in whole.
/// Its samples and regions are fixed once checked ([`Instrument::new`]), so
/// the regions indexed by key always match them.
#[derive(Clone, Debug)]
pub struct Instrument {
    samples: Vec<Sample>,
    regions: Vec<Region>,
    /// Attack and release regions by key, for note-on and note-off.
    attack: KeyIndex,
    release: KeyIndex,
    /// Per region, what a note-on checks, packed.
    selectors: Vec<Selector>,
    /// Voices this instrument may sound at once (None: the engine's cap).
    pub polyphony: Option<usize>,
    /// Voices one key may sound at once on a channel (None: no limit).
    pub note_polyphony: Option<usize>,
    /// `sw_lokey`..`sw_hikey`: keys that select articulations (`sw_last`)
    /// instead of playing, and `sw_default`, the one selected at first.
    pub keyswitch_range: Option<(u8, u8)>,
    pub keyswitch_default: Option<u8>,
}

/// Why an instrument was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum InstrumentError {
    RegionSampleMissing { region: usize, sample: usize },
    BadRange { region: usize },
    BadLoop { region: usize, start: u32, end: u32, frames: usize },
    /// A number that is not finite or outside its range in
    /// [`crate::region::limits`].
    BadValue { region: usize, problem: BadValue },
    /// More than [`Instrument::MAX_REGIONS`] regions.
    TooManyRegions(usize),
    /// The per-key lists (`entries` region indices) could not be allocated.
    TooLarge { entries: usize },
}

impl std::fmt::Display for InstrumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstrumentError::RegionSampleMissing { region, sample } => {
                write!(f, "region {region} refers to sample {sample}, which does not exist")
            }
            InstrumentError::BadRange { region } => {
                write!(f, "region {region} has an empty or out-of-range key or velocity range")
            }
            InstrumentError::BadLoop { region, start, end, frames } => {
                write!(f, "region {region} loops {start}..{end} in a sample of {frames} frames")
            }
            InstrumentError::BadValue { region, problem } => write!(f, "region {region}: {problem}"),
            InstrumentError::TooManyRegions(n) => write!(f, "{n} regions; an instrument holds at most {}", Instrument::MAX_REGIONS),
            InstrumentError::TooLarge { entries } => write!(f, "its per-key region lists ({entries} entries) do not fit in memory"),
        }
    }
}

impl std::error::Error for InstrumentError {}

impl Instrument {
    /// The most regions an instrument holds: the per-key lists count their
    /// entries (at most 128 a region) in `u32`. (SFZ files stop at 100,000.)
    pub const MAX_REGIONS: usize = (u32::MAX / 128) as usize;

    /// Checks that every region is playable: its sample exists, its key
    /// and velocity ranges and loop fit, and every number is finite and in
    /// its range ([`Region::check_values`]).
    pub fn new(samples: Vec<Sample>, regions: Vec<Region>) -> Result<Instrument, InstrumentError> {
        let mut builder = InstrumentBuilder::new(samples, regions)?;
        builder.step(usize::MAX)?;
        Ok(builder.finish().unwrap_or_else(|_| unreachable!("an unlimited step finishes the build")))
    }

    /// The parts an [`InstrumentBuilder`] checked and indexed.
    pub(crate) fn from_built(samples: Vec<Sample>, regions: Vec<Region>, attack: KeyIndex, release: KeyIndex, selectors: Vec<Selector>) -> Instrument {
        Instrument {
            samples,
            regions,
            attack,
            release,
            selectors,
            polyphony: None,
            note_polyphony: None,
            keyswitch_range: None,
            keyswitch_default: None,
        }
    }

    /// The checks of [`Instrument::new`], given only each sample's length
    /// (`sample_frames(index)`, None for no such sample): a loader can
    /// refuse bad regions before it hands over any sample data.
    pub fn check_regions(regions: &[Region], sample_frames: impl Fn(usize) -> Option<usize>) -> Result<(), InstrumentError> {
        if regions.len() > Self::MAX_REGIONS {
            return Err(InstrumentError::TooManyRegions(regions.len()));
        }
        for (i, r) in regions.iter().enumerate() {
            Self::check_region(i, r, &sample_frames)?;
        }
        Ok(())
    }

    /// The checks of one region, `i` of its instrument.
    pub(crate) fn check_region(i: usize, r: &Region, sample_frames: impl Fn(usize) -> Option<usize>) -> Result<(), InstrumentError> {
        let Some(frames) = sample_frames(r.sample) else {
            return Err(InstrumentError::RegionSampleMissing { region: i, sample: r.sample });
        };
        if r.key_lo > r.key_hi || r.key_hi > 127 || r.vel_lo > r.vel_hi || r.vel_hi > 127 || r.root_key > 127 {
            return Err(InstrumentError::BadRange { region: i });
        }
        r.check_values().map_err(|problem| InstrumentError::BadValue { region: i, problem })?;
        let wants_loop = matches!(r.loop_mode, crate::region::LoopMode::Continuous | crate::region::LoopMode::Sustain);
        if wants_loop && !r.loops(frames) {
            return Err(InstrumentError::BadLoop { region: i, start: r.loop_start, end: r.loop_end, frames });
        }
        Ok(())
    }

    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// What a note-on checks of each region (by region index).
    pub fn selectors(&self) -> &[Selector] {
        &self.selectors
    }

    /// Indices of the regions `trigger` plays on `key` (any velocity), in
    /// region order.
    pub fn regions_on_key(&self, trigger: Trigger, key: u8) -> &[u32] {
        match trigger {
            Trigger::Attack => self.attack.get(key),
            Trigger::Release => self.release.get(key),
        }
    }

    /// The samples, giving up the rest (for freeing them a few at a time
    /// outside the render: a sample's storage can be large).
    pub fn into_samples(self) -> Vec<Sample> {
        self.samples
    }

    /// Bytes of sample memory held.
    pub fn memory_bytes(&self) -> usize {
        self.samples.iter().map(Sample::memory_bytes).sum()
    }
}

/// The fields of a region a note-on checks to choose it, 16 bytes: a key
/// with many regions is examined through contiguous memory instead of
/// whole regions (100,000 regions of a key cost cache misses for 20 MB).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Selector {
    pub vel_lo: u8,
    pub vel_hi: u8,
    pub seq_length: u8,
    pub seq_position: u8,
    pub sw_last: Option<u8>,
    pub rand_lo: f32,
    pub rand_hi: f32,
}

impl Selector {
    pub(crate) fn of(r: &Region) -> Selector {
        Selector {
            vel_lo: r.vel_lo,
            vel_hi: r.vel_hi,
            seq_length: r.seq_length,
            seq_position: r.seq_position,
            sw_last: r.sw_last,
            rand_lo: r.rand_lo,
            rand_hi: r.rand_hi,
        }
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::LoopMode;

    #[test]
    fn refuses_unplayable_regions() {
        let s = Sample::new(vec![vec![0.0; 100]], 44100.0).unwrap();
        assert!(Instrument::new(vec![s.clone()], vec![Region::new(0, 60)]).is_ok());
        assert_eq!(
            Instrument::new(vec![s.clone()], vec![Region::new(1, 60)]).unwrap_err(),
            InstrumentError::RegionSampleMissing { region: 0, sample: 1 }
        );
        let mut r = Region::new(0, 60);
        r.key_lo = 70;
        r.key_hi = 60;
        assert_eq!(Instrument::new(vec![s.clone()], vec![r]).unwrap_err(), InstrumentError::BadRange { region: 0 });
        let mut r = Region::new(0, 60);
        r.loop_mode = LoopMode::Continuous;
        r.loop_start = 50;
        r.loop_end = 150;
        assert_eq!(
            Instrument::new(vec![s], vec![r]).unwrap_err(),
            InstrumentError::BadLoop { region: 0, start: 50, end: 150, frames: 100 }
        );
    }

    /// Every float of a region, with a setter: each must refuse NaN and the
    /// infinities, naming the region, the field and the value.
    #[allow(clippy::type_complexity)]
    fn float_fields() -> Vec<(&'static str, Box<dyn Fn(&mut Region, f32)>)> {
        use crate::region::{EnvelopeParams, FilterParams};
        fn with_filter(r: &mut Region) -> &mut FilterParams {
            r.filter.get_or_insert(FilterParams::low_pass(1000.0))
        }
        fn envelope(prefix: &'static str, get: fn(&mut Region) -> &mut EnvelopeParams) -> Vec<(&'static str, Box<dyn Fn(&mut Region, f32)>)> {
            let fields: [(&'static str, fn(&mut EnvelopeParams) -> &mut f32); 9] = [
                ("delay", |e| &mut e.delay),
                ("attack", |e| &mut e.attack),
                ("hold", |e| &mut e.hold),
                ("decay", |e| &mut e.decay),
                ("sustain", |e| &mut e.sustain),
                ("release", |e| &mut e.release),
                ("attack_curve", |e| &mut e.attack_curve),
                ("decay_curve", |e| &mut e.decay_curve),
                ("release_curve", |e| &mut e.release_curve),
            ];
            fields
                .into_iter()
                .map(|(name, field)| {
                    let name: &'static str = Box::leak(format!("{prefix}.{name}").into_boxed_str());
                    (name, Box::new(move |r: &mut Region, x: f32| *field(get(r)) = x) as Box<dyn Fn(&mut Region, f32)>)
                })
                .collect()
        }
        let mut v: Vec<(&'static str, Box<dyn Fn(&mut Region, f32)>)> = vec![
            ("tune_cents", Box::new(|r, x| r.tune_cents = x)),
            ("keytrack_cents", Box::new(|r, x| r.keytrack_cents = x)),
            ("volume_db", Box::new(|r, x| r.volume_db = x)),
            ("pan", Box::new(|r, x| r.pan = x)),
            ("amp_veltrack", Box::new(|r, x| r.amp_veltrack = x)),
            ("loop_crossfade", Box::new(|r, x| r.loop_crossfade = x)),
            ("delay", Box::new(|r, x| r.delay = x)),
            ("rt_decay_db", Box::new(|r, x| r.rt_decay_db = x)),
            ("rand_lo", Box::new(|r, x| r.rand_lo = x)),
            ("rand_hi", Box::new(|r, x| r.rand_hi = x)),
            ("lfo.frequency_hz", Box::new(|r, x| r.lfo.frequency_hz = x)),
            ("lfo.delay", Box::new(|r, x| r.lfo.delay = x)),
            ("lfo.fade", Box::new(|r, x| r.lfo.fade = x)),
            ("lfo.to_pitch_cents", Box::new(|r, x| r.lfo.to_pitch_cents = x)),
            ("lfo.to_cutoff_cents", Box::new(|r, x| r.lfo.to_cutoff_cents = x)),
            ("lfo.to_volume_db", Box::new(|r, x| r.lfo.to_volume_db = x)),
            ("filter.cutoff_hz", Box::new(|r, x| with_filter(r).cutoff_hz = x)),
            ("filter.resonance_db", Box::new(|r, x| with_filter(r).resonance_db = x)),
            ("filter.keytrack_cents", Box::new(|r, x| with_filter(r).keytrack_cents = x)),
            ("filter.veltrack_cents", Box::new(|r, x| with_filter(r).veltrack_cents = x)),
            ("filter.envelope_depth_cents", Box::new(|r, x| with_filter(r).envelope_depth_cents = x)),
        ];
        v.extend(envelope("amp_env", |r| &mut r.amp_env));
        v.extend(envelope("filter.envelope", |r| &mut with_filter(r).envelope));
        v
    }

    #[test]
    fn regions_are_listed_by_key_and_trigger() {
        let s = Sample::new(vec![vec![0.0; 100]], 44100.0).unwrap();
        let region = |lo: u8, hi: u8, trigger: Trigger| {
            let mut r = Region::new(0, 60);
            (r.key_lo, r.key_hi, r.trigger) = (lo, hi, trigger);
            r
        };
        let inst = Instrument::new(
            vec![s],
            vec![
                region(0, 127, Trigger::Attack),
                region(60, 62, Trigger::Attack),
                region(61, 61, Trigger::Release),
                region(62, 127, Trigger::Attack),
                region(127, 127, Trigger::Release),
            ],
        )
        .unwrap();
        let attack = |k| inst.regions_on_key(Trigger::Attack, k).to_vec();
        let release = |k| inst.regions_on_key(Trigger::Release, k).to_vec();
        assert_eq!((attack(0), attack(59), attack(60), attack(61)), (vec![0], vec![0], vec![0, 1], vec![0, 1]));
        assert_eq!((attack(62), attack(63), attack(127)), (vec![0, 1, 3], vec![0, 3], vec![0, 3]));
        assert_eq!((release(60), release(61), release(62), release(127)), (vec![], vec![2], vec![], vec![4]));
        // Keys 0..=59 share one span: the full-range region is stored once for them.
        assert!(inst.attack.regions.len() < 10, "{:?}", inst.attack.regions);
    }

    #[test]
    fn refuses_every_non_finite_float_naming_region_field_and_value() {
        let s = Sample::new(vec![vec![0.0; 100]], 44100.0).unwrap();
        let fields = float_fields();
        assert_eq!(fields.len(), 10 + 6 + 5 + 9 + 9, "every f32 of Region and its nested structs");
        for (field, set) in &fields {
            for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                let mut r = Region::new(0, 60);
                set(&mut r, bad);
                let regions = vec![Region::new(0, 60), r];
                match Instrument::new(vec![s.clone()], regions) {
                    Err(e @ InstrumentError::BadValue { region: 1, .. }) => {
                        let InstrumentError::BadValue { problem, .. } = &e else { unreachable!() };
                        assert_eq!(problem.field, *field);
                        let text = e.to_string();
                        assert!(text.starts_with(&format!("region 1: {field} is {bad}; it must be a finite number")), "{text}");
                    }
                    other => panic!("{field} = {bad}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn refuses_values_out_of_range_and_keeps_the_edges() {
        let s = Sample::new(vec![vec![0.0; 100]], 44100.0).unwrap();
        let check = |f: &dyn Fn(&mut Region)| {
            let mut r = Region::new(0, 60);
            f(&mut r);
            Instrument::new(vec![s.clone()], vec![r]).map(|_| ()).map_err(|e| e.to_string())
        };
        assert_eq!(check(&|r| r.volume_db = 48.0), Ok(()));
        assert_eq!(check(&|r| r.volume_db = 48.5), Err("region 0: volume_db is 48.5; it must be a finite number in -200..=48".into()));
        assert_eq!(check(&|r| r.pan = -1.01), Err("region 0: pan is -1.01; it must be a finite number in -1..=1".into()));
        assert_eq!(check(&|r| r.amp_env.release = -0.1), Err("region 0: amp_env.release is -0.1; it must be a finite number of at least 0".into()));
        assert_eq!(check(&|r| r.amp_env.release = 1e30), Ok(()));
        assert_eq!(check(&|r| r.tune_cents = 152_627.0), Ok(()), "an SF2 fixed-keynum fold");
        assert_eq!(check(&|r| r.amp_env.sustain = 1.5).unwrap_err(), "region 0: amp_env.sustain is 1.5; it must be a finite number in 0..=1");
    }
}
