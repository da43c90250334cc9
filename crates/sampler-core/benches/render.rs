//! Cost of the render loop per voice per output frame
//! (`cargo bench -p sampler-core --bench render`). Throughput is reported
//! in voice-frames per second; its inverse is the cost per voice-frame.
//! Wall-clock based: on a shared machine prefer `--bench render_cpu`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;

mod scene;
use scene::*;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("render 128 frames");
    group.sample_size(20);
    for (name, interpolation, filter) in CASES {
        for voices in VOICES {
            let mut engine = engine(voices, interpolation, filter);
            let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
            group.throughput(Throughput::Elements((voices * BLOCK) as u64));
            group.bench_with_input(BenchmarkId::new(name, voices), &voices, |b, _| {
                b.iter(|| {
                    engine.render(&mut l, &mut r);
                    black_box(l[0])
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
