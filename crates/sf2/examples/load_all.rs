//! Loads every preset of the SoundFonts named on the command line and
//! prints timings: `cargo run --release -p sampler-sf2 --example load_all -- a.sf2 b.sf2`.

use sampler_sf2::SoundFont;
use std::time::Instant;

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let start = Instant::now();
        let font = match SoundFont::parse(&path, &bytes) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        let parsed = start.elapsed();
        let (mut regions, mut samples, mut bytes_out, mut failed) = (0, 0, 0, 0);
        let presets = font.presets();
        let (mut slowest, mut slowest_name) = (std::time::Duration::ZERO, String::new());
        for p in &presets {
            let t = Instant::now();
            match font.instrument(p.index) {
                Ok(i) => {
                    regions += i.regions().len();
                    samples += i.samples().len();
                    bytes_out += i.memory_bytes();
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("{e}");
                }
            }
            if t.elapsed() > slowest {
                slowest = t.elapsed();
                slowest_name = p.name.clone();
            }
        }
        let total = start.elapsed();
        println!(
            "{path}: {} MB, {} presets ({failed} failed), {regions} regions, {samples} samples, {} MB of f32; \
             parse {:.1} ms, parse + all presets {:.1} ms ({:.2} ms per preset, slowest '{slowest_name}' {:.1} ms); {} warnings",
            bytes.len() / 1_000_000,
            presets.len(),
            bytes_out / 1_000_000,
            parsed.as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3,
            (total - parsed).as_secs_f64() * 1e3 / presets.len().max(1) as f64,
            slowest.as_secs_f64() * 1e3,
            font.warnings().len()
        );
    }
}
