//! The benchmark scene shared by the render benches: N sustained voices of a
//! looped 440 Hz sine (44.1 kHz, mono, f32) played at 48 kHz, spread over
//! keys 21..=108 and channels, optionally through a resonant low-pass.

use sampler_core::filter::FilterKind;
use sampler_core::midi::MidiMessage;
use sampler_core::region::{EnvelopeParams, FilterParams};
use sampler_core::{Engine, Instrument, Interpolation, LoopMode, Region, Sample};

pub const BLOCK: usize = 128;

pub fn engine(voices: usize, interpolation: Interpolation, filter: bool) -> Engine {
    let rate = 44_100.0;
    let data = (0..44_100).map(|i| (std::f32::consts::TAU * 440.0 * i as f32 / rate).sin()).collect();
    let mut region = Region::new(0, 69);
    region.loop_mode = LoopMode::Continuous;
    (region.loop_start, region.loop_end) = (0, 44_100);
    if filter {
        region.filter = Some(FilterParams {
            kind: FilterKind::LowPass,
            cutoff_hz: 2000.0,
            resonance_db: 6.0,
            keytrack_cents: 0.0,
            keycenter: 60,
            veltrack_cents: 0.0,
            envelope: EnvelopeParams::amplitude(),
            envelope_depth_cents: 0.0,
        });
    }
    let instrument = Instrument::new(vec![Sample::new(vec![data], rate).unwrap()], vec![region]).unwrap();
    let mut engine = Engine::new(48_000.0, voices);
    engine.set_instrument(instrument);
    engine.set_interpolation(interpolation);
    for k in 0..voices {
        let (channel, note) = ((k / 88) as u8, 21 + (k % 88) as u8);
        engine.handle(MidiMessage::NoteOn { channel, note, velocity: 100 });
    }
    assert_eq!(engine.active_voices(), voices);
    engine
}

/// Every case the benches run: name, interpolation, filter on.
pub const CASES: [(&str, Interpolation, bool); 4] = [
    ("linear", Interpolation::Linear, false),
    ("linear+filter", Interpolation::Linear, true),
    ("hermite", Interpolation::Hermite, false),
    ("hermite+filter", Interpolation::Hermite, true),
];
pub const VOICES: [usize; 4] = [16, 64, 256, 1024];
