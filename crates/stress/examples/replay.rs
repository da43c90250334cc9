//! Replays SFZ or SF2 inputs through the fuzz targets' path and prints the
//! time each takes: `cargo run --release -p sampler-stress --example replay -- file...`
//! (how FUZZING.md's figures for one input were measured).

use std::time::Instant;

fn main() {
    for path in std::env::args().skip(1) {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let seed = sampler_stress::seed_of(&data);
        let start = Instant::now();
        let what = if path.ends_with(".sf2") || path.ends_with(".sf3") {
            match sampler_sf2::SoundFont::parse("fuzz.sf2", &data) {
                Ok(font) => {
                    let presets = sampler_stress::sf2::presets(&font, 32, seed);
                    let played: Vec<_> = presets
                        .into_iter()
                        .filter_map(|p| p.instrument.ok())
                        .take(4)
                        .map(|i| sampler_stress::play_everything(i, seed))
                        .collect();
                    format!("{} presets played, peak voices {:?}", played.len(), played.iter().map(|p| p.peak_voices).max())
                }
                Err(e) => format!("error: {e}"),
            }
        } else {
            let text = String::from_utf8_lossy(&data);
            let (first, second) = data.split_at(data.len() / 2);
            let mut read = |p: &str| match p {
                "a.sfz" => Some(String::from_utf8_lossy(first).into_owned()),
                "b.sfz" => Some(String::from_utf8_lossy(second).into_owned()),
                _ => None,
            };
            match sampler_sfz::parse("fuzz.sfz", &text, &mut read) {
                Ok(parsed) => match sampler_stress::sfz::instrument(&parsed, seed) {
                    Ok(i) => format!("{} regions, {:?}", parsed.regions.len(), sampler_stress::play_everything(i, seed)),
                    Err(e) => format!("instrument refused: {e}"),
                },
                Err(e) => format!("error: {e}"),
            }
        };
        println!("{path}: {:.2} ms: {what}", start.elapsed().as_secs_f64() * 1e3);
    }
}
