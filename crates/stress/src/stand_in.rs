//! Generated samples standing in for the files an instrument names. The
//! parsers see only paths (SFZ) or compressed streams (SF3), so the fuzz
//! targets and corpus tests need audio of some shape: here every kind the
//! engine stores (mono or stereo, 16-bit or f32), at rates from 1 kHz to
//! 768 kHz, full-scale square waves (f32 ones up to 4x over full scale,
//! with non-finite values that `Sample::new` must clean), and lengths from
//! one frame up, so many are shorter than the loops and offsets a file asks
//! for. Everything follows from a seed, so a finding replays.

use sampler_core::Sample;

use crate::mix;

/// A sample and what a loader would read from its file besides the audio.
pub struct StandIn {
    pub sample: Sample,
    /// The file's root key (`pitch_keycenter=sample` uses it).
    pub root_key: Option<u8>,
    /// The file's loop, `start..end` in frames (end exclusive).
    pub loop_points: Option<(u32, u32)>,
}

const LENGTHS: [usize; 8] = [1, 2, 3, 31, 64, 257, 1024, 4099];
const RATES: [f32; 6] = [1000.0, 8000.0, 22_050.0, 44_100.0, 96_000.0, 768_000.0];
/// Samples from this index on get at most `SHORT` frames, so an instrument
/// naming thousands of files stays cheap to build.
const LONG_SAMPLES: usize = 16;
const SHORT: usize = 64;

/// The stand-in for sample `index` of an instrument.
pub fn stand_in(index: usize, seed: u64) -> StandIn {
    let h = mix(seed, index as u64);
    let mut frames = LENGTHS[(h & 7) as usize];
    if index >= LONG_SAMPLES {
        frames = frames.min(SHORT);
    }
    let stereo = h >> 3 & 1 == 1;
    let rate = RATES[(h >> 4) as usize % RATES.len()];
    let sample = if h >> 8 & 1 == 1 { square_i16(frames, stereo, rate, h) } else { square_f32(frames, stereo, rate, h) };
    let root_key = (h >> 9 & 1 == 1).then_some((h >> 10) as u8 & 127);
    let loop_points = (h >> 17 & 1 == 1).then(|| {
        let start = (h >> 18) as usize % frames;
        let end = start + 1 + (h >> 40) as usize % (frames - start);
        (start as u32, end as u32)
    });
    StandIn { sample, root_key, loop_points }
}

/// A mono f32 stand-in for `frames` frames of a decoded compressed sample.
pub fn decoded(frames: usize, rate: f32, seed: u64) -> Result<Sample, sampler_core::sample::SampleError> {
    let data = square(frames, seed, 1.0);
    Sample::new(vec![data], rate)
}

/// Frames with a period and amplitude from `h`.
fn square(frames: usize, h: u64, amplitude: f32) -> Vec<f32> {
    let period = 1 + (h >> 24) as usize % 64;
    (0..frames).map(|i| if (i / period).is_multiple_of(2) { amplitude } else { -amplitude }).collect()
}

fn square_f32(frames: usize, stereo: bool, rate: f32, h: u64) -> Sample {
    let amplitude = if h >> 30 & 1 == 1 { 4.0 } else { 1.0 };
    let mut left = square(frames, h, amplitude);
    if h >> 31 & 1 == 1 {
        // Decoders can hand over garbage; Sample::new zeroes it.
        left.iter_mut().step_by(7).for_each(|x| *x = f32::NAN);
        left.iter_mut().skip(3).step_by(11).for_each(|x| *x = f32::INFINITY);
    }
    let channels = if stereo { vec![left.iter().map(|x| -x).collect(), left] } else { vec![left] };
    Sample::new(channels, rate).expect("stand-ins have one or two equal channels at a valid rate")
}

fn square_i16(frames: usize, stereo: bool, rate: f32, h: u64) -> Sample {
    let left: Vec<i16> = square(frames, h, 1.0).iter().map(|&x| if x > 0.0 { i16::MAX } else { i16::MIN }).collect();
    let channels = if stereo { vec![left.iter().map(|&x| !x).collect(), left] } else { vec![left] };
    Sample::from_i16(channels, rate).expect("stand-ins have one or two equal channels at a valid rate")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_ins_vary_and_loops_fit() {
        let all: Vec<StandIn> = (0..50).flat_map(|seed| (0..LONG_SAMPLES + 4).map(move |i| stand_in(i, seed))).collect();
        let frames: std::collections::BTreeSet<usize> = all.iter().map(|s| s.sample.frames()).collect();
        assert_eq!(frames.into_iter().collect::<Vec<_>>(), LENGTHS);
        assert!(all.iter().any(|s| s.sample.is_stereo()) && all.iter().any(|s| !s.sample.is_stereo()));
        assert!(all.iter().any(|s| s.root_key.is_some()) && all.iter().any(|s| s.loop_points.is_some()));
        for s in &all {
            if let Some((start, end)) = s.loop_points {
                assert!(start < end && end as usize <= s.sample.frames());
            }
        }
        assert!((LONG_SAMPLES..LONG_SAMPLES + 100).all(|i| stand_in(i, 3).sample.frames() <= SHORT));
    }
}
