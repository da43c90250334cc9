//! An instrument built in bounded steps, and instruments freed in bounded
//! steps. Pure Rust (tested natively); `WasmSampler` exposes it to the
//! worklet, whose tasks (worklet/instrument-loads.js) call one step at a time.
//!
//! A load reserves all of its memory first: the list of samples, the
//! encoded regions, the decoded regions, then each sample's final storage
//! ([`SampleBuilder`]), so that an instrument the browser will not give
//! memory for fails before anything is copied, and no step ever reallocates.
//! Then pieces of samples and of the region bytes are appended, regions
//! decoded a few at a time, and [`InstrumentLoad::finish`] builds the
//! `Instrument`. Nothing here is called from `process()`.

use std::collections::VecDeque;

use crate::instrument_bytes::{DecodeError, RegionDecoder};
use sampler_core::instrument::InstrumentError;
use sampler_core::sample::{GUARD_AFTER, GUARD_BEFORE};
use sampler_core::sample_builder::BuildError;
use sampler_core::{Instrument, InstrumentBuilder, Region, Sample, SampleBuilder, SampleFormat};

/// Why a load failed.
#[derive(Debug, PartialEq)]
pub enum LoadError {
    /// The allocator refused `bytes`: the instrument does not fit.
    OutOfMemory { bytes: usize },
    /// Sample `sample` has an unusable shape or rate, or a piece that does not fit it.
    Sample { sample: usize, error: BuildError },
    Decode(DecodeError),
    Instrument(InstrumentError),
    /// The steps came in an order the load cannot follow (a bug in the caller).
    Sequence(&'static str),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::OutOfMemory { bytes } => write!(f, "could not allocate {bytes} bytes"),
            LoadError::Sample { sample, error } => write!(f, "sample {sample}: {error}"),
            LoadError::Decode(e) => e.fmt(f),
            LoadError::Instrument(e) => e.fmt(f),
            LoadError::Sequence(what) => write!(f, "instrument load out of sequence: {what}"),
        }
    }
}

fn reserve_exact<T>(v: &mut Vec<T>, n: usize) -> Result<(), LoadError> {
    v.try_reserve_exact(n)
        .map_err(|_| LoadError::OutOfMemory { bytes: n.saturating_mul(std::mem::size_of::<T>()) })
}

/// An instrument on its way in; see the module docs.
pub struct InstrumentLoad {
    sample_count: usize,
    /// Reserved samples not yet complete, in order; the front one is being written.
    reserved: VecDeque<SampleBuilder>,
    /// Completed samples, in order.
    samples: Vec<Sample>,
    region_bytes: Vec<u8>,
    region_count: usize,
    decoder: Option<RegionDecoder>,
    regions: Vec<Region>,
    /// Checks the regions and builds the per-key lists, a budget at a time,
    /// once every sample and region is in (it then holds them).
    builder: Option<InstrumentBuilder>,
}

/// Room left beyond what a load asks for: allocator overhead per block.
const SLACK_BYTES: usize = 1 << 20;
/// Per-key list entries a region is expected to need (1 for a region on
/// one key range in an instrument of few distinct ranges; at most 128).
const LIST_ENTRIES_PER_REGION: usize = 4;

impl InstrumentLoad {
    /// Reserves room for `samples` samples, `region_bytes` bytes of encoded
    /// regions and `regions` decoded regions. First it asks the allocator
    /// once for everything the load will take (`sample_bytes` of sample
    /// data, and the rest) and gives it back: in wasm, memory only grows,
    /// so the allocator keeps it, and the samples reserved afterwards are
    /// carved from it without growing memory again. Each `memory.grow`
    /// costs about 0.2 ms in V8 and now and then tens of ms, whatever its
    /// size, so one grow per load beats one per sample; and an instrument
    /// that cannot fit fails here, before any sample is reserved.
    pub fn try_new(samples: usize, region_bytes: usize, regions: usize, sample_bytes: usize) -> Result<InstrumentLoad, LoadError> {
        let guards = samples.saturating_mul(2 * (GUARD_BEFORE + GUARD_AFTER) * 4);
        let total = sample_bytes
            .saturating_add(guards)
            .saturating_add(region_bytes)
            .saturating_add(regions.saturating_mul(std::mem::size_of::<Region>()))
            // What building takes: a selector per region and the per-key
            // lists (a few entries a region in real instruments; more only
            // grows memory once more, in a build step).
            .saturating_add(regions.saturating_mul(std::mem::size_of::<sampler_core::instrument::Selector>() + 4 * LIST_ENTRIES_PER_REGION))
            .saturating_add(SLACK_BYTES);
        reserve_exact(&mut Vec::<u8>::new(), total)?;
        let mut load = InstrumentLoad {
            sample_count: samples,
            reserved: VecDeque::new(),
            samples: Vec::new(),
            region_bytes: Vec::new(),
            region_count: regions,
            decoder: None,
            regions: Vec::new(),
            builder: None,
        };
        load.reserved
            .try_reserve_exact(samples)
            .map_err(|_| LoadError::OutOfMemory { bytes: samples.saturating_mul(std::mem::size_of::<SampleBuilder>()) })?;
        reserve_exact(&mut load.samples, samples)?;
        reserve_exact(&mut load.region_bytes, region_bytes)?;
        reserve_exact(&mut load.regions, regions)?;
        Ok(load)
    }

    /// Samples whose storage is reserved so far.
    pub fn samples_reserved(&self) -> usize {
        self.samples.len() + self.reserved.len()
    }

    /// Reserves the next sample's storage (samples are reserved in order).
    pub fn reserve_sample(&mut self, format: SampleFormat, channels: usize, frames: usize, sample_rate: f32) -> Result<(), LoadError> {
        let sample = self.samples_reserved();
        if sample >= self.sample_count {
            return Err(LoadError::Sequence("more samples than announced"));
        }
        match SampleBuilder::try_new(format, channels, frames, sample_rate) {
            Ok(builder) => {
                self.reserved.push_back(builder);
                self.complete_front()
            }
            Err(BuildError::OutOfMemory { bytes }) => Err(LoadError::OutOfMemory { bytes }),
            Err(error) => Err(LoadError::Sample { sample, error }),
        }
    }

    /// The sample being written, checked to be `sample`.
    fn writing(&mut self, sample: usize) -> Result<&mut SampleBuilder, LoadError> {
        if sample != self.samples.len() {
            return Err(LoadError::Sequence("samples are written in order"));
        }
        self.reserved.front_mut().ok_or(LoadError::Sequence("a piece of a sample not reserved"))
    }

    /// Moves front samples to the completed ones while they are whole
    /// (an empty sample is whole as soon as it is reserved).
    fn complete_front(&mut self) -> Result<(), LoadError> {
        while self.reserved.front().is_some_and(|b| (0..2).all(|c| b.remaining(c) == 0)) {
            let sample = self.samples.len();
            let builder = self.reserved.pop_front().expect("checked above");
            let done = builder.finish().map_err(|error| LoadError::Sample { sample, error })?;
            // Reserved in `try_new`: no reallocation.
            self.samples.push(done);
        }
        Ok(())
    }

    /// Appends a piece of channel `channel` of sample `sample` (the first
    /// sample not yet complete).
    pub fn append_f32(&mut self, sample: usize, channel: usize, values: &[f32]) -> Result<(), LoadError> {
        self.writing(sample)?.append_f32(channel, values).map_err(|error| LoadError::Sample { sample, error })?;
        self.complete_front()
    }

    pub fn append_i16(&mut self, sample: usize, channel: usize, values: &[i16]) -> Result<(), LoadError> {
        self.writing(sample)?.append_i16(channel, values).map_err(|error| LoadError::Sample { sample, error })?;
        self.complete_front()
    }

    /// The format of the sample being written.
    pub fn writing_format(&self) -> Option<SampleFormat> {
        self.reserved.front().map(SampleBuilder::format)
    }

    /// Appends a piece of the encoded regions.
    pub fn append_region_bytes(&mut self, bytes: &[u8]) -> Result<(), LoadError> {
        if bytes.len() > self.region_bytes.capacity() - self.region_bytes.len() {
            return Err(LoadError::Sequence("more region bytes than announced"));
        }
        self.region_bytes.extend_from_slice(bytes);
        Ok(())
    }

    /// Decodes up to `max` regions (once every region byte is in); true
    /// when all are decoded.
    pub fn decode_regions(&mut self, max: usize) -> Result<bool, LoadError> {
        if self.region_bytes.len() != self.region_bytes.capacity() {
            return Err(LoadError::Sequence("regions decoded before all their bytes arrived"));
        }
        if self.decoder.is_none() {
            let decoder = RegionDecoder::new(&self.region_bytes).map_err(LoadError::Decode)?;
            if decoder.left() as usize != self.region_count {
                return Err(LoadError::Decode(DecodeError(format!(
                    "{} regions, {} announced",
                    decoder.left(),
                    self.region_count
                ))));
            }
            self.decoder = Some(decoder);
        }
        let decoder = self.decoder.as_mut().expect("set above");
        // `regions` has room for `region_count`, which the decoder checked.
        decoder.decode_some(&self.region_bytes, max, &mut self.regions).map_err(LoadError::Decode)
    }

    /// Does about `budget` units of building the instrument (checking its
    /// regions, listing them by key: [`InstrumentBuilder`]) once every
    /// sample and region is in; true when it is built. A region that fails
    /// its checks fails the load (the main thread ran the same checks
    /// before sending, so that means corrupt bytes).
    pub fn build_some(&mut self, budget: usize) -> Result<bool, LoadError> {
        if self.builder.is_none() {
            if self.decoder.as_ref().is_none_or(|d| d.left() != 0) {
                return Err(LoadError::Sequence("built before every region was decoded"));
            }
            if self.samples.len() != self.sample_count {
                return Err(LoadError::Sequence("built before every sample was written"));
            }
            let (samples, regions) = (std::mem::take(&mut self.samples), std::mem::take(&mut self.regions));
            self.builder = Some(InstrumentBuilder::new(samples, regions).map_err(LoadError::Instrument)?);
        }
        let builder = self.builder.as_mut().expect("set above");
        match builder.step(budget) {
            Ok(_) => Ok(builder.is_done()),
            Err(e) => {
                // Its samples go back to the load, to be freed in steps.
                self.samples = self.builder.take().expect("set above").into_samples();
                Err(LoadError::Instrument(e))
            }
        }
    }

    /// The instrument, once [`InstrumentLoad::build_some`] has built it; else
    /// the load comes back with the error, to be freed in steps.
    pub fn finish(mut self) -> Result<Instrument, (LoadError, Box<InstrumentLoad>)> {
        let header = self.decoder.as_ref().map(|d| d.header.clone());
        match (self.builder.take().map(InstrumentBuilder::finish), header) {
            (Some(Ok(mut instrument)), Some(header)) => {
                header.apply(&mut instrument);
                Ok(instrument)
            }
            (Some(Err(builder)), _) => {
                self.samples = builder.into_samples();
                Err((LoadError::Sequence("finished before the instrument was built"), Box::new(self)))
            }
            _ => Err((LoadError::Sequence("finished before the instrument was built"), Box::new(self))),
        }
    }

    /// Frees one sample's storage (the last first); false when none is left.
    fn free_one_sample(&mut self) -> bool {
        if let Some(builder) = self.reserved.pop_back() {
            drop(builder);
            return true;
        }
        self.samples.pop().is_some()
    }
}

/// What waits to be freed: replaced instruments and failed loads.
pub enum Garbage {
    /// A replaced instrument's samples (the rest of it is freed at once:
    /// its regions and key lists are a few allocations).
    Samples(Vec<Sample>),
    Load(Box<InstrumentLoad>),
}

impl Garbage {
    pub fn instrument(instrument: Instrument) -> Garbage {
        Garbage::Samples(instrument.into_samples())
    }
}

/// Frees garbage a bounded number of samples at a time.
#[derive(Default)]
pub struct Trash {
    queue: VecDeque<Garbage>,
}

impl Trash {
    pub fn push(&mut self, garbage: Garbage) {
        self.queue.push_back(garbage);
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Frees the storage of up to `max_samples` samples (and the rest of an
    /// instrument or load once its samples are gone: its region list and
    /// bookkeeping, one allocation each). Returns the number freed.
    pub fn free_some(&mut self, max_samples: usize) -> usize {
        let mut freed = 0;
        while freed < max_samples {
            let Some(front) = self.queue.front_mut() else { break };
            let freed_one = match front {
                Garbage::Samples(samples) => samples.pop().is_some(),
                Garbage::Load(l) => l.free_one_sample(),
            };
            if freed_one {
                freed += 1;
            } else {
                self.queue.pop_front();
            }
        }
        freed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument_bytes::{encode, Header};
    use sampler_core::sample::SampleData;

    const PIECE: usize = 1000;

    /// Loads `channels` (f32) and `regions` in pieces of at most PIECE values.
    fn load(channels: &[Vec<Vec<f32>>], regions: &[Region]) -> Result<Instrument, LoadError> {
        let bytes = encode(&Header { polyphony: Some(5), ..Header::default() }, regions).unwrap();
        let sample_bytes = channels.iter().flatten().map(|c| c.len() * 4).sum();
        let mut load = InstrumentLoad::try_new(channels.len(), bytes.len(), regions.len(), sample_bytes)?;
        for c in channels {
            load.reserve_sample(SampleFormat::F32, c.len(), c[0].len(), 48_000.0)?;
        }
        for (s, c) in channels.iter().enumerate() {
            for (ch, data) in c.iter().enumerate() {
                for piece in data.chunks(PIECE) {
                    load.append_f32(s, ch, piece)?;
                }
            }
        }
        for piece in bytes.chunks(PIECE) {
            load.append_region_bytes(piece)?;
        }
        while !load.decode_regions(3)? {}
        while !load.build_some(5)? {}
        load.finish().map_err(|(e, _)| e)
    }

    #[test]
    fn an_instrument_loaded_in_pieces_equals_its_parts() {
        let ramp = |n: usize, k: f32| (0..n).map(|i| i as f32 * k).collect::<Vec<f32>>();
        let channels = vec![vec![ramp(2500, 1e-4), ramp(2500, -1e-4)], vec![vec![]], vec![ramp(10, 0.1)], vec![ramp(PIECE, 1e-3)]];
        let regions: Vec<Region> = (0..10).map(|i| Region::new([0, 2, 3][i % 3], 60 + i as u8)).collect();
        let instrument = load(&channels, &regions).unwrap();
        assert_eq!(instrument.regions(), &regions[..]);
        assert_eq!(instrument.polyphony, Some(5));
        for (sample, c) in instrument.samples().iter().zip(&channels) {
            let whole = Sample::new(c.clone(), 48_000.0).unwrap();
            match (sample.data(), whole.data()) {
                (SampleData::F32(a), SampleData::F32(b)) => assert_eq!(a, b),
                _ => panic!("f32 samples"),
            }
        }
    }

    #[test]
    fn pieces_out_of_order_or_too_many_are_refused() {
        let mut load = InstrumentLoad::try_new(2, 0, 0, 16).unwrap();
        load.reserve_sample(SampleFormat::I16, 1, 4, 48_000.0).unwrap();
        assert_eq!(load.append_i16(1, 0, &[0; 2]), Err(LoadError::Sequence("samples are written in order")));
        assert!(matches!(load.append_i16(0, 0, &[0; 5]), Err(LoadError::Sample { sample: 0, .. })));
        assert_eq!(load.append_region_bytes(&[1]), Err(LoadError::Sequence("more region bytes than announced")));
        load.reserve_sample(SampleFormat::I16, 1, 4, 48_000.0).unwrap();
        assert_eq!(load.reserve_sample(SampleFormat::I16, 1, 4, 48_000.0), Err(LoadError::Sequence("more samples than announced")));
        assert!(matches!(
            InstrumentLoad::try_new(1, 0, 0, 0).unwrap().reserve_sample(SampleFormat::F32, 3, 4, 48_000.0),
            Err(LoadError::Sample { sample: 0, .. })
        ));
    }

    #[test]
    fn memory_the_allocator_refuses_is_an_error() {
        assert!(matches!(InstrumentLoad::try_new(1, usize::MAX / 2, 0, 0), Err(LoadError::OutOfMemory { .. })));
        assert!(matches!(InstrumentLoad::try_new(1, 0, 0, usize::MAX / 2), Err(LoadError::OutOfMemory { .. })));
        let mut load = InstrumentLoad::try_new(1, 0, 0, 0).unwrap();
        assert!(matches!(load.reserve_sample(SampleFormat::F32, 1, usize::MAX / 8, 48_000.0), Err(LoadError::OutOfMemory { .. })));
    }

    #[test]
    fn bad_regions_fail_the_commit() {
        let mut regions = vec![Region::new(0, 60)];
        regions[0].key_lo = 100;
        regions[0].key_hi = 90;
        assert_eq!(load(&[vec![vec![0.0; 10]]], &regions).err(), Some(LoadError::Instrument(InstrumentError::BadRange { region: 0 })));
    }

    #[test]
    fn the_trash_frees_a_bounded_number_of_samples_per_call() {
        let sample = || Sample::new(vec![vec![0.0; 8]], 48_000.0).unwrap();
        let mut trash = Trash::default();
        trash.push(Garbage::instrument(Instrument::new(vec![sample(); 5], vec![]).unwrap()));
        let mut load = InstrumentLoad::try_new(3, 0, 0, 0).unwrap();
        for _ in 0..3 {
            load.reserve_sample(SampleFormat::F32, 2, 8, 48_000.0).unwrap();
        }
        load.append_f32(0, 0, &[0.0; 8]).unwrap();
        load.append_f32(0, 1, &[0.0; 8]).unwrap();
        trash.push(Garbage::Load(Box::new(load)));
        let mut freed = vec![];
        while !trash.is_empty() {
            freed.push(trash.free_some(2));
        }
        assert_eq!(freed.iter().sum::<usize>(), 8);
        assert!(freed.iter().all(|&n| n <= 2), "{freed:?}");
    }
}
