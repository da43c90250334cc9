//! The engine as the AudioWorklet sees it.
//!
//! [`WasmSampler`] owns a [`Host`] (engine + event scheduler), the consumer
//! end of the `SharedArrayBuffer` ring, and two preallocated output buffers
//! that the worklet reads through cached `Float32Array` views. Nothing called
//! from `process()` allocates or creates JS objects: the ring is read through
//! `Atomics` and `Int32Array` element access on a view created once.
//!
//! Instruments are built between quanta (from the worklet's message handler):
//! `beginInstrument`, `addSample`/`addSampleI16`, `addRegionValue`,
//! `commitInstrument`. Parsing instrument files happens on the main thread
//! ([`loader`]), never in the worklet.

pub mod loader;
mod region_fields;
mod shared_words;

use js_sys::{ArrayBuffer, SharedArrayBuffer};
use midi_ring::{layout, Consumer};
use sampler_core::{Engine, Host, Instrument, Interpolation, Region, Sample, VelocityCurve};
use wasm_bindgen::prelude::*;

pub use shared_words::SharedWords;

/// The largest block `process` renders in one call (the Web Audio render
/// quantum is 128; larger blocks serve offline rendering and benchmarks).
pub const MAX_BLOCK: usize = 4096;

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
            pending_samples: Vec::new(),
            pending_regions: Vec::new(),
        })
    }

    /// Renders `frames` (at most `MAX_BLOCK`) frames starting at context
    /// frame `start_frame` into the output buffers, after taking every event
    /// from the ring. Called once per render quantum; never allocates.
    pub fn process(&mut self, start_frame: f64, frames: usize) {
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

    /// Starts building a new instrument; the current one keeps playing.
    #[wasm_bindgen(js_name = beginInstrument)]
    pub fn begin_instrument(&mut self) {
        self.pending_samples.clear();
        self.pending_regions.clear();
    }

    /// Whether `bytes` more can be allocated: tries to, without trapping
    /// (as a failed allocation would), and frees them again for the
    /// samples that follow. Wasm memory cannot shrink, so what was grown
    /// stays available to this module's allocator. Called before an
    /// instrument's samples are copied in, so that an instrument too large
    /// for the memory the browser grants fails cleanly.
    #[wasm_bindgen(js_name = canAllocate)]
    pub fn can_allocate(&mut self, bytes: f64) -> bool {
        if !(bytes >= 0.0 && bytes < usize::MAX as f64) {
            return false;
        }
        let mut probe: Vec<u8> = Vec::new();
        probe.try_reserve_exact(bytes as usize).is_ok()
    }

    /// Adds a mono (`right` absent) or stereo f32 sample; returns its index.
    #[wasm_bindgen(js_name = addSample)]
    pub fn add_sample(
        &mut self,
        left: Vec<f32>,
        right: Option<Vec<f32>>,
        sample_rate: f32,
    ) -> Result<u32, JsError> {
        let channels = match right {
            Some(r) => vec![left, r],
            None => vec![left],
        };
        self.push_sample(Sample::new(channels, sample_rate))
    }

    /// Adds a 16-bit sample, kept as 16-bit (half the memory of f32).
    #[wasm_bindgen(js_name = addSampleI16)]
    pub fn add_sample_i16(
        &mut self,
        left: Vec<i16>,
        right: Option<Vec<i16>>,
        sample_rate: f32,
    ) -> Result<u32, JsError> {
        let channels = match right {
            Some(r) => vec![left, r],
            None => vec![left],
        };
        self.push_sample(Sample::from_i16(channels, sample_rate))
    }

    /// Adds a region: an object with `Region`'s fields (snake_case); missing
    /// fields take SFZ defaults. `sample` indexes the samples added so far.
    #[wasm_bindgen(js_name = addRegionValue)]
    pub fn add_region_value(&mut self, region: JsValue) -> Result<(), JsError> {
        if let Some(field) = region_fields::unknown_field(&region) {
            return Err(JsError::new(&format!("bad region: unknown field `{field}`")));
        }
        let region: Region = serde_wasm_bindgen::from_value(region)
            .map_err(|e| JsError::new(&format!("bad region: {e}")))?;
        self.pending_regions.push(region);
        Ok(())
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

    /// Validates the instrument built since `beginInstrument` and swaps it
    /// in (notes of the old one ring out); returns its sample memory in
    /// bytes. `options`: `{ release_seconds, polyphony, note_polyphony,
    /// keyswitch_range: [lo, hi], keyswitch_default }`, all optional.
    #[wasm_bindgen(js_name = commitInstrument)]
    pub fn commit_instrument(&mut self, options: JsValue) -> Result<usize, JsError> {
        let options: InstrumentOptions = if options.is_undefined() || options.is_null() {
            InstrumentOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| JsError::new(&format!("bad instrument options: {e}")))?
        };
        let samples = std::mem::take(&mut self.pending_samples);
        let mut regions = std::mem::take(&mut self.pending_regions);
        if let Some(release) = options
            .release_seconds
            .filter(|r| r.is_finite() && *r > 0.0)
        {
            for r in &mut regions {
                r.amp_env.release = release;
            }
        }
        let mut instrument =
            Instrument::new(samples, regions).map_err(|e| JsError::new(&e.to_string()))?;
        instrument.polyphony = options.polyphony;
        instrument.note_polyphony = options.note_polyphony;
        instrument.keyswitch_range = options.keyswitch_range;
        instrument.keyswitch_default = options.keyswitch_default;
        let bytes = instrument.memory_bytes();
        // Instruments are freed here, in the message handler, not in
        // process(): the one replaced (if no note of it sounds) and retired
        // ones whose notes have ended.
        drop(self.host.engine.set_instrument(instrument));
        drop(self.host.engine.collect_retired());
        Ok(bytes)
    }
}

impl WasmSampler {
    fn push_sample(
        &mut self,
        sample: Result<Sample, sampler_core::sample::SampleError>,
    ) -> Result<u32, JsError> {
        self.pending_samples
            .push(sample.map_err(|e| JsError::new(&e.to_string()))?);
        Ok(self.pending_samples.len() as u32 - 1)
    }

    /// Adds a region from Rust (tests and native-style callers).
    pub fn add_region(&mut self, region: Region) {
        self.pending_regions.push(region);
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct InstrumentOptions {
    release_seconds: Option<f32>,
    polyphony: Option<usize>,
    note_polyphony: Option<usize>,
    keyswitch_range: Option<(u8, u8)>,
    keyswitch_default: Option<u8>,
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
        stat_count: STAT_COUNT,
        header_words: HEADER_WORDS,
        record_words: RECORD_WORDS,
        flag_immediate: FLAG_IMMEDIATE,
        max_capacity: MAX_CAPACITY,
    };
    serde_wasm_bindgen::to_value(&l).map_err(|e| JsError::new(&e.to_string()))
}
