//! The render benchmark timed by this thread's CPU time instead of the wall
//! clock (`cargo bench -p sampler-core --bench render_cpu [-- FILTER]`).
//! On a machine shared with other work, wall-clock figures swing by ±25 %
//! or more when the thread is descheduled; CPU time does not count those
//! gaps. Each case reports the best of several rounds (Linux only: reads
//! `/proc/thread-self/schedstat`).
//!
//! With `RENDER_BLOCKS=n` in the environment, each selected case instead
//! renders exactly `n` blocks, untimed: for counting instructions, e.g.
//! `valgrind --tool=cachegrind` at two values of `n` (the difference
//! cancels the set-up), when the machine is too busy for stable timings.

use std::hint::black_box;

mod scene;
use scene::*;

/// Nanoseconds this thread has run on a CPU.
fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux schedstat");
    s.split_whitespace().next().and_then(|t| t.parse().ok()).expect("schedstat format")
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters case names.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let fixed: Option<usize> = std::env::var("RENDER_BLOCKS").ok().and_then(|n| n.parse().ok());
    if fixed.is_none() {
        println!("ns per voice-frame (CPU time, best of 5 rounds of ~0.2 s)");
    }
    for (name, interpolation, with_filter) in CASES {
        for voices in VOICES {
            let id = format!("{name}/{voices}");
            if !filter.is_empty() && !filter.iter().any(|f| id.contains(f.as_str())) {
                continue;
            }
            let mut engine = engine(voices, interpolation, with_filter);
            let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
            if let Some(n) = fixed {
                for _ in 0..n {
                    engine.render(&mut l, &mut r);
                }
                black_box(l[0]);
                continue;
            }
            let blocks = (50_000_000 / (voices * BLOCK)).max(10);
            for _ in 0..blocks / 4 {
                engine.render(&mut l, &mut r);
            }
            let mut best = f64::MAX;
            for _ in 0..5 {
                let t0 = cpu_ns();
                for _ in 0..blocks {
                    engine.render(&mut l, &mut r);
                    black_box(l[0]);
                }
                best = best.min((cpu_ns() - t0) as f64 / (blocks * voices * BLOCK) as f64);
            }
            println!("{id:<22} {best:6.2}");
        }
    }
}
