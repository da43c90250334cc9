//! Whole instruments in the styles found in the wild: a sampled piano split
//! over files with Windows line endings, a drum kit with choke groups and a
//! keyswitched synth patch.

use sampler_core::filter::FilterKind;
use sampler_core::{LoopMode, Trigger};
use sampler_sfz::{parse, FromSample, SfzError, SfzInstrument};

fn parse_with(path: &str, text: &str, files: &[(&str, &str)]) -> Result<SfzInstrument, SfzError> {
    let mut read = |p: &str| files.iter().find(|(n, _)| *n == p).map(|(_, t)| t.to_string());
    parse(path, text, &mut read)
}

const PIANO: &str = r#"// Upright piano, two velocity layers, release samples
<control>
default_path=Samples\Upright\
#define $SPLIT 64
#define $REL release

<global>
ampeg_attack=0.002 ampeg_release=0.8
polyphony=64
amp_veltrack=90
/* Key ranges below
   follow the recorded notes. */

<master> volume=-3

<group> hivel=$SPLIT   seq_length=2
<region> sample=C4 pp rr1.wav lokey=b3 hikey=c#4 pitch_keycenter=c4 seq_position=1
<region> sample=C4 pp rr2.wav lokey=b3 hikey=c#4 pitch_keycenter=c4 seq_position=2

<group> lovel=$SPLIT+1
<region> sample=C4 ff.wav key=60 tune=-3
<region>
sample=D4 ff.wav
lokey=62 hikey=63 pitch_keycenter=62
loop_mode=loop_sustain loop_start=1000 loop_end=43999

<group> trigger=$REL rt_decay=6 volume=-12
#include "parts\release.sfz"
"#;

const RELEASE: &str =
    "<region> sample=rel\\C4.wav key=60\n<region> sample=rel\\D4.wav lokey=62 hikey=63 pitch_keycenter=62\n";

#[test]
fn piano_with_include_crlf_and_spaces() {
    let text = PIANO.replace('\n', "\r\n");
    let release = RELEASE.replace('\n', "\r\n");
    let inst = parse_with("instruments\\Upright.sfz", &text, &[("instruments/parts/release.sfz", &release)]).unwrap();
    assert_eq!(
        inst.samples,
        [
            "instruments/Samples/Upright/C4 pp rr1.wav",
            "instruments/Samples/Upright/C4 pp rr2.wav",
            "instruments/Samples/Upright/C4 ff.wav",
            "instruments/Samples/Upright/D4 ff.wav",
            "instruments/parts/Samples/Upright/rel/C4.wav",
            "instruments/parts/Samples/Upright/rel/D4.wav",
        ]
    );
    // `lovel=$SPLIT+1` is "64+1": the number is read, the rest warned about.
    assert_eq!(inst.warnings.len(), 1, "{:?}", inst.warnings);
    assert_eq!(inst.warnings[0].file, "instruments/Upright.sfz");
    assert_eq!(inst.warnings[0].line, 20);
    assert_eq!(inst.polyphony, Some(64));
    assert_eq!(inst.regions.len(), 6);

    let r = &inst.regions;
    for x in r {
        assert_eq!(x.amp_env.attack, 0.002);
        assert_eq!(x.amp_env.release, 0.8);
        assert!((x.amp_veltrack - 0.9).abs() < 1e-6);
    }
    assert_eq!((r[0].key_lo, r[0].key_hi, r[0].root_key), (59, 61, 60));
    assert_eq!((r[0].vel_lo, r[0].vel_hi), (1, 64));
    assert_eq!((r[0].seq_length, r[0].seq_position, r[1].seq_position), (2, 1, 2));
    assert_eq!(r[0].volume_db, -3.0);
    assert_eq!((r[2].key_lo, r[2].key_hi, r[2].root_key, r[2].tune_cents), (60, 60, 60, -3.0));
    assert_eq!((r[2].vel_lo, r[2].vel_hi, r[2].seq_length), (64, 127, 1));
    assert_eq!((r[3].loop_mode, r[3].loop_start, r[3].loop_end), (LoopMode::Sustain, 1000, 44000));
    assert_eq!(inst.from_sample[3], FromSample { root_key: false, loop_mode: false, loop_points: false });
    assert_eq!(inst.from_sample[2], FromSample { root_key: false, loop_mode: true, loop_points: true });
    for x in &r[4..] {
        assert_eq!((x.trigger, x.rt_decay_db, x.volume_db), (Trigger::Release, 6.0, -12.0));
        assert_eq!((x.vel_lo, x.vel_hi), (1, 127), "a new <group> resets the velocity split");
    }
    assert_eq!((r[5].key_lo, r[5].key_hi, r[5].root_key), (62, 63, 62));
    assert_eq!(r.iter().map(|x| x.sample).collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5]);
}

const DRUMS: &str = "\
<control> default_path=kit/
<global> loop_mode=one_shot ampeg_release=0.05 amp_veltrack=100
<group> key=36 // kick, two round-robins by random
<region> sample=kick_1.wav lorand=0 hirand=0.5
<region> sample=kick_2.wav lorand=0.5 hirand=1
<group> group=1 off_by=1 volume=-2
<region> sample=hh_closed.wav key=42
<region> sample=hh_pedal.wav key=44
<region> sample=hh_open.wav key=46 loop_mode=no_loop ampeg_release=0.3
<group>
<region> sample=kick_1.wav key=c2 transpose=12 pan=-30 delay=0.01 offset=200
";

#[test]
fn drum_kit_with_choke_groups() {
    let inst = parse_with("drums.sfz", DRUMS, &[]).unwrap();
    assert!(inst.warnings.is_empty(), "{:?}", inst.warnings);
    assert_eq!(
        inst.samples,
        ["kit/kick_1.wav", "kit/kick_2.wav", "kit/hh_closed.wav", "kit/hh_pedal.wav", "kit/hh_open.wav"]
    );
    let r = &inst.regions;
    assert_eq!(r.len(), 6);
    assert_eq!((r[0].rand_lo, r[0].rand_hi, r[1].rand_lo, r[1].rand_hi), (0.0, 0.5, 0.5, 1.0));
    assert_eq!((r[0].key_lo, r[0].key_hi, r[0].group), (36, 36, 0));
    for x in &r[2..5] {
        assert_eq!((x.group, x.off_by, x.volume_db), (1, 1, -2.0));
    }
    assert_eq!(r[3].loop_mode, LoopMode::OneShot);
    assert_eq!((r[4].loop_mode, r[4].amp_env.release), (LoopMode::NoLoop, 0.3));
    let last = &r[5];
    assert_eq!(
        (last.sample, last.key_lo, last.transpose, last.pan, last.delay, last.offset),
        (0, 36, 12, -0.3, 0.01, 200)
    );
    assert_eq!((last.group, last.loop_mode), (0, LoopMode::OneShot));
}

const SYNTH: &str = "\
<control> note_offset=12 // this bank was authored an octave low
<global> sw_lokey=c1 sw_hikey=d1 sw_default=c1 note_polyphony=1
  cutoff=1200 fil_type=lpf_2p resonance=6 fil_veltrack=2400 fil_keytrack=50 fil_keycenter=c3
  fileg_attack=0.01 fileg_decay=0.4 fileg_sustain=30 fileg_depth=2400
<group> sw_last=c1 lfo01_freq=5 lfo01_pitch=15 lfo01_delay=0.3 lfo01_fade=0.5
<region> sample=saw.wav lokey=c2 hikey=b5 pitch_keycenter=c3 loop_mode=loop_continuous
<group> sw_last=c#1 fil_type=hpf_2p amplfo_freq=4 amplfo_depth=3 pitchlfo_freq=6 pitchlfo_depth=10
<region> sample=pad.wav lokey=c2 hikey=b5 pitch_keycenter=c3 loop_mode=loop_continuous loop_start=10 loop_end=9
";

#[test]
fn keyswitched_synth_with_filters_and_lfos() {
    let inst = parse_with("synth.sfz", SYNTH, &[]).unwrap();
    // Keys were shifted by note_offset; LFO rates 4 vs 6 conflict; the
    // second region's loop is backwards.
    assert_eq!((inst.keyswitch_range, inst.keyswitch_default), (Some((36, 38)), Some(36)));
    assert_eq!(inst.note_polyphony, Some(1));
    let msgs: Vec<String> = inst.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].starts_with("synth.sfz:7: one LFO per region: `pitchlfo_freq=6`"), "{msgs:?}");
    assert!(msgs[1].starts_with("synth.sfz:8: loop end 9"), "{msgs:?}");

    let (a, b) = (&inst.regions[0], &inst.regions[1]);
    assert_eq!((a.sw_last, b.sw_last), (Some(36), Some(37)));
    assert_eq!((a.key_lo, a.key_hi, a.root_key), (48, 95, 60));
    let fa = a.filter.unwrap();
    assert_eq!(
        (fa.kind, fa.cutoff_hz, fa.resonance_db, fa.veltrack_cents, fa.keytrack_cents, fa.keycenter),
        (FilterKind::LowPass, 1200.0, 6.0, 2400.0, 50.0, 60)
    );
    assert_eq!(
        (fa.envelope.attack, fa.envelope.decay, fa.envelope.sustain, fa.envelope_depth_cents),
        (0.01, 0.4, 0.3, 2400.0)
    );
    assert_eq!(b.filter.unwrap().kind, FilterKind::HighPass);
    assert_eq!((a.lfo.frequency_hz, a.lfo.to_pitch_cents, a.lfo.delay, a.lfo.fade), (5.0, 15.0, 0.3, 0.5));
    assert_eq!((b.lfo.frequency_hz, b.lfo.to_volume_db, b.lfo.to_pitch_cents), (4.0, 3.0, 10.0));
    assert_eq!((a.loop_mode, a.loop_end), (LoopMode::Continuous, 0));
    assert!(inst.from_sample[0].loop_points && !inst.from_sample[0].loop_mode);
    assert_eq!((b.loop_start, b.loop_end, inst.from_sample[1].loop_points), (10, 0, true));
}

#[test]
fn includes_nest_with_defines_in_paths() {
    let files = [
        ("lib/common.sfz", "#define $DIR layers\n<global> volume=-1\n#include \"$DIR/soft.sfz\""),
        ("lib/layers/soft.sfz", "<region> sample=../../wav/soft.wav hivel=60\n#include \"../../lib/extra.sfz\""),
        ("lib/extra.sfz", "<region> sample=x.wav lovel=61\n  oops=1"),
    ];
    let inst = parse_with("main.sfz", "#include \"lib/common.sfz\"\n<region> sample=$DIR/main.wav", &files).unwrap();
    assert_eq!(inst.samples, ["wav/soft.wav", "lib/x.wav", "layers/main.wav"]);
    assert_eq!(inst.regions.iter().map(|r| r.volume_db).collect::<Vec<_>>(), [-1.0, -1.0, -1.0]);
    assert_eq!(inst.warnings.len(), 1);
    assert_eq!(inst.warnings[0].to_string(), "lib/extra.sfz:2: unsupported opcode `oops`; ignored");
}

#[test]
fn include_errors() {
    let e = parse_with("a/main.sfz", "<region> sample=x.wav\n\n#include \"sub/missing.sfz\"", &[]).unwrap_err();
    assert_eq!(e, SfzError::IncludeMissing { file: "a/main.sfz".into(), line: 3, path: "a/sub/missing.sfz".into() });
    assert!(e.to_string().contains("a/sub/missing.sfz"));

    // A ping-pong between two files never ends on its own.
    let files = [("a.sfz", "#include \"b.sfz\""), ("b.sfz", "<region> sample=x.wav\n#include \"a.sfz\"")];
    let e = parse_with("a.sfz", "#include \"b.sfz\"", &files).unwrap_err();
    match &e {
        SfzError::IncludeTooDeep { file, line, limit, .. } => {
            assert_eq!((file.as_str(), *line, *limit), ("a.sfz", 1, 16))
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("nests more than 16"));

    // Exactly 16 levels is fine.
    let chain: Vec<(String, String)> = (1..=16)
        .map(|i| {
            (
                format!("l{i}.sfz"),
                if i < 16 { format!("#include \"l{}.sfz\"", i + 1) } else { "<region> sample=deep.wav".into() },
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = chain.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let inst = parse_with("l0.sfz", "#include \"l1.sfz\"", &refs).unwrap();
    assert_eq!(inst.samples, ["deep.wav"]);
}
