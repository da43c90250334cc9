//! The engine as the AudioWorklet sees it.
//!
//! [`WasmSampler`] owns a [`Host`] (engine + event scheduler), the consumer
//! end of the `SharedArrayBuffer` ring, and two preallocated output buffers
//! that the worklet reads through cached `Float32Array` views. Nothing called
//! from `process()` allocates or creates JS objects: the ring is read through
//! `Atomics` and `Int32Array` element access on a view created once.
//!
//! Instruments are copied in by the worklet's loading tasks, never inside
//! `process()`, each step bounded in bytes ([`STAGING_BYTES`]) or count:
//! `loadBegin`, `loadReserveSample`, `loadAppendSamples` /
//! `loadAppendRegionBytes` (from the staging buffer at `stagingPtr`),
//! `loadDecodeRegions`, `loadCommit`, and `freeSome` for what was replaced
//! ([`loading`]). Parsing instrument files and encoding their regions
//! happen on the main thread ([`loader`]), never in the worklet.

pub mod instrument_bytes;
pub mod loader;
pub mod loading;
mod region_fields;
mod shared_words;
mod test_trap;

use js_sys::{ArrayBuffer, SharedArrayBuffer};
use midi_ring::{layout, Consumer};
use loading::{Garbage, InstrumentLoad, LoadError, Trash};
use sampler_core::{Engine, Host, Instrument, Interpolation, Region, Sample, SampleFormat, VelocityCurve};
use wasm_bindgen::prelude::*;

pub use shared_words::SharedWords;

/// The largest block `process` renders in one call (the Web Audio render
/// quantum is 128; larger blocks serve offline rendering and benchmarks).
pub const MAX_BLOCK: usize = 4096;

/// The most bytes one loading step copies into wasm memory: the size of the
/// staging buffer the worklet writes each piece into.
pub const STAGING_BYTES: usize = 1 << 18;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[wasm_bindgen]
pub struct WasmSampler {
    host: Host,
    ring: Consumer<SharedWords>,
    left: Box<[f32]>,
    right: Box<[f32]>,
    /// Where the worklet writes each piece of an instrument it copies in
    /// (f32, i16 or bytes: f32 storage keeps every view aligned).
    staging: Box<[f32]>,
    load: Option<InstrumentLoad>,
    /// Replaced instruments and failed loads, freed a few samples per task.
    trash: Trash,
    /// For Rust callers that build an instrument whole (`add_sample`).
    pending_samples: Vec<Sample>,
    pending_regions: Vec<Region>,
}

#[wasm_bindgen]
impl WasmSampler {
    /// `ring` (a `SharedArrayBuffer`, or an `ArrayBuffer` the worklet fills
    /// itself) must hold a ring header written by `web/ring.js`.
    #[wasm_bindgen(constructor)]
    pub fn new(sample_rate: f32, ring: JsValue, max_polyphony: u32) -> Result<WasmSampler, JsError> {
        if !(sample_rate.is_finite() && sample_rate >= 1000.0) {
            return Err(JsError::new(&format!("unusable sample rate {sample_rate}")));
        }
        if !(ring.is_instance_of::<SharedArrayBuffer>() || ring.is_instance_of::<ArrayBuffer>()) {
            return Err(JsError::new("the ring must be a SharedArrayBuffer or an ArrayBuffer"));
        }
        let ring = Consumer::attach(SharedWords::new(&ring)).map_err(|e| JsError::new(&e.to_string()))?;
        let engine = Engine::new(sample_rate, max_polyphony as usize);
        Ok(WasmSampler {
            host: Host::new(engine, ring.capacity(), Host::DEFAULT_MAX_PENDING),
            ring,
            left: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            right: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            staging: vec![0.0; STAGING_BYTES / 4].into_boxed_slice(),
            load: None,
            trash: Trash::default(),
            pending_samples: Vec::new(),
            pending_regions: Vec::new(),
        })
    }

    /// Renders `frames` (at most `MAX_BLOCK`) frames starting at context
    /// frame `start_frame` into the output buffers, after taking every event
    /// from the ring. Called once per render quantum; never allocates.
    pub fn process(&mut self, start_frame: f64, frames: usize) {
        test_trap::trap_if_armed();
        let frames = frames.min(MAX_BLOCK);
        let start = if start_frame.is_finite() && start_frame > 0.0 {
            start_frame as u64
        } else {
            0
        };
        self.host.process(
            &mut self.ring,
            start,
            &mut self.left[..frames],
            &mut self.right[..frames],
        );
    }

    /// Address of the left output buffer in wasm memory (`MAX_BLOCK` floats).
    #[wasm_bindgen(js_name = leftPtr)]
    pub fn left_ptr(&self) -> *const f32 {
        self.left.as_ptr()
    }

    #[wasm_bindgen(js_name = rightPtr)]
    pub fn right_ptr(&self) -> *const f32 {
        self.right.as_ptr()
    }

    #[wasm_bindgen(js_name = maxBlock)]
    pub fn max_block() -> usize {
        MAX_BLOCK
    }

    #[wasm_bindgen(js_name = activeVoices)]
    pub fn active_voices(&self) -> usize {
        self.host.engine.active_voices()
    }

    #[wasm_bindgen(js_name = setMasterGain)]
    pub fn set_master_gain(&mut self, gain: f32) {
        self.host.engine.set_master_gain(gain);
    }

    /// Publishes the worklet's render-time measurements to the ring's
    /// statistics words (see `STAT_DSP_LOAD_PPM`, `STAT_OVER_BUDGET`).
    #[wasm_bindgen(js_name = publishTiming)]
    pub fn publish_timing(&mut self, load_ppm: u32, over_budget: u32) {
        self.ring.publish_stat(layout::STAT_DSP_LOAD_PPM, load_ppm);
        self.ring.publish_stat(layout::STAT_OVER_BUDGET, over_budget);
    }

    /// The most voices that sound at once, up to the constructor's
    /// `maxPolyphony`; returns the cap in effect.
    #[wasm_bindgen(js_name = setPolyphony)]
    pub fn set_polyphony(&mut self, voices: u32) -> u32 {
        self.host.engine.set_polyphony(voices as usize);
        self.host.engine.polyphony() as u32
    }

    /// Semitones added to every note played from now on (±48).
    #[wasm_bindgen(js_name = setTranspose)]
    pub fn set_transpose(&mut self, semitones: i32) {
        self.host.engine.note_input().set_transpose(semitones);
    }

    /// 0: linear, 1: soft, 2: hard, 3: every note at `fixed_velocity`.
    #[wasm_bindgen(js_name = setVelocityCurve)]
    pub fn set_velocity_curve(&mut self, curve: u32, fixed_velocity: u8) {
        let curve = match curve {
            1 => VelocityCurve::Soft,
            2 => VelocityCurve::Hard,
            3 => VelocityCurve::Fixed(fixed_velocity),
            _ => VelocityCurve::Linear,
        };
        self.host.engine.note_input().set_velocity_curve(curve);
    }

    /// 0: linear, 1: cubic Hermite.
    #[wasm_bindgen(js_name = setInterpolation)]
    pub fn set_interpolation(&mut self, mode: u32) {
        self.host.engine.set_interpolation(if mode == 1 {
            Interpolation::Hermite
        } else {
            Interpolation::Linear
        });
    }

    /// Address of the staging buffer (`STAGING_BYTES`, 4-byte aligned) the
    /// worklet writes each piece of an instrument into before appending it.
    #[wasm_bindgen(js_name = stagingPtr)]
    pub fn staging_ptr(&self) -> *const f32 {
        self.staging.as_ptr()
    }

    #[wasm_bindgen(js_name = stagingBytes)]
    pub fn staging_bytes() -> usize {
        STAGING_BYTES
    }

    /// Bytes a decoded region takes in memory (for the memory estimate
    /// in an `instrument-too-large` error).
    #[wasm_bindgen(js_name = regionSize)]
    pub fn region_size() -> usize {
        std::mem::size_of::<Region>()
    }

    /// Starts loading an instrument of `samples` samples holding
    /// `sample_bytes` bytes of data and `regions` regions encoded in
    /// `region_bytes` bytes (`encodeInstrument`), and makes room for them
    /// (`InstrumentLoad::try_new`); false when the memory is refused. The
    /// current instrument plays on; a load still in progress is dropped
    /// (freed by `freeSome`).
    #[wasm_bindgen(js_name = loadBegin)]
    pub fn load_begin(&mut self, samples: u32, region_bytes: u32, regions: u32, sample_bytes: f64) -> bool {
        self.load_abort();
        if !(sample_bytes >= 0.0 && sample_bytes < usize::MAX as f64) {
            return false;
        }
        match InstrumentLoad::try_new(samples as usize, region_bytes as usize, regions as usize, sample_bytes as usize) {
            Ok(load) => {
                self.load = Some(load);
                true
            }
            Err(_) => false,
        }
    }

    /// Reserves the next sample's final storage, with exact capacity and
    /// without filling it. False when the memory is refused (the load is
    /// then to be aborted: the instrument does not fit); an error for an
    /// unusable shape or rate.
    #[wasm_bindgen(js_name = loadReserveSample)]
    pub fn load_reserve_sample(&mut self, int16: bool, channels: u32, frames: u32, sample_rate: f32) -> Result<bool, JsError> {
        let format = if int16 { SampleFormat::I16 } else { SampleFormat::F32 };
        match self.loading()?.reserve_sample(format, channels as usize, frames as usize, sample_rate) {
            Ok(()) => Ok(true),
            Err(LoadError::OutOfMemory { .. }) => Ok(false),
            Err(e) => Err(load_error(e)),
        }
    }

    /// Appends the first `count` values of the staging buffer (f32 or i16,
    /// as the sample was reserved) to channel `channel` of sample `sample`,
    /// within the storage reserved for it.
    #[wasm_bindgen(js_name = loadAppendSamples)]
    pub fn load_append_samples(&mut self, sample: u32, channel: u32, count: u32) -> Result<(), JsError> {
        test_trap::trap_if_armed();
        let (sample, channel, count) = (sample as usize, channel as usize, count as usize);
        let Some(load) = self.load.as_mut() else { return Err(no_load()) };
        let staged_too_many = || JsError::new(&format!("{count} values do not fit the staging buffer"));
        let result = match load.writing_format() {
            Some(SampleFormat::F32) => {
                let values = self.staging.get(..count).ok_or_else(staged_too_many)?;
                load.append_f32(sample, channel, values)
            }
            Some(SampleFormat::I16) => {
                let staged: &[i16] = bytemuck::cast_slice(&self.staging);
                load.append_i16(sample, channel, staged.get(..count).ok_or_else(staged_too_many)?)
            }
            None => Err(LoadError::Sequence("a piece of a sample not reserved")),
        };
        result.map_err(load_error)
    }

    /// Appends the first `count` bytes of the staging buffer to the encoded regions.
    #[wasm_bindgen(js_name = loadAppendRegionBytes)]
    pub fn load_append_region_bytes(&mut self, count: u32) -> Result<(), JsError> {
        let staged: &[u8] = bytemuck::cast_slice(&self.staging);
        let bytes = staged
            .get(..count as usize)
            .ok_or_else(|| JsError::new(&format!("{count} bytes do not fit the staging buffer")))?;
        let Some(load) = self.load.as_mut() else { return Err(no_load()) };
        load.append_region_bytes(bytes).map_err(load_error)
    }

    /// Decodes up to `max` regions; true once all are decoded.
    #[wasm_bindgen(js_name = loadDecodeRegions)]
    pub fn load_decode_regions(&mut self, max: u32) -> Result<bool, JsError> {
        self.loading()?.decode_regions(max as usize).map_err(load_error)
    }

    /// Does about `budget` units of building the instrument (checking its
    /// regions, listing them by key); true once it is built.
    #[wasm_bindgen(js_name = loadBuild)]
    pub fn load_build(&mut self, budget: u32) -> Result<bool, JsError> {
        let result = self.loading()?.build_some(budget as usize);
        if result.is_err() {
            self.load_abort();
        }
        result.map_err(load_error)
    }

    /// Swaps the built instrument in; notes of the old one ring out.
    /// Returns its sample memory in bytes. The replaced instrument goes to
    /// `freeSome`.
    #[wasm_bindgen(js_name = loadCommit)]
    pub fn load_commit(&mut self) -> Result<f64, JsError> {
        let Some(load) = self.load.take() else { return Err(no_load()) };
        match load.finish() {
            Ok(instrument) => Ok(self.install(instrument) as f64),
            Err((e, load)) => {
                self.trash.push(Garbage::Load(load));
                Err(load_error(e))
            }
        }
    }

    /// Drops the load in progress, if any (freed by `freeSome`).
    #[wasm_bindgen(js_name = loadAbort)]
    pub fn load_abort(&mut self) {
        if let Some(load) = self.load.take() {
            self.trash.push(Garbage::Load(Box::new(load)));
        }
    }

    /// Frees up to `max_samples` samples of replaced instruments, failed
    /// loads and retired instruments whose notes have ended. Returns 1 when
    /// more is waiting to be freed, 2 when only retired instruments whose
    /// notes still sound are left, 0 when nothing is.
    #[wasm_bindgen(js_name = freeSome)]
    pub fn free_some(&mut self, max_samples: u32) -> u32 {
        for instrument in self.host.engine.collect_retired() {
            self.trash.push(Garbage::instrument(instrument));
        }
        self.trash.free_some(max_samples as usize);
        if !self.trash.is_empty() {
            1
        } else if self.host.engine.retired_count() > 0 {
            2
        } else {
            0
        }
    }
}

fn no_load() -> JsError {
    JsError::new("no instrument load in progress")
}

fn load_error(e: LoadError) -> JsError {
    JsError::new(&e.to_string())
}

impl WasmSampler {
    fn loading(&mut self) -> Result<&mut InstrumentLoad, JsError> {
        self.load.as_mut().ok_or_else(no_load)
    }

    /// Swaps `instrument` in; the one it replaces (unless it is retired
    /// while its notes ring out) waits in the trash. Returns its bytes.
    fn install(&mut self, instrument: Instrument) -> usize {
        let bytes = instrument.memory_bytes();
        if let Some(old) = self.host.engine.set_instrument(instrument) {
            self.trash.push(Garbage::instrument(old));
        }
        bytes
    }

    /// Rust callers (tests) can build an instrument whole, not in steps:
    /// `begin_instrument`, `add_sample`/`add_sample_i16`, `add_region`,
    /// `commit_instrument`. The worklet never does.
    pub fn begin_instrument(&mut self) {
        self.pending_samples.clear();
        self.pending_regions.clear();
    }

    /// Adds a mono (`right` absent) or stereo f32 sample; returns its index.
    pub fn add_sample(&mut self, left: Vec<f32>, right: Option<Vec<f32>>, sample_rate: f32) -> Result<u32, JsError> {
        let channels = match right {
            Some(r) => vec![left, r],
            None => vec![left],
        };
        self.push_sample(Sample::new(channels, sample_rate))
    }

    /// Adds a 16-bit sample, kept as 16-bit.
    pub fn add_sample_i16(&mut self, left: Vec<i16>, right: Option<Vec<i16>>, sample_rate: f32) -> Result<u32, JsError> {
        let channels = match right {
            Some(r) => vec![left, r],
            None => vec![left],
        };
        self.push_sample(Sample::from_i16(channels, sample_rate))
    }

    fn push_sample(&mut self, sample: Result<Sample, sampler_core::sample::SampleError>) -> Result<u32, JsError> {
        self.pending_samples.push(sample.map_err(|e| JsError::new(&e.to_string()))?);
        Ok(self.pending_samples.len() as u32 - 1)
    }

    pub fn add_region(&mut self, region: Region) {
        self.pending_regions.push(region);
    }

    /// Swaps in the instrument built since `begin_instrument`, with
    /// `options` as `encodeInstrument` takes them (or undefined).
    pub fn commit_instrument(&mut self, options: JsValue) -> Result<usize, JsError> {
        let options = loader::InstrumentOptions::from_js(options)?;
        let mut regions = std::mem::take(&mut self.pending_regions);
        options.apply_release(&mut regions);
        let samples = std::mem::take(&mut self.pending_samples);
        let mut instrument = Instrument::new(samples, regions).map_err(|e| JsError::new(&e.to_string()))?;
        options.header().apply(&mut instrument);
        Ok(self.install(instrument))
    }
}

/// The ring layout constants as this build sees them, so JavaScript can
/// check that `web/ring.js` agrees.
#[wasm_bindgen(js_name = ringLayout)]
pub fn ring_layout() -> Result<JsValue, JsError> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct RingLayout {
        magic: u32,
        version: u32,
        w_magic: usize,
        w_version: usize,
        w_capacity: usize,
        w_write_index: usize,
        w_dropped: usize,
        w_read_index: usize,
        w_stats: usize,
        stat_received: usize,
        stat_late: usize,
        stat_quanta: usize,
        stat_active_voices: usize,
        stat_queue_dropped: usize,
        stat_queued: usize,
        stat_max_fill: usize,
        stat_invalid: usize,
        stat_dsp_load_ppm: usize,
        stat_over_budget: usize,
        stat_layers_dropped: usize,
        stat_voices_cut: usize,
        stat_count: usize,
        header_words: usize,
        record_words: usize,
        flag_immediate: u8,
        max_capacity: u32,
    }
    use layout::*;
    let l = RingLayout {
        magic: MAGIC,
        version: VERSION,
        w_magic: W_MAGIC,
        w_version: W_VERSION,
        w_capacity: W_CAPACITY,
        w_write_index: W_WRITE_INDEX,
        w_dropped: W_DROPPED,
        w_read_index: W_READ_INDEX,
        w_stats: W_STATS,
        stat_received: STAT_RECEIVED,
        stat_late: STAT_LATE,
        stat_quanta: STAT_QUANTA,
        stat_active_voices: STAT_ACTIVE_VOICES,
        stat_queue_dropped: STAT_QUEUE_DROPPED,
        stat_queued: STAT_QUEUED,
        stat_max_fill: STAT_MAX_FILL,
        stat_invalid: STAT_INVALID,
        stat_dsp_load_ppm: STAT_DSP_LOAD_PPM,
        stat_over_budget: STAT_OVER_BUDGET,
        stat_layers_dropped: STAT_LAYERS_DROPPED,
        stat_voices_cut: STAT_VOICES_CUT,
        stat_count: STAT_COUNT,
        header_words: HEADER_WORDS,
        record_words: RECORD_WORDS,
        flag_immediate: FLAG_IMMEDIATE,
        max_capacity: MAX_CAPACITY,
    };
    serde_wasm_bindgen::to_value(&l).map_err(|e| JsError::new(&e.to_string()))
}
