//! Decoded sample data as the voices read it.

/// A mono or stereo sample at its own sample rate. Each channel is stored
/// with `GUARD_BEFORE` zero frames before and `GUARD_AFTER` after, so
/// interpolators that read neighbours never go out of bounds.
#[derive(Clone, Debug)]
pub struct Sample {
    channels: Vec<Box<[f32]>>,
    frames: usize,
    sample_rate: f32,
}

/// Why sample data was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum SampleError {
    NoChannels,
    TooManyChannels(usize),
    ChannelLengthsDiffer,
    BadSampleRate(f32),
}

impl std::fmt::Display for SampleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SampleError::NoChannels => write!(f, "a sample needs at least one channel"),
            SampleError::TooManyChannels(n) => write!(f, "{n} channels; only mono and stereo are supported"),
            SampleError::ChannelLengthsDiffer => write!(f, "the sample's channels differ in length"),
            SampleError::BadSampleRate(r) => write!(f, "sample rate {r} Hz is not usable"),
        }
    }
}

impl std::error::Error for SampleError {}

/// Zero frames stored before frame 0 of every channel.
pub const GUARD_BEFORE: usize = 1;
/// Zero frames stored after the last frame of every channel.
pub const GUARD_AFTER: usize = 3;

impl Sample {
    /// Takes ownership of one or two channels of equal length. Non-finite
    /// values are replaced by zero so that bad data can never poison the mix.
    pub fn new(channels: Vec<Vec<f32>>, sample_rate: f32) -> Result<Sample, SampleError> {
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
        if !(sample_rate.is_finite() && (1000.0..=768_000.0).contains(&sample_rate)) {
            return Err(SampleError::BadSampleRate(sample_rate));
        }
        let channels = channels
            .into_iter()
            .map(|c| {
                let mut padded = Vec::with_capacity(GUARD_BEFORE + c.len() + GUARD_AFTER);
                padded.resize(GUARD_BEFORE, 0.0);
                padded.extend(c.iter().map(|&x| if x.is_finite() { x } else { 0.0 }));
                padded.resize(GUARD_BEFORE + c.len() + GUARD_AFTER, 0.0);
                padded.into_boxed_slice()
            })
            .collect();
        Ok(Sample { channels, frames, sample_rate })
    }

    pub fn frames(&self) -> usize {
        self.frames
    }

    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    pub fn is_stereo(&self) -> bool {
        self.channels.len() == 2
    }

    /// Left (or mono) channel with its guard frames: frame `i` is at
    /// `i + GUARD_BEFORE`.
    pub(crate) fn left(&self) -> &[f32] {
        &self.channels[0]
    }

    /// Right channel, or the mono channel again, with its guard frames.
    pub(crate) fn right(&self) -> &[f32] {
        &self.channels[self.channels.len() - 1]
    }

    /// Bytes of sample memory held.
    pub fn memory_bytes(&self) -> usize {
        self.channels.iter().map(|c| c.len() * 4).sum()
    }
}
