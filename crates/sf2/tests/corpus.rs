//! The committed regression corpus (`tests/corpus/`, written by
//! `tests/corpus/make.mjs`; also the seed corpus of the cargo-fuzz target
//! in `fuzz/`): every file is parsed and every preset built (SF3 presets
//! laid out against a stand-in decoded length). Nothing may panic or make
//! an allocation the input does not justify; `bad-*` files must give an
//! error or warnings, `ok-*` files neither. New crashes found by fuzzing go
//! here, minimised.

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

/// Parses `bytes` and builds every preset; returns the warnings, or the
/// first error as text.
fn load(name: &str, bytes: &[u8]) -> Result<Vec<String>, String> {
    let font = SoundFont::parse(name, bytes).map_err(|e| e.to_string())?;
    let mut warnings = font.warnings().to_vec();
    for p in font.presets() {
        let layout = font.layout(p.index, &|_| Some(1000)).map_err(|e| e.to_string())?;
        warnings.extend(layout.warnings);
        if font.compressed_samples(p.index).is_empty() {
            font.instrument(p.index).map_err(|e| e.to_string())?;
        }
    }
    Ok(warnings)
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
        LARGEST.store(0, Ordering::Relaxed);
        let result = std::panic::catch_unwind(|| load(&name, &bytes)).unwrap_or_else(|_| panic!("{name}: the loader panicked"));
        // The font keeps one copy of its sample data and converts it once;
        // size fields (up to 4 GB here) must not be believed.
        let largest = LARGEST.load(Ordering::Relaxed);
        assert!(largest <= 8 * bytes.len() + (1 << 20), "{name}: an allocation of {largest} bytes for {} bytes of input", bytes.len());
        match (name.starts_with("bad-"), result) {
            (true, Ok(w)) => assert!(!w.is_empty(), "{name}: loaded without a warning"),
            (true, Err(e)) => assert!(e.contains(&name), "{name}: the error does not name the file: {e}"),
            (false, Ok(w)) => assert!(w.is_empty(), "{name}: {w:?}"),
            (false, Err(e)) => panic!("{name}: {e}"),
        }
    }
}
