//! Ring throughput: one producer thread and one consumer thread passing
//! events as fast as they can (`cargo bench -p midi-ring`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use midi_ring::{midi_buffer, MidiEvent};
use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

const EVENTS: u64 = 1_000_000;

fn two_threads(capacity: usize, batch: usize) -> Duration {
    let (mut tx, mut rx) = midi_buffer(capacity);
    let start = Instant::now();
    let producer = thread::spawn(move || {
        let mut i = 0;
        while i < EVENTS {
            if tx.try_send(MidiEvent::new(i, 0x90, (i % 128) as u8, 100)) {
                i += 1;
            } else {
                std::hint::spin_loop();
            }
        }
    });
    let mut buf = vec![MidiEvent::default(); batch];
    let mut got = 0;
    let mut checksum = 0u64;
    while got < EVENTS {
        let n = rx.drain_into(&mut buf);
        for e in &buf[..n] {
            checksum = checksum.wrapping_add(e.frame);
        }
        got += n as u64;
    }
    producer.join().unwrap();
    black_box(checksum);
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("ring two threads");
    group.throughput(Throughput::Elements(EVENTS));
    group.sample_size(10);
    for (capacity, batch) in [(1024, 128), (1024, 1024), (4096, 1024)] {
        group.bench_function(format!("capacity {capacity}, drain {batch}"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| two_threads(capacity, batch)).sum())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("ring one thread");
    group.throughput(Throughput::Elements(1024));
    group.bench_function("send 1024 then drain 1024", |b| {
        let (mut tx, mut rx) = midi_buffer(1024);
        let mut buf = vec![MidiEvent::default(); 1024];
        b.iter(|| {
            for i in 0..1024u64 {
                tx.try_send(MidiEvent::new(i, 0x90, 60, 100));
            }
            black_box(rx.drain_into(&mut buf))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
