//! Robustness: a deterministic fuzz loop over mutated small fonts (parse
//! and instrument building must never panic, nor make an allocation the
//! input does not justify), and the real General MIDI fonts when installed.

use crate::testutil::{gen, Builder, TSample, TZone};
use crate::SoundFont;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Instant;

// ---- Allocation tracking (this thread's largest single allocation) ----

struct Tracking;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note_size(size: usize) {
    let _ = LARGEST.try_with(|l| {
        if size > l.get() {
            l.set(size);
        }
    });
}

// SAFETY: forwards every call to the system allocator unchanged; the
// bookkeeping touches only a const-initialised thread-local Cell, which
// never allocates.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_size(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_size(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_size(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

// ---- Fuzzing ----

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A small font touching most of the format: global zones, loops, offsets,
/// modulators, both LFOs, the filter, stereo links, 24-bit data.
fn seed_font() -> Builder {
    let smpl: Vec<i16> = (0..600).map(|i| ((i * 37) % 2000 - 1000) as i16).collect();
    let mut f = Builder::new(smpl);
    f.version = (2, 4);
    f.sm24 = Some((0..600).map(|i| i as u8).collect());
    let a = f.sample(TSample::new("A", 0, 200, 60).looped(20, 180));
    let l = f.sample(TSample {
        link: 2,
        kind: 4,
        ..TSample::new("L", 250, 400, 64).looped(260, 390)
    });
    let r = f.sample(TSample {
        link: 1,
        kind: 2,
        ..TSample::new("R", 400, 550, 64).looped(410, 540)
    });
    let i0 = f.instrument(
        "Keys",
        vec![
            TZone::gens(&[
                gen::i(48, 30),
                gen::i(54, 1),
                gen::i(8, 9000),
                gen::i(11, -1200),
                gen::i(6, 40),
            ])
            .with_mods(&[(0x0502, 48, 700, 0, 0)]),
            TZone::gens(&[
                gen::key(0, 63),
                gen::i(2, 4),
                gen::i(3, -4),
                gen::i(0, 3),
                gen::sample(a),
            ]),
            TZone::gens(&[
                gen::key(64, 127),
                gen::vel(0, 90),
                gen::i(17, -500),
                gen::i(13, 50),
                gen::i(5, 10),
                gen::sample(l),
            ]),
            TZone::gens(&[
                gen::key(64, 127),
                gen::vel(0, 90),
                gen::i(17, 500),
                gen::i(39, 100),
                gen::sample(r),
            ]),
        ],
    );
    let i1 = f.instrument(
        "Hat",
        vec![TZone::gens(&[
            gen::key(42, 46),
            gen::i(57, 1),
            gen::i(46, 50),
            gen::i(47, 100),
            gen::sample(a),
        ])],
    );
    f.preset(
        "Keys",
        0,
        0,
        vec![
            TZone::gens(&[gen::i(51, 2)]),
            TZone::gens(&[gen::key(10, 100), gen::instrument(i0)])
                .with_mods(&[(0x0102, 8, 300, 0, 0)]),
        ],
    );
    f.preset(
        "Kit",
        0,
        128,
        vec![
            TZone::gens(&[gen::instrument(i1)]),
            TZone::gens(&[gen::instrument(i0)]),
        ],
    );
    f
}

/// Offsets of every chunk size field (the 4 bytes after a known id).
fn size_fields(bytes: &[u8]) -> Vec<usize> {
    const IDS: [&[u8; 4]; 16] = [
        b"RIFF", b"LIST", b"ifil", b"isng", b"INAM", b"smpl", b"sm24", b"phdr", b"pbag", b"pmod",
        b"pgen", b"inst", b"ibag", b"imod", b"igen", b"shdr",
    ];
    (0..bytes.len().saturating_sub(8))
        .filter(|&i| IDS.iter().any(|id| &bytes[i..i + 4] == *id))
        .map(|i| i + 4)
        .collect()
}

fn mutate(rng: &mut XorShift, base: &[u8], sizes: &[usize]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(6) {
            0 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(b.len());
                    if let Some(x) = b.get_mut(i) {
                        *x ^= 1 << rng.below(8);
                    }
                }
            }
            1 => b.truncate(rng.below(b.len() + 1)),
            2 => {
                // Rewrite a chunk size: random, huge, tiny or off by a little.
                let at = sizes[rng.below(sizes.len())];
                let old = b
                    .get(at..at + 4)
                    .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
                let new = match rng.below(4) {
                    0 => rng.next() as u32,
                    1 => u32::MAX - rng.below(16) as u32,
                    2 => rng.below(16) as u32,
                    _ => old.wrapping_add(rng.below(9) as u32).wrapping_sub(4),
                };
                if let Some(s) = b.get_mut(at..at + 4) {
                    s.copy_from_slice(&new.to_le_bytes());
                }
            }
            3 => {
                // Extreme 16-bit values (bag indices, generator amounts).
                let i = rng.below(b.len().saturating_sub(1));
                let v = [0u16, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff][rng.below(8)];
                if let Some(s) = b.get_mut(i..i + 2) {
                    s.copy_from_slice(&v.to_le_bytes());
                }
            }
            4 => {
                let i = rng.below(b.len());
                let n = rng.below(16).min(b.len() - i);
                b.drain(i..i + n);
            }
            _ => {
                let i = rng.below(b.len() + 1);
                let junk: Vec<u8> = (0..rng.below(16)).map(|_| rng.next() as u8).collect();
                b.splice(i..i, junk);
            }
        }
        if b.is_empty() {
            break;
        }
    }
    b
}

fn exercise(bytes: &[u8]) -> (bool, usize) {
    let mut regions = 0;
    let Ok(sf) = SoundFont::parse("fuzz.sf2", bytes) else {
        return (false, 0);
    };
    let _ = sf.presets();
    let _ = sf.find_preset(0, 0);
    for p in 0..sf.hydra.preset_count() + 1 {
        if let Ok(inst) = sf.instrument(p) {
            regions += inst.regions().len();
        }
    }
    (true, regions)
}

#[test]
fn mutated_fonts_never_panic_or_overallocate() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let seeds = [seed_font().build(), crate::e2e_tests::font().build()];
    // The seeds themselves are fully playable.
    for s in &seeds {
        let sf = SoundFont::parse("seed.sf2", s).unwrap();
        for p in 0..sf.hydra.preset_count() {
            sf.instrument(p).unwrap();
        }
    }
    let (mut parsed, mut regions) = (0, 0);
    const ROUNDS: usize = 4000;
    for round in 0..ROUNDS {
        let base = &seeds[round % seeds.len()];
        let sizes = size_fields(base);
        let input = mutate(&mut rng, base, &sizes);
        LARGEST.with(|l| l.set(0));
        let outcome = std::panic::catch_unwind(|| exercise(&input));
        let largest = LARGEST.with(Cell::get);
        let (ok, n) =
            outcome.unwrap_or_else(|_| panic!("round {round}: panicked on input {:?}", input));
        parsed += usize::from(ok);
        regions += n;
        assert!(
            largest <= 8 * input.len() + 65536,
            "round {round}: allocated {largest} bytes for {} input bytes",
            input.len()
        );
    }
    println!("fuzz: {ROUNDS} rounds, {parsed} parsed, {regions} regions built");
    // The mutations must leave some inputs valid and break others.
    assert!(
        parsed > ROUNDS / 10 && parsed < ROUNDS,
        "{parsed} of {ROUNDS} parsed"
    );
    assert!(regions > 0);
}

#[test]
fn huge_declared_sizes_allocate_nothing_large() {
    let base = seed_font().build();
    for at in size_fields(&base) {
        let mut b = base.clone();
        b[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        LARGEST.with(|l| l.set(0));
        assert!(
            SoundFont::parse("big.sf2", &b).is_err(),
            "size field at {at}"
        );
        assert!(LARGEST.with(Cell::get) <= 4 * base.len() + 65536);
    }
}

// ---- Real fonts ----

/// Builds every preset's instrument; with `every` > 1 (unoptimised builds
/// of a very large font) only every n-th preset and the drum kits, since
/// converting all of FluidR3's samples takes half a minute there. Every
/// preset is still planned (zones, generators, sample checks) at parse.
fn check_real_font(path: &str, every: usize) {
    let Ok(bytes) = std::fs::read(path) else {
        println!("note: {path} is not installed; skipped");
        return;
    };
    let start = Instant::now();
    let sf = SoundFont::parse(path, &bytes).unwrap();
    let parsed = start.elapsed();
    let presets = sf.presets();
    let (mut regions, mut samples, mut memory) = (0, 0, 0);
    let mut built = 0;
    let first_kit = presets.iter().position(|p| p.bank == 128);
    for (n, p) in presets.iter().enumerate() {
        if n % every != 0 && Some(n) != first_kit {
            continue;
        }
        built += 1;
        let inst = sf.instrument(p.index).unwrap_or_else(|e| panic!("{e}"));
        assert!(!inst.regions().is_empty());
        regions += inst.regions().len();
        samples += inst.samples().len();
        memory += inst.memory_bytes();
    }
    println!(
        "{path}: {} presets ({built} built), {regions} regions, {samples} samples ({} MB), {} warnings; parse {parsed:?}, parse + build {:?}",
        presets.len(),
        memory / 1_000_000,
        sf.warnings().len(),
        start.elapsed()
    );
    for w in sf.warnings().iter().take(40) {
        println!("  warning: {w}");
    }
    assert!(presets.len() > 100, "{} presets", presets.len());
    assert!(
        presets.iter().any(|p| p.bank == 128),
        "no drum kit in bank 128"
    );
    assert!(sf.find_preset(0, 0).is_some());
}

#[test]
fn timgm6mb_loads_every_preset() {
    check_real_font("/usr/share/sounds/sf2/TimGM6mb.sf2", 1);
}

#[test]
fn fluidr3_gm_loads_every_preset() {
    check_real_font(
        "/usr/share/sounds/sf2/FluidR3_GM.sf2",
        if cfg!(debug_assertions) { 8 } else { 1 },
    );
}
