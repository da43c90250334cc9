//! The instrument model: samples, the regions that map notes to them, and
//! voice limits.

use crate::region::Region;
use crate::sample::Sample;

/// A playable instrument. Built off the audio thread and swapped in whole.
#[derive(Clone, Debug)]
pub struct Instrument {
    pub samples: Vec<Sample>,
    pub regions: Vec<Region>,
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
        }
    }
}

impl std::error::Error for InstrumentError {}

impl Instrument {
    /// Checks that every region is playable.
    pub fn new(samples: Vec<Sample>, regions: Vec<Region>) -> Result<Instrument, InstrumentError> {
        Self::check_regions(&regions, |i| samples.get(i).map(Sample::frames))?;
        Ok(Instrument { samples, regions, polyphony: None, note_polyphony: None, keyswitch_range: None, keyswitch_default: None })
    }

    /// The checks of [`Instrument::new`], given only each sample's length
    /// (`sample_frames(index)`, None for no such sample): a loader can
    /// refuse bad regions before it hands over any sample data.
    pub fn check_regions(regions: &[Region], sample_frames: impl Fn(usize) -> Option<usize>) -> Result<(), InstrumentError> {
        for (i, r) in regions.iter().enumerate() {
            let Some(frames) = sample_frames(r.sample) else {
                return Err(InstrumentError::RegionSampleMissing { region: i, sample: r.sample });
            };
            if r.key_lo > r.key_hi || r.key_hi > 127 || r.vel_lo > r.vel_hi || r.vel_hi > 127 || r.root_key > 127 {
                return Err(InstrumentError::BadRange { region: i });
            }
            let wants_loop = matches!(r.loop_mode, crate::region::LoopMode::Continuous | crate::region::LoopMode::Sustain);
            if wants_loop && !r.loops(frames) {
                return Err(InstrumentError::BadLoop { region: i, start: r.loop_start, end: r.loop_end, frames });
            }
        }
        Ok(())
    }

    /// Bytes of sample memory held.
    pub fn memory_bytes(&self) -> usize {
        self.samples.iter().map(Sample::memory_bytes).sum()
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
}
