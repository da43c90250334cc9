//! A [`Sample`] written in pieces into storage allocated once.
//!
//! The worklet copies an instrument into its wasm memory a bounded number
//! of bytes at a time. [`SampleBuilder::try_new`] reserves each channel's
//! final, padded storage with its exact capacity (`try_reserve_exact`: an
//! allocation the host refuses is an error, not a trap, and nothing is
//! zero-filled up front); [`SampleBuilder::append_f32`] and
//! [`SampleBuilder::append_i16`] add pieces of any size within that
//! capacity, and refuse a piece that would overflow it rather than
//! reallocate; [`SampleBuilder::finish`] writes the trailing guard frames
//! and hands the storage to the `Sample` without copying it.

use crate::sample::{Frame, Sample, SampleData, SampleError, GUARD_AFTER, GUARD_BEFORE};

/// How a sample's values are stored (see [`SampleData`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleFormat {
    F32,
    I16,
}

impl SampleFormat {
    pub fn bytes_per_value(self) -> usize {
        match self {
            SampleFormat::F32 => 4,
            SampleFormat::I16 => 2,
        }
    }
}

/// Why a sample could not be built.
#[derive(Clone, Debug, PartialEq)]
pub enum BuildError {
    /// The shape or rate is unusable.
    Sample(SampleError),
    /// The allocator refused the sample's storage.
    OutOfMemory { bytes: usize },
    /// A piece for a channel that does not exist, or of more values than
    /// the channel has left.
    Overflow { channel: usize, values: usize, room: usize },
    /// A piece of the other format.
    WrongFormat,
    /// `finish` before every frame of every channel was written.
    Incomplete { channel: usize, missing: usize },
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Sample(e) => e.fmt(f),
            BuildError::OutOfMemory { bytes } => write!(f, "could not allocate {bytes} bytes for a sample"),
            BuildError::Overflow { channel, values, room } => {
                write!(f, "{values} values for channel {channel}, which has room for {room}")
            }
            BuildError::WrongFormat => write!(f, "a piece of the wrong sample format"),
            BuildError::Incomplete { channel, missing } => write!(f, "channel {channel} is missing {missing} frames"),
        }
    }
}

impl std::error::Error for BuildError {}

impl From<SampleError> for BuildError {
    fn from(e: SampleError) -> Self {
        BuildError::Sample(e)
    }
}

enum Channels {
    F32(Vec<Vec<f32>>),
    I16(Vec<Vec<i16>>),
}

/// A sample being written; see the module docs.
pub struct SampleBuilder {
    channels: Channels,
    frames: usize,
    sample_rate: f32,
}

/// Padded length of a channel of `frames` frames.
fn padded(frames: usize) -> Option<usize> {
    frames.checked_add(GUARD_BEFORE + GUARD_AFTER)
}

/// One channel's storage with exact capacity, holding the leading guard frames.
fn reserve<T: Frame>(frames: usize) -> Result<Vec<T>, BuildError> {
    let len = padded(frames).ok_or(BuildError::OutOfMemory { bytes: usize::MAX })?;
    let mut channel = Vec::new();
    channel
        .try_reserve_exact(len)
        .map_err(|_| BuildError::OutOfMemory { bytes: len.saturating_mul(std::mem::size_of::<T>()) })?;
    channel.resize(GUARD_BEFORE, T::default());
    Ok(channel)
}

fn reserve_all<T: Frame>(count: usize, frames: usize) -> Result<Vec<Vec<T>>, BuildError> {
    let mut channels = Vec::with_capacity(count);
    for _ in 0..count {
        // On failure what was reserved is dropped here.
        channels.push(reserve(frames)?);
    }
    Ok(channels)
}

/// Appends `values` within `channel`'s reserved capacity, cleaned by `clean`.
fn append<T: Frame>(
    channels: &mut [Vec<T>],
    frames: usize,
    channel: usize,
    values: &[T],
    clean: impl Fn(T) -> T,
) -> Result<(), BuildError> {
    let Some(storage) = channels.get_mut(channel) else {
        return Err(BuildError::Overflow { channel, values: values.len(), room: 0 });
    };
    let room = GUARD_BEFORE + frames - storage.len();
    if values.len() > room {
        return Err(BuildError::Overflow { channel, values: values.len(), room });
    }
    let capacity = storage.capacity();
    storage.extend(values.iter().map(|&x| clean(x)));
    // The storage was reserved whole: a piece never moves it.
    debug_assert_eq!(storage.capacity(), capacity, "a sample's storage was reallocated");
    Ok(())
}

fn finish_channels<T: Frame>(channels: Vec<Vec<T>>, frames: usize) -> Result<Vec<Box<[T]>>, BuildError> {
    if let Some((channel, c)) = channels.iter().enumerate().find(|(_, c)| c.len() != GUARD_BEFORE + frames) {
        return Err(BuildError::Incomplete { channel, missing: GUARD_BEFORE + frames - c.len() });
    }
    Ok(channels
        .into_iter()
        .map(|mut c| {
            c.resize(GUARD_BEFORE + frames + GUARD_AFTER, T::default());
            // Length equals the exact capacity reserved, so this does not reallocate.
            debug_assert_eq!(c.len(), c.capacity());
            c.into_boxed_slice()
        })
        .collect())
}

impl SampleBuilder {
    /// Bytes of storage a sample of this shape takes (as `Sample::memory_bytes`).
    pub fn storage_bytes(format: SampleFormat, channels: usize, frames: usize) -> usize {
        padded(frames)
            .and_then(|len| len.checked_mul(channels))
            .and_then(|values| values.checked_mul(format.bytes_per_value()))
            .unwrap_or(usize::MAX)
    }

    /// Reserves the storage of a sample of `channels` (1 or 2) channels of
    /// `frames` frames. Fails with `OutOfMemory` (having freed whatever it
    /// took) when the allocator refuses.
    pub fn try_new(format: SampleFormat, channels: usize, frames: usize, sample_rate: f32) -> Result<SampleBuilder, BuildError> {
        match channels {
            0 => return Err(SampleError::NoChannels.into()),
            1 | 2 => {}
            n => return Err(SampleError::TooManyChannels(n).into()),
        }
        if !(sample_rate.is_finite() && (1000.0..=768_000.0).contains(&sample_rate)) {
            return Err(SampleError::BadSampleRate(sample_rate).into());
        }
        let channels = match format {
            SampleFormat::F32 => Channels::F32(reserve_all(channels, frames)?),
            SampleFormat::I16 => Channels::I16(reserve_all(channels, frames)?),
        };
        Ok(SampleBuilder { channels, frames, sample_rate })
    }

    pub fn format(&self) -> SampleFormat {
        match self.channels {
            Channels::F32(_) => SampleFormat::F32,
            Channels::I16(_) => SampleFormat::I16,
        }
    }

    /// Frames of `channel` still to be written (0 for a channel that does not exist).
    pub fn remaining(&self, channel: usize) -> usize {
        let written = match &self.channels {
            Channels::F32(c) => c.get(channel).map(Vec::len),
            Channels::I16(c) => c.get(channel).map(Vec::len),
        };
        written.map_or(0, |len| GUARD_BEFORE + self.frames - len)
    }

    /// Appends f32 values to `channel`; non-finite values become 0 so bad
    /// data can never poison the mix (as in `Sample::new`).
    pub fn append_f32(&mut self, channel: usize, values: &[f32]) -> Result<(), BuildError> {
        match &mut self.channels {
            Channels::F32(c) => append(c, self.frames, channel, values, |x| if x.is_finite() { x } else { 0.0 }),
            Channels::I16(_) => Err(BuildError::WrongFormat),
        }
    }

    pub fn append_i16(&mut self, channel: usize, values: &[i16]) -> Result<(), BuildError> {
        match &mut self.channels {
            Channels::I16(c) => append(c, self.frames, channel, values, |x| x),
            Channels::F32(_) => Err(BuildError::WrongFormat),
        }
    }

    /// The finished sample, once every frame has been written.
    pub fn finish(self) -> Result<Sample, BuildError> {
        let data = match self.channels {
            Channels::F32(c) => SampleData::F32(finish_channels(c, self.frames)?),
            Channels::I16(c) => SampleData::I16(finish_channels(c, self.frames)?),
        };
        Ok(Sample::from_padded(data, self.frames, self.sample_rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_make_the_same_sample_as_a_whole() {
        let left: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.01).sin()).collect();
        let right: Vec<f32> = left.iter().map(|x| -x).collect();
        let whole = Sample::new(vec![left.clone(), right.clone()], 44_100.0).unwrap();
        let mut b = SampleBuilder::try_new(SampleFormat::F32, 2, 1000, 44_100.0).unwrap();
        for piece in [0..1, 1..400, 400..1000] {
            b.append_f32(0, &left[piece.clone()]).unwrap();
            b.append_f32(1, &right[piece]).unwrap();
        }
        let built = b.finish().unwrap();
        assert_eq!(built.frames(), 1000);
        assert_eq!(built.memory_bytes(), whole.memory_bytes());
        assert_eq!(built.memory_bytes(), SampleBuilder::storage_bytes(SampleFormat::F32, 2, 1000));
        match (built.data(), whole.data()) {
            (SampleData::F32(a), SampleData::F32(b)) => assert_eq!(a, b, "guards included"),
            _ => panic!("both f32"),
        }
        let mut b = SampleBuilder::try_new(SampleFormat::I16, 1, 3, 22_050.0).unwrap();
        b.append_i16(0, &[1, -2]).unwrap();
        b.append_i16(0, &[32767]).unwrap();
        let s = b.finish().unwrap();
        assert_eq!((s.value(0, 0), s.value(1, 2)), (1.0 / 32768.0, 32767.0 / 32768.0));
        assert!(!s.is_stereo());
    }

    #[test]
    fn refuses_what_does_not_fit_instead_of_growing() {
        let mut b = SampleBuilder::try_new(SampleFormat::F32, 1, 4, 48_000.0).unwrap();
        b.append_f32(0, &[f32::NAN, 1.0, f32::INFINITY]).unwrap();
        assert_eq!(b.append_f32(0, &[0.0; 2]), Err(BuildError::Overflow { channel: 0, values: 2, room: 1 }));
        assert_eq!(b.append_f32(1, &[0.0]), Err(BuildError::Overflow { channel: 1, values: 1, room: 0 }));
        assert_eq!(b.append_i16(0, &[0]), Err(BuildError::WrongFormat));
        assert_eq!(b.remaining(0), 1);
        b.append_f32(0, &[0.5]).unwrap();
        let s = b.finish().unwrap();
        assert_eq!((s.value(0, 0), s.value(0, 1), s.value(0, 2), s.value(0, 3)), (0.0, 1.0, 0.0, 0.5), "non-finite values became 0");
    }

    #[test]
    fn refuses_bad_shapes_incomplete_samples_and_impossible_sizes() {
        let err = |r: Result<SampleBuilder, BuildError>| r.err().unwrap();
        assert_eq!(err(SampleBuilder::try_new(SampleFormat::F32, 0, 4, 48_000.0)), BuildError::Sample(SampleError::NoChannels));
        assert_eq!(err(SampleBuilder::try_new(SampleFormat::I16, 3, 4, 48_000.0)), BuildError::Sample(SampleError::TooManyChannels(3)));
        assert_eq!(err(SampleBuilder::try_new(SampleFormat::F32, 1, 4, f32::NAN)).to_string(), "sample rate NaN Hz is not usable");
        assert!(matches!(err(SampleBuilder::try_new(SampleFormat::F32, 1, usize::MAX / 2, 48_000.0)), BuildError::OutOfMemory { .. }));
        let mut b = SampleBuilder::try_new(SampleFormat::I16, 2, 4, 48_000.0).unwrap();
        b.append_i16(0, &[0; 4]).unwrap();
        b.append_i16(1, &[0; 1]).unwrap();
        assert_eq!(b.finish().err(), Some(BuildError::Incomplete { channel: 1, missing: 3 }));
    }
}
