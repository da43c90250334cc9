//! The committed regression corpus (`tests/corpus/`, also the seed corpus
//! of the cargo-fuzz target in `fuzz/`): every file goes the fuzz target's
//! way. It is parsed as the web loader does (bytes decoded as UTF-8,
//! lossily; includes from the same folder), then built into an instrument
//! with stand-in samples and played, every note with extreme controllers
//! (`sampler_stress`). Nothing may panic, make an allocation the input does
//! not justify, or sound wrong; `bad-*` files must give an error or
//! warnings, `ok-*` files neither, and must sound. New findings of the
//! fuzzer go here, minimised (see FUZZING.md).

use sampler_sfz::{parse, MAX_TEXT_BYTES};
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

fn read_text(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|b| String::from_utf8_lossy(&b).into_owned())
}

#[test]
fn corpus_files_never_panic_and_bad_ones_are_reported() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut names: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert!(names.len() >= 10, "corpus missing: {names:?}");
    for name in names {
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let mut read = |p: &str| read_text(&dir.join(p.trim_start_matches('/')));
        LARGEST.store(0, Ordering::Relaxed);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(&name, &text, &mut read)));
        let largest = LARGEST.load(Ordering::Relaxed);
        let result = result.unwrap_or_else(|_| panic!("{name}: the parser panicked"));
        // Text is capped at MAX_TEXT_BYTES (with includes and $ expansion);
        // a few copies of that is the most any allocation may take.
        assert!(largest <= 4 * MAX_TEXT_BYTES, "{name}: an allocation of {largest} bytes");
        match (name.starts_with("bad-"), &result) {
            (true, Ok(inst)) => assert!(!inst.warnings.is_empty(), "{name}: parsed without a warning"),
            (true, Err(e)) => assert!(e.to_string().contains(&name), "{name}: the error does not name the file: {e}"),
            (false, Ok(inst)) => assert!(inst.warnings.is_empty(), "{name}: {:?}", inst.warnings),
            (false, Err(e)) => panic!("{name}: {e}"),
        }
        let Ok(parsed) = result else { continue };
        let seed = sampler_stress::seed_of(&bytes);
        let played = std::panic::catch_unwind(|| {
            let instrument = sampler_stress::sfz::instrument(&parsed, seed).ok()?;
            Some(sampler_stress::play_everything(instrument, seed))
        });
        let played = played.unwrap_or_else(|_| panic!("{name}: playing it failed (see the message above)"));
        if !name.starts_with("bad-") {
            let played = played.unwrap_or_else(|| panic!("{name}: no instrument could be built"));
            assert!(played.peak_voices > 0, "{name}: nothing sounded");
        }
    }
}
