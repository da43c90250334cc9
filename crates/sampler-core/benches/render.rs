//! Cost of the render loop per voice per output frame
//! (`cargo bench -p sampler-core --bench render`). Throughput is reported
//! in voice-frames per second; its inverse is the cost per voice-frame.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sampler_core::filter::FilterKind;
use sampler_core::midi::MidiMessage;
use sampler_core::region::{EnvelopeParams, FilterParams};
use sampler_core::{Engine, Instrument, Interpolation, LoopMode, Region, Sample};
use std::hint::black_box;

const BLOCK: usize = 128;

fn engine(voices: usize, interpolation: Interpolation, filter: bool) -> Engine {
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

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("render 128 frames");
    group.sample_size(20);
    for (interpolation, name) in [(Interpolation::Linear, "linear"), (Interpolation::Hermite, "hermite")] {
        for filter in [false, true] {
            for voices in [16usize, 64, 256, 1024] {
                let mut engine = engine(voices, interpolation, filter);
                let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
                group.throughput(Throughput::Elements((voices * BLOCK) as u64));
                let id = format!("{name}{}", if filter { "+filter" } else { "" });
                group.bench_with_input(BenchmarkId::new(id, voices), &voices, |b, _| {
                    b.iter(|| {
                        engine.render(&mut l, &mut r);
                        black_box(l[0])
                    })
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
