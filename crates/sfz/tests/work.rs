//! Bounded work: however small the input, parsing it costs at most about
//! `MAX_TEXT_BYTES + MAX_WORK` steps, and an input that needs more stops
//! with `SfzError::TooMuchWork`. Each case here did work that grew with
//! the product of two sizes in the input (or exponentially), and finished
//! with `Ok` after seconds to hours of a frozen page.

use sampler_sfz::{parse, SfzError, SfzInstrument, MAX_WORK};

fn none(_: &str) -> Option<String> {
    None
}

fn run(text: &str) -> Result<SfzInstrument, SfzError> {
    parse("x.sfz", text, &mut none)
}

fn assert_too_much_work(r: Result<SfzInstrument, SfzError>, line: usize) {
    match r {
        Err(e @ SfzError::TooMuchWork { .. }) => {
            assert_eq!(e, SfzError::TooMuchWork { file: "x.sfz".into(), line, limit: MAX_WORK });
            assert!(e.to_string().starts_with(&format!("x.sfz:{line}: parsing stopped")), "{e}");
        }
        Err(e) => panic!("expected TooMuchWork, got {e}"),
        Ok(inst) => panic!("expected TooMuchWork, parsed {} regions", inst.regions.len()),
    }
}

/// Issue 9, F7: the 41-byte file. Its define nests too deeply, so the
/// opcode is dropped with a warning after 16 steps, and the one region
/// has no sample.
#[test]
fn self_referential_define() {
    let text = "#define $D $D$D$D\n<region> sample=$D.wav\n";
    assert_eq!(text.len(), 41);
    assert_eq!(run(text).unwrap_err(), SfzError::NoRegions { file: "x.sfz".into(), headers: 1 });
    let inst = run(&format!("{text}<region> sample=ok.wav")).unwrap();
    assert_eq!(inst.samples, ["ok.wav"]);
    assert_eq!(inst.warnings.len(), 2, "{:?}", inst.warnings);
    assert!(inst.warnings[0].message.contains("(recursive #define?); `$D.wav` ignored"), "{}", inst.warnings[0]);
}

/// A 64 KiB `default_path` is joined to every `sample=` (2000 of them:
/// 128 MB of paths built and kept).
#[test]
fn long_default_path_used_again_and_again() {
    let text = format!("<control> default_path={}/\n<region>\n{}", "d".repeat(64 << 10), "sample=a.wav\n".repeat(2000));
    let r = run(&text);
    assert!(matches!(r, Err(SfzError::TooMuchWork { .. })), "{:?}", r.map(|i| i.regions.len()));
}

/// A 64 KiB sample name in `<global>` is copied into (and looked up for)
/// each of 2000 regions.
#[test]
fn long_inherited_sample_name() {
    let text = format!("<global> sample={}.wav\n{}", "s".repeat(64 << 10), "<region>\n".repeat(2000));
    let r = run(&text);
    assert!(matches!(r, Err(SfzError::TooMuchWork { .. })), "{:?}", r.map(|i| i.regions.len()));
}

/// Millions of bad tokens: each warning costs formatting and a lookup,
/// even once the list is full.
#[test]
fn flood_of_warnings() {
    let text = format!("<region> sample=a.wav\n{}", "x ".repeat(4 << 20));
    assert_too_much_work(run(&text), 2);
}

/// A realistic large instrument stays far inside the budget: 20,000
/// regions with defines, a default_path, inherited opcodes and a few
/// warnings.
#[test]
fn large_ordinary_instrument_parses() {
    let mut text = String::from("#define $VEL 64\n<control> default_path=Samples/Grand Piano/\n<global> ampeg_release=0.5 bogus=1\n");
    for g in 0..200 {
        text.push_str(&format!("<group> lovel=1 hivel=$VEL volume=-{}\n", g / 10));
        for k in 0..100 {
            text.push_str(&format!("<region> sample=Layer {g}/Key {k} v$VEL.wav lokey={k} hikey={k} pitch_keycenter={k}\n"));
        }
    }
    let inst = run(&text).unwrap();
    assert_eq!((inst.regions.len(), inst.samples.len(), inst.warnings.len()), (20_000, 20_000, 1));
    assert_eq!(inst.samples[0], "Samples/Grand Piano/Layer 0/Key 0 v64.wav");
}
