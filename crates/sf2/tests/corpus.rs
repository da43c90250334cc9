//! The committed regression corpus (`tests/corpus/`, written by
//! `tests/corpus/make.mjs`; also the seed corpus of the cargo-fuzz target
//! in `fuzz/`): every file goes the fuzz target's way. It is parsed, every
//! preset built as the web loader builds it (SF3 samples by stand-ins of a
//! decoded length) and played, every note with extreme controllers
//! (`sampler_stress`). Nothing may panic, make an allocation the input
//! does not justify, or sound wrong; `bad-*` files must give an error or
//! warnings, `ok-*` files neither, and must sound. New findings of the
//! fuzzer go here, minimised (see FUZZING.md).

use sampler_core::Instrument;
use sampler_sf2::SoundFont;
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Tracking;
static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged and only
// records the largest size asked for.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// Parses `bytes` and builds every preset; returns the warnings and the
/// instruments, or the first error as text.
fn load(name: &str, bytes: &[u8], seed: u64) -> Result<(Vec<String>, Vec<Instrument>), String> {
    let font = SoundFont::parse(name, bytes).map_err(|e| e.to_string())?;
    let mut warnings = font.warnings().to_vec();
    let mut instruments = Vec::new();
    for preset in sampler_stress::sf2::presets(&font, usize::MAX, seed) {
        instruments.push(preset.instrument?);
        warnings.extend(preset.warnings);
    }
    Ok((warnings, instruments))
}

#[test]
fn corpus_files_never_panic_and_bad_ones_are_reported() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".sf2") || n.ends_with(".sf3"))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "corpus missing: {names:?}");
    for name in names {
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        let seed = sampler_stress::seed_of(&bytes);
        LARGEST.store(0, Ordering::Relaxed);
        let result = std::panic::catch_unwind(|| load(&name, &bytes, seed)).unwrap_or_else(|_| panic!("{name}: the loader panicked"));
        // The font keeps one copy of its sample data and converts it once;
        // size fields (up to 4 GB here) must not be believed.
        let largest = LARGEST.load(Ordering::Relaxed);
        assert!(largest <= 8 * bytes.len() + (1 << 20), "{name}: an allocation of {largest} bytes for {} bytes of input", bytes.len());
        let instruments = match (name.starts_with("bad-"), result) {
            (true, Ok((w, instruments))) => {
                assert!(!w.is_empty(), "{name}: loaded without a warning");
                instruments
            }
            (true, Err(e)) => {
                assert!(e.contains(&name), "{name}: the error does not name the file: {e}");
                continue;
            }
            (false, Ok((w, instruments))) => {
                assert!(w.is_empty(), "{name}: {w:?}");
                assert!(!instruments.is_empty(), "{name}: no preset");
                instruments
            }
            (false, Err(e)) => panic!("{name}: {e}"),
        };
        for instrument in instruments {
            let played = std::panic::catch_unwind(|| sampler_stress::play_everything(instrument, seed))
                .unwrap_or_else(|_| panic!("{name}: playing it failed (see the message above)"));
            assert!(played.peak_voices > 0 || name.starts_with("bad-"), "{name}: nothing sounded");
        }
    }
}
