//! Decoded sample data as the voices read it.
//!
//! Samples keep the resolution they came with: 16-bit sources stay 16-bit
//! (half the memory of f32; a piano or a General MIDI bank is mostly 16-bit),
//! everything else is f32. Voices read both through [`Frame`].

/// A mono or stereo sample at its own sample rate. Each channel is stored
/// with `GUARD_BEFORE` zero frames before and `GUARD_AFTER` after, so
/// interpolators that read neighbours never go out of bounds.
#[derive(Clone, Debug)]
pub struct Sample {
    data: SampleData,
    frames: usize,
    sample_rate: f32,
}

/// The channels of a sample, padded with guard frames.
#[derive(Clone, Debug)]
pub enum SampleData {
    F32(Vec<Box<[f32]>>),
    I16(Vec<Box<[i16]>>),
}

/// A stored sample value.
pub trait Frame: Copy + Default {
    fn to_f32(self) -> f32;
}

impl Frame for f32 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }
}

impl Frame for i16 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        f32::from(self) * (1.0 / 32768.0)
    }
}

/// Why sample data was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum SampleError {
    NoChannels,
    TooManyChannels(usize),
    ChannelLengthsDiffer,
    BadSampleRate(f32),
    TooLong(usize),
}

impl std::fmt::Display for SampleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SampleError::NoChannels => write!(f, "a sample needs at least one channel"),
            SampleError::TooManyChannels(n) => write!(f, "{n} channels; only mono and stereo are supported"),
            SampleError::ChannelLengthsDiffer => write!(f, "the sample's channels differ in length"),
            SampleError::BadSampleRate(r) => write!(f, "sample rate {r} Hz is not usable"),
            SampleError::TooLong(n) => write!(f, "{n} frames; a sample holds at most {MAX_FRAMES}"),
        }
    }
}

impl std::error::Error for SampleError {}

/// Zero frames stored before frame 0 of every channel.
pub const GUARD_BEFORE: usize = 1;
/// Zero frames stored after the last frame of every channel.
pub const GUARD_AFTER: usize = 3;
/// The largest magnitude of an f32 sample value (36 dB over full scale);
/// larger values are held there. Real files stay within a few dB of full
/// scale; the bound keeps every product the render forms finite.
pub const MAX_SAMPLE_VALUE: f32 = 64.0;
/// The most frames a sample holds: 2^31, over 12 hours at 48 kHz. Read
/// positions are frames × 2^32 (`read.rs`), so this keeps them below 2^63,
/// and frame numbers fit the `u32` of loop points and offsets.
pub const MAX_FRAMES: usize = 1 << 31;

fn check<T>(channels: &[Vec<T>], sample_rate: f32) -> Result<usize, SampleError> {
    if channels.is_empty() {
        return Err(SampleError::NoChannels);
    }
    if channels.len() > 2 {
        return Err(SampleError::TooManyChannels(channels.len()));
    }
    let frames = channels[0].len();
    if channels.iter().any(|c| c.len() != frames) {
        return Err(SampleError::ChannelLengthsDiffer);
    }
    if frames > MAX_FRAMES {
        return Err(SampleError::TooLong(frames));
    }
    if !(sample_rate.is_finite() && (1000.0..=768_000.0).contains(&sample_rate)) {
        return Err(SampleError::BadSampleRate(sample_rate));
    }
    Ok(frames)
}

fn pad<T: Frame>(channel: &[T], clean: impl Fn(T) -> T) -> Box<[T]> {
    let mut padded = Vec::with_capacity(GUARD_BEFORE + channel.len() + GUARD_AFTER);
    padded.resize(GUARD_BEFORE, T::default());
    padded.extend(channel.iter().map(|&x| clean(x)));
    padded.resize(GUARD_BEFORE + channel.len() + GUARD_AFTER, T::default());
    padded.into_boxed_slice()
}

impl Sample {
    /// One or two f32 channels of equal length. Non-finite values are
    /// replaced by zero and values beyond [`MAX_SAMPLE_VALUE`] held there,
    /// so that bad data can never poison the mix.
    pub fn new(channels: Vec<Vec<f32>>, sample_rate: f32) -> Result<Sample, SampleError> {
        let frames = check(&channels, sample_rate)?;
        let clean = |x: f32| if x.is_finite() { x.clamp(-MAX_SAMPLE_VALUE, MAX_SAMPLE_VALUE) } else { 0.0 };
        let data = SampleData::F32(channels.iter().map(|c| pad(c, clean)).collect());
        Ok(Sample { data, frames, sample_rate })
    }

    /// One or two 16-bit channels of equal length, kept as 16-bit.
    pub fn from_i16(channels: Vec<Vec<i16>>, sample_rate: f32) -> Result<Sample, SampleError> {
        let frames = check(&channels, sample_rate)?;
        let data = SampleData::I16(channels.iter().map(|c| pad(c, |x| x)).collect());
        Ok(Sample { data, frames, sample_rate })
    }

    /// Channels already padded with zero guard frames, each `frames` +
    /// `GUARD_BEFORE` + `GUARD_AFTER` long (as [`crate::SampleBuilder`]
    /// makes them): taken as they are, without copying.
    pub(crate) fn from_padded(data: SampleData, frames: usize, sample_rate: f32) -> Sample {
        Sample { data, frames, sample_rate }
    }

    pub fn frames(&self) -> usize {
        self.frames
    }

    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    pub fn is_stereo(&self) -> bool {
        match &self.data {
            SampleData::F32(c) => c.len() == 2,
            SampleData::I16(c) => c.len() == 2,
        }
    }

    /// The padded channels: frame `i` is at index `i + GUARD_BEFORE`.
    pub fn data(&self) -> &SampleData {
        &self.data
    }

    /// Frame `i` of channel `ch` (0 left, 1 right; mono answers both) as f32.
    pub fn value(&self, ch: usize, i: usize) -> f32 {
        match &self.data {
            SampleData::F32(c) => c[ch.min(c.len() - 1)][GUARD_BEFORE + i],
            SampleData::I16(c) => c[ch.min(c.len() - 1)][GUARD_BEFORE + i].to_f32(),
        }
    }

    /// Bytes of sample memory held.
    pub fn memory_bytes(&self) -> usize {
        match &self.data {
            SampleData::F32(c) => c.iter().map(|c| c.len() * 4).sum(),
            SampleData::I16(c) => c.iter().map(|c| c.len() * 2).sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_bit_stays_sixteen_bit() {
        let s = Sample::from_i16(vec![vec![0, 16384, -32768, 32767]; 2], 44_100.0).unwrap();
        assert_eq!(s.memory_bytes(), 2 * 2 * (4 + GUARD_BEFORE + GUARD_AFTER));
        assert_eq!(s.value(0, 1), 0.5);
        assert_eq!(s.value(1, 2), -1.0);
        assert!(s.is_stereo());
        let f = Sample::new(vec![vec![0.5; 4]], 44_100.0).unwrap();
        assert_eq!(f.memory_bytes(), 4 * (4 + GUARD_BEFORE + GUARD_AFTER));
        assert_eq!(f.value(1, 0), 0.5, "mono answers for the right channel");
    }

    #[test]
    fn refuses_bad_shapes_and_rates() {
        assert_eq!(Sample::new(vec![], 44_100.0).unwrap_err(), SampleError::NoChannels);
        assert_eq!(Sample::from_i16(vec![vec![0; 3]; 3], 44_100.0).unwrap_err(), SampleError::TooManyChannels(3));
        assert_eq!(Sample::new(vec![vec![0.0; 3], vec![0.0; 2]], 44_100.0).unwrap_err(), SampleError::ChannelLengthsDiffer);
        assert_eq!(Sample::new(vec![vec![0.0; 3]], f32::NAN).unwrap_err().to_string(), "sample rate NaN Hz is not usable");
        let s = Sample::new(vec![vec![f32::NAN, f32::INFINITY, 1.0, 1e30, -65.0]], 44_100.0).unwrap();
        assert_eq!((s.value(0, 0), s.value(0, 1), s.value(0, 2)), (0.0, 0.0, 1.0));
        assert_eq!((s.value(0, 3), s.value(0, 4)), (MAX_SAMPLE_VALUE, -MAX_SAMPLE_VALUE));
    }
}
