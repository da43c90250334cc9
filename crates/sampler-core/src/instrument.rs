//! The instrument model: samples and the zones that map notes to them.

use crate::sample::Sample;

/// Which sample plays for a key and velocity range, and how.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Zone {
    pub sample: usize,
    /// The MIDI key at which the sample plays at its recorded pitch.
    pub root_key: u8,
    pub key_lo: u8,
    pub key_hi: u8,
    pub vel_lo: u8,
    pub vel_hi: u8,
    /// Fine tuning in cents, added to the key offset.
    pub tune_cents: f32,
    /// Linear gain applied to this zone.
    pub gain: f32,
}

impl Zone {
    /// A zone for `sample` with root `root_key` covering all keys and velocities.
    pub fn new(sample: usize, root_key: u8) -> Zone {
        Zone { sample, root_key, key_lo: 0, key_hi: 127, vel_lo: 1, vel_hi: 127, tune_cents: 0.0, gain: 1.0 }
    }

    pub fn matches(&self, note: u8, velocity: u8) -> bool {
        (self.key_lo..=self.key_hi).contains(&note) && (self.vel_lo..=self.vel_hi).contains(&velocity)
    }
}

/// A playable instrument. Built off the audio thread and swapped in whole.
#[derive(Clone, Debug)]
pub struct Instrument {
    pub samples: Vec<Sample>,
    pub zones: Vec<Zone>,
    /// Seconds for a released note to fall by 60 dB.
    pub release_seconds: f32,
}

/// Why an instrument was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum InstrumentError {
    ZoneSampleMissing { zone: usize, sample: usize },
    BadRange { zone: usize },
}

impl std::fmt::Display for InstrumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstrumentError::ZoneSampleMissing { zone, sample } => {
                write!(f, "zone {zone} refers to sample {sample}, which does not exist")
            }
            InstrumentError::BadRange { zone } => {
                write!(f, "zone {zone} has an empty or out-of-range key or velocity range")
            }
        }
    }
}

impl std::error::Error for InstrumentError {}

impl Instrument {
    pub const DEFAULT_RELEASE_SECONDS: f32 = 0.35;

    /// Checks that every zone is usable.
    pub fn new(samples: Vec<Sample>, zones: Vec<Zone>) -> Result<Instrument, InstrumentError> {
        for (i, z) in zones.iter().enumerate() {
            if z.sample >= samples.len() {
                return Err(InstrumentError::ZoneSampleMissing { zone: i, sample: z.sample });
            }
            if z.key_lo > z.key_hi || z.key_hi > 127 || z.vel_lo > z.vel_hi || z.vel_hi > 127 || z.root_key > 127 {
                return Err(InstrumentError::BadRange { zone: i });
            }
        }
        Ok(Instrument { samples, zones, release_seconds: Self::DEFAULT_RELEASE_SECONDS })
    }

    /// The first zone that covers `note` at `velocity`.
    pub fn find_zone(&self, note: u8, velocity: u8) -> Option<&Zone> {
        self.zones.iter().find(|z| z.matches(note, velocity))
    }

    /// Bytes of sample memory held.
    pub fn memory_bytes(&self) -> usize {
        self.samples.iter().map(Sample::memory_bytes).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangling_zones() {
        let s = Sample::new(vec![vec![0.0; 4]], 44100.0).unwrap();
        assert!(Instrument::new(vec![s.clone()], vec![Zone::new(0, 60)]).is_ok());
        assert_eq!(
            Instrument::new(vec![s.clone()], vec![Zone::new(1, 60)]).unwrap_err(),
            InstrumentError::ZoneSampleMissing { zone: 0, sample: 1 }
        );
        let mut z = Zone::new(0, 60);
        z.key_lo = 70;
        z.key_hi = 60;
        assert_eq!(Instrument::new(vec![s], vec![z]).unwrap_err(), InstrumentError::BadRange { zone: 0 });
    }
}
