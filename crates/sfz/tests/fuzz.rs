//! Hostile input: `parse` must return Ok or Err, never panic, and what it
//! returns must hold together. A deterministic xorshift drives mutations of
//! valid files so failures reproduce.

use sampler_sfz::{parse, SfzError, SfzInstrument, MAX_WARNINGS};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    "<control> default_path=s/ note_offset=1\n<global> volume=-3 polyphony=8\n<group> lovel=1 hivel=64\n<region> sample=a b.wav key=c4 loop_mode=loop_continuous loop_start=10 loop_end=99\n",
    "#define $K 60\n#include \"inc.sfz\"\n<region> sample=x\\y.wav lokey=$K hikey=$K+2 // c\n/* b */<region>sample=z.wav trigger=release rt_decay=3",
    "<global> sw_lokey=24 sw_hikey=26 sw_default=24 cutoff=500 fil_type=hpf_2p fileg_depth=1200\r\n<group> sw_last=25 lfo01_freq=3 lfo01_pitch=20 pitchlfo_freq=4 pitchlfo_depth=5\r\n<region> sample=p.wav seq_length=2 seq_position=2 lorand=0.1 hirand=0.9 group=1 off_by=1\r\n",
    "<curve> v000=0 v127=1\n<effect> type=fverb\n<master> amplfo_freq=2 amplfo_depth=3 ampeg_sustain=50\n<region> sample=*sine\n<region> sample=q.wav xfin_lovel=1 xfin_hivel=40 pitch_keycenter=sample",
];

const TOKENS: &[&str] = &[
    "<",
    ">",
    "<region>",
    "<group>",
    "<global>",
    "<master>",
    "<control>",
    "<curve>",
    "=",
    "==",
    "$",
    "$K",
    "$$",
    "#define $K ",
    "#define $R $R",
    "#include \"inc.sfz\"",
    "#include \"self.sfz\"",
    "#include \"",
    "/*",
    "*/",
    "//",
    "\r\n",
    "\n",
    "\t",
    " ",
    "\\",
    "\"",
    "sample=",
    "lokey=",
    "key=c#",
    "loop_end=",
    "loop_end=4294967295",
    "offset=-1",
    "pan=1e999",
    "volume=99999999999999999999999999999",
    "tune=nan",
    "é",
    "♯",
    "\u{0}",
    "\u{FEFF}",
    "lfo02_freq=1",
    "lfo1_",
    "fil_type=",
    "trigger=release_key",
    "seq_length=0",
    "-",
    ".",
    "0.5.5",
];

/// Files the seeds include: a small one, and one that includes itself.
fn read_include(path: &str) -> Option<String> {
    match path {
        "inc.sfz" => Some("<group> pan=10\n<region> sample=inc.wav".into()),
        "self.sfz" => Some("<region> sample=s.wav\n#include \"self.sfz\"".into()),
        _ => None,
    }
}

fn mutate(rng: &mut XorShift, seed: &str) -> String {
    let mut s: Vec<char> = seed.chars().collect();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(s.len() + 1);
        match rng.below(6) {
            0 => {
                let tok = TOKENS[rng.below(TOKENS.len())];
                s.splice(at..at, tok.chars());
            }
            1 if !s.is_empty() => {
                let end = (at + 1 + rng.below(12)).min(s.len());
                s.drain(at.min(end)..end);
            }
            2 => {
                let c = char::from_u32(rng.below(0x3000) as u32).unwrap_or('?');
                s.insert(at, c);
            }
            3 if !s.is_empty() => {
                let start = rng.below(s.len());
                let end = (start + rng.below(40)).min(s.len());
                let copy: Vec<char> = s[start..end].to_vec();
                let at = at.min(s.len());
                s.splice(at..at, copy);
            }
            // Rare: cutting the file mostly just loses its regions.
            4 if rng.below(8) == 0 => s.truncate(at),
            _ => {
                let b = (rng.next() & 0x7f) as u8 as char;
                s.insert(at, b);
            }
        }
    }
    s.into_iter().collect()
}

/// What any successful parse must satisfy.
fn check(inst: &SfzInstrument) {
    assert!(!inst.regions.is_empty());
    assert_eq!(inst.regions.len(), inst.from_sample.len());
    assert!(inst.warnings.len() <= MAX_WARNINGS + 1);
    for r in &inst.regions {
        assert!(r.sample < inst.samples.len());
        assert!(
            r.key_lo <= r.key_hi && r.key_hi <= 127 && r.vel_lo <= r.vel_hi && r.vel_hi <= 127 && r.root_key <= 127
        );
        let floats = [
            r.tune_cents,
            r.volume_db,
            r.pan,
            r.amp_veltrack,
            r.rand_lo,
            r.rand_hi,
            r.delay,
            r.lfo.frequency_hz,
            r.lfo.to_pitch_cents,
        ];
        assert!(floats.iter().all(|x| x.is_finite()), "{r:?}");
        assert!((-1.0..=1.0).contains(&r.pan) && (0.0..=1.0).contains(&r.amp_veltrack));
        if let Some(f) = r.filter {
            assert!(f.cutoff_hz.is_finite() && f.cutoff_hz >= 0.0);
        }
    }
    if let Some((lo, hi)) = inst.keyswitch_range {
        assert!(lo <= hi && hi <= 127);
    }
}

fn run(text: &str) -> Result<SfzInstrument, SfzError> {
    let result = parse("fuzz.sfz", text, &mut read_include);
    if let Ok(inst) = &result {
        check(inst);
    }
    result
}

#[test]
fn seeds_parse() {
    for seed in SEEDS {
        let inst = run(seed).unwrap_or_else(|e| panic!("{e}"));
        assert!(!inst.samples.is_empty());
    }
}

#[test]
fn mutated_files_never_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let (mut ok, mut err) = (0, 0);
    for i in 0..4000 {
        let seed = SEEDS[i % SEEDS.len()];
        let text = mutate(&mut rng, seed);
        let outcome = std::panic::catch_unwind(|| run(&text).is_ok());
        match outcome {
            Ok(true) => ok += 1,
            Ok(false) => err += 1,
            Err(_) => panic!("iteration {i} panicked on {text:?}"),
        }
    }
    // Most mutations leave something playable; some break every region.
    assert!(ok > 3000 && err > 0, "ok {ok}, err {err}");
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(12345);
    for _ in 0..1000 {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = run(&text);
    }
}

#[test]
fn pathological_shapes() {
    let long = "a".repeat(1 << 20);
    let cases = [
        String::new(),
        "<".into(),
        "<<<<>>>>".into(),
        "<region".into(),
        "=".into(),
        "=value <region> =x sample=a.wav".into(),
        "<region> sample".into(),
        "<region> sample= ".into(),
        "/*".into(),
        "*/ <region> sample=a.wav".into(),
        "#".into(),
        "#define".into(),
        "#define $".into(),
        "#include".into(),
        format!("<region> sample={long}.wav"),
        format!("<region> sample=a.wav {long}=1"),
        format!("<region> sample=a.wav x={}", "$".repeat(100_000)),
        format!("#define $A 1\n<region> sample=a.wav x=${long}"),
        format!("<region> sample=a.wav lokey={}", "9".repeat(100_000)),
        format!("<region> sample=a.wav {}", " a".repeat(200_000)),
        "<region> sample=a.wav\n".repeat(2000) + &"\n".repeat(100_000),
        format!("<{long}>"),
        "<region> sample=a.wav\n".to_string() + &"bad\n".repeat(5000),
    ];
    for (i, text) in cases.iter().enumerate() {
        let r = std::panic::catch_unwind(|| run(text).map(|inst| (inst.regions.len(), inst.warnings.len())));
        assert!(r.is_ok(), "case {i} panicked");
    }
    // Spot-check a few outcomes.
    assert_eq!(run(&cases[5]).unwrap().samples, ["a.wav"]);
    assert_eq!(run(&cases[14]).unwrap().samples[0].len(), (1 << 20) + 4);
    let flood = run(cases.last().unwrap()).unwrap();
    assert_eq!(flood.warnings.len(), MAX_WARNINGS + 1);
    assert_eq!(flood.warnings.last().unwrap().message, "4000 more warnings not shown");
    assert_eq!(run(&cases[20]).unwrap().regions.len(), 2000);
    assert!(matches!(run(""), Err(SfzError::NoRegions { .. })));
}
