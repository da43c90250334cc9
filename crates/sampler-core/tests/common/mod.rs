//! Test instruments and measurements shared by the integration tests.
#![allow(dead_code)]

use midi_ring::{midi_buffer, MidiConsumer, MidiEvent, MidiProducer};
use sampler_core::alloc_guard::{self, CheckingAllocator};
use sampler_core::{Engine, Host, Instrument, Region, Sample};

// Every test binary that uses the rig runs each `Host::process` under the
// allocation check (see `sampler_core::alloc_guard`): a render path that
// allocates or frees fails the test that drove it.
#[global_allocator]
static ALLOCATOR: CheckingAllocator = CheckingAllocator;

pub const QUANTUM: usize = 128;
/// Master gain (0.5) × the default channel volume (CC7 = 100, squared law).
pub const UNITY: f32 = 0.5 * (100.0 / 127.0) * (100.0 / 127.0);

pub fn sine(freq: f32, sample_rate: f32, seconds: f32) -> Sample {
    let n = (sample_rate * seconds) as usize;
    let data = (0..n).map(|i| (std::f32::consts::TAU * freq * i as f32 / sample_rate).sin()).collect();
    Sample::new(vec![data], sample_rate).unwrap()
}

/// A constant signal: every output frame of a voice is non-zero, so the
/// first non-zero output frame is the note's onset.
pub fn dc(sample_rate: f32, seconds: f32) -> Sample {
    Sample::new(vec![vec![1.0; (sample_rate * seconds) as usize]], sample_rate).unwrap()
}

/// One sample covering the whole keyboard with root `root`.
pub fn single(sample: Sample, root: u8) -> Instrument {
    Instrument::new(vec![sample], vec![Region::new(0, root)]).unwrap()
}

/// One sample with a region shaped by `f`.
pub fn with_region(sample: Sample, root: u8, f: impl FnOnce(&mut Region)) -> Instrument {
    let mut r = Region::new(0, root);
    f(&mut r);
    Instrument::new(vec![sample], vec![r]).unwrap()
}

/// Several constant 3-second samples (levels), one region each, shaped by `f(i, region)`.
pub fn dc_layers(levels: &[f32], f: impl Fn(usize, &mut Region)) -> Instrument {
    let samples = levels.iter().map(|&l| Sample::new(vec![vec![l; 144_000]], 48_000.0).unwrap()).collect();
    let regions = (0..levels.len())
        .map(|i| {
            let mut r = Region::new(i, 60);
            r.amp_veltrack = 0.0;
            f(i, &mut r);
            r
        })
        .collect();
    Instrument::new(samples, regions).unwrap()
}

pub struct Rig {
    pub host: Host,
    pub tx: MidiProducer,
    pub rx: MidiConsumer,
    pub frame: u64,
}

impl Rig {
    pub fn new(sample_rate: f32, polyphony: usize, instrument: Instrument) -> Rig {
        Rig::with_ring(sample_rate, polyphony, instrument, 1024)
    }

    /// A rig whose ring holds `ring_capacity` events.
    pub fn with_ring(sample_rate: f32, polyphony: usize, instrument: Instrument, ring_capacity: usize) -> Rig {
        assert!(
            alloc_guard::checking() || !alloc_guard::ACTIVE,
            "a debug build must check allocation in Host::process"
        );
        let mut engine = Engine::new(sample_rate, polyphony);
        engine.set_instrument(instrument);
        let (tx, rx) = midi_buffer(ring_capacity);
        Rig { host: Host::new(engine, rx.capacity(), Host::DEFAULT_MAX_PENDING), tx, rx, frame: 0 }
    }

    pub fn send(&mut self, frame: u64, status: u8, d1: u8, d2: u8) {
        assert!(self.tx.try_send(MidiEvent::new(frame, status, d1, d2)));
    }

    /// Renders `frames` frames (mono: the left channel) in quanta of `block`.
    pub fn render_blocks(&mut self, frames: usize, block: usize) -> Vec<f32> {
        let mut out = Vec::with_capacity(frames);
        let (mut l, mut r) = (vec![0.0; block], vec![0.0; block]);
        while out.len() < frames {
            self.host.process(&mut self.rx, self.frame, &mut l, &mut r);
            assert_eq!(l, r, "mono samples must be centred");
            out.extend_from_slice(&l);
            self.frame += block as u64;
        }
        out.truncate(frames);
        out
    }

    pub fn render(&mut self, frames: usize) -> Vec<f32> {
        self.render_blocks(frames, QUANTUM)
    }

    /// Renders both channels.
    pub fn render_stereo(&mut self, frames: usize) -> (Vec<f32>, Vec<f32>) {
        let (mut outl, mut outr) = (Vec::with_capacity(frames), Vec::with_capacity(frames));
        let (mut l, mut r) = (vec![0.0; QUANTUM], vec![0.0; QUANTUM]);
        while outl.len() < frames {
            self.host.process(&mut self.rx, self.frame, &mut l, &mut r);
            outl.extend_from_slice(&l);
            outr.extend_from_slice(&r);
            self.frame += QUANTUM as u64;
        }
        outl.truncate(frames);
        outr.truncate(frames);
        (outl, outr)
    }
}

pub fn onset(signal: &[f32]) -> Option<usize> {
    signal.iter().position(|x| x.abs() > 1e-6)
}

pub fn peak(signal: &[f32]) -> f32 {
    signal.iter().fold(0.0, |m, x| m.max(x.abs()))
}

pub fn rms(signal: &[f32]) -> f32 {
    (signal.iter().map(|x| x * x).sum::<f32>() / signal.len() as f32).sqrt()
}

/// Frequency from the mean period between upward zero crossings, located
/// with linear interpolation.
pub fn frequency(signal: &[f32], sample_rate: f32) -> f64 {
    let mut crossings = Vec::new();
    for i in 1..signal.len() {
        let (a, b) = (signal[i - 1] as f64, signal[i] as f64);
        if a < 0.0 && b >= 0.0 {
            crossings.push(i as f64 - 1.0 + a / (a - b));
        }
    }
    assert!(crossings.len() > 10, "too few zero crossings to measure pitch");
    let periods = (crossings.len() - 1) as f64;
    f64::from(sample_rate) * periods / (crossings[crossings.len() - 1] - crossings[0])
}

pub fn cents(measured: f64, expected: f64) -> f64 {
    1200.0 * (measured / expected).log2()
}

/// Lowest and highest local pitch in cents from `reference`, over 40 ms
/// windows (at 48 kHz): how far vibrato swings.
pub fn pitch_range_cents(signal: &[f32], sample_rate: f32, reference: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for w in signal.chunks(1920).filter(|c| c.len() == 1920) {
        let c = cents(frequency(w, sample_rate), reference);
        lo = lo.min(c);
        hi = hi.max(c);
    }
    (lo, hi)
}

pub fn max_jump(signal: &[f32]) -> f32 {
    signal.windows(2).fold(0.0, |m, w| m.max((w[1] - w[0]).abs()))
}
