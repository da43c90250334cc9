//! End-to-end tests: small fonts written with the test writer, parsed, and
//! turned into instruments whose regions and samples are checked exactly.

use crate::testutil::{gen, Builder, TSample, TZone};
use crate::{PresetInfo, Sf2Error, SoundFont};
use sampler_core::{LoopMode, Sample};

const A_RATE: u32 = 22050;

/// Sample A: 100 points rising from -15000 by 300; sample B: 100 points
/// falling from 7000 by 200; each followed by the 46 zero points the spec
/// asks for.
fn sample_points() -> (Vec<i16>, Vec<i16>) {
    let a: Vec<i16> = (0..100).map(|i| (i * 300 - 15000) as i16).collect();
    let b: Vec<i16> = (0..100).map(|i| (7000 - i * 200) as i16).collect();
    (a, b)
}

pub(crate) fn font() -> Builder {
    let (a, b) = sample_points();
    let mut smpl = a.clone();
    smpl.extend([0; 46]);
    smpl.extend(&b);
    smpl.extend([0; 46]);
    let mut f = Builder::new(smpl);
    let low = f.sample(TSample {
        rate: A_RATE,
        correction: 5,
        ..TSample::new("Low", 0, 100, 48).looped(10, 90)
    });
    let high = f.sample(TSample::new("High", 146, 246, 72).looped(150, 240));
    let split = f.instrument(
        "Split",
        vec![
            // Global: 60 cB, 1 s release, continuous loop by default.
            TZone::gens(&[gen::i(48, 60), gen::i(38, 0), gen::i(54, 1)]),
            TZone::gens(&[
                gen::key(0, 59),
                gen::i(17, -500),
                gen::i(34, -1200),
                gen::sample(low),
            ]),
            TZone::gens(&[
                gen::key(60, 127),
                gen::vel(1, 100),
                gen::i(58, 70),
                gen::i(17, 250),
                gen::i(54, 3),
                gen::i(2, 2),
                gen::sample(high),
            ]),
            TZone::gens(&[
                gen::key(60, 127),
                gen::vel(101, 127),
                gen::i(54, 0),
                gen::sample(high),
            ]),
        ],
    );
    let drums = f.instrument(
        "Drums",
        vec![
            TZone::gens(&[
                gen::key(42, 42),
                gen::i(57, 1),
                gen::i(37, 1000),
                gen::i(36, 0),
                gen::sample(low),
            ]),
            TZone::gens(&[
                gen::key(46, 46),
                gen::i(57, 1),
                gen::i(1, -20),
                gen::sample(low),
            ]),
            TZone::gens(&[gen::key(36, 36), gen::sample(high)]),
        ],
    );
    // Listed out of order on purpose: presets() sorts.
    f.preset("Kit", 0, 128, vec![TZone::gens(&[gen::instrument(drums)])]);
    f.preset(
        "Piano",
        1,
        0,
        vec![
            TZone::gens(&[gen::i(48, 40)]), // preset global: +40 cB
            TZone::gens(&[gen::key(36, 96), gen::i(52, -10), gen::instrument(split)]),
        ],
    );
    f
}

fn parse(b: &Builder) -> SoundFont {
    SoundFont::parse("test.sf2", &b.build()).unwrap()
}

/// Sample equality through Debug (the core keeps its data private).
/// Same points at the same rate, stored as 16-bit (a 16-bit font stays 16-bit).
fn same_sample(s: &Sample, points: &[i16], rate: u32) -> bool {
    matches!(s.data(), sampler_core::sample::SampleData::I16(_))
        && s.frames() == points.len()
        && s.sample_rate() == rate as f32
        && points
            .iter()
            .enumerate()
            .all(|(i, &p)| s.value(0, i) == f32::from(p) / 32768.0)
}

#[test]
fn presets_are_listed_sorted_and_found() {
    let sf = parse(&font());
    assert!(sf.warnings().is_empty(), "{:?}", sf.warnings());
    assert_eq!(sf.title(), "test font");
    assert_eq!(sf.version(), Some((2, 1)));
    assert_eq!(
        sf.presets(),
        vec![
            PresetInfo {
                name: "Piano".into(),
                bank: 0,
                program: 1,
                index: 1
            },
            PresetInfo {
                name: "Kit".into(),
                bank: 128,
                program: 0,
                index: 0
            },
        ]
    );
    assert_eq!(sf.find_preset(0, 1), Some(1));
    assert_eq!(sf.find_preset(128, 0), Some(0));
    assert_eq!(sf.find_preset(0, 0), None);
}

#[test]
fn split_preset_regions_combine_generators_exactly() {
    let sf = parse(&font());
    let inst = sf.instrument(1).unwrap();
    assert_eq!(inst.regions().len(), 3);
    assert_eq!(
        inst.samples().len(),
        2,
        "the two zones playing 'High' share one converted sample"
    );

    let low = &inst.regions()[0];
    assert_eq!(
        (low.key_lo, low.key_hi, low.vel_lo, low.vel_hi),
        (36, 59, 0, 127)
    );
    assert_eq!(
        (
            low.root_key,
            low.transpose,
            low.tune_cents,
            low.keytrack_cents
        ),
        (48, 0, -5.0, 100.0)
    );
    // (60 instrument + 40 preset) cB = 10 dB nominal, × 0.4.
    assert_eq!((low.volume_db, low.pan), (-4.0, -1.0));
    assert_eq!(
        (low.loop_mode, low.loop_start, low.loop_end, low.offset),
        (LoopMode::Continuous, 10, 90, 0)
    );
    assert_eq!(
        (
            low.amp_env.attack,
            low.amp_env.release,
            low.amp_env.delay,
            low.amp_env.hold
        ),
        (0.5, 1.0, 0.0, 0.0)
    );
    assert_eq!((low.group, low.off_by, low.amp_veltrack), (0, 0, 1.0));
    assert_eq!(low.filter, None);
    assert!(same_sample(
        &inst.samples()[low.sample],
        &sample_points().0,
        A_RATE
    ));

    let soft = &inst.regions()[1];
    assert_eq!(
        (soft.key_lo, soft.key_hi, soft.vel_lo, soft.vel_hi),
        (60, 96, 1, 100)
    );
    assert_eq!(
        (soft.root_key, soft.tune_cents, soft.pan, soft.volume_db),
        (70, -10.0, 0.5, -4.0)
    );
    // shdr loop 150..240 relative to start 146, plus startloopAddrsOffset 2.
    assert_eq!(
        (soft.loop_mode, soft.loop_start, soft.loop_end),
        (LoopMode::Sustain, 6, 94)
    );
    assert_eq!(soft.amp_env.attack, 0.001);

    let loud = &inst.regions()[2];
    assert_eq!((loud.vel_lo, loud.vel_hi, loud.root_key), (101, 127, 72));
    assert_eq!(
        (loud.loop_mode, loud.loop_start, loud.loop_end),
        (LoopMode::NoLoop, 4, 94)
    );
    assert_eq!(soft.sample, loud.sample);
    assert!(same_sample(
        &inst.samples()[loud.sample],
        &sample_points().1,
        44100
    ));
}

#[test]
fn drum_kit_exclusive_class_and_end_offsets() {
    let sf = parse(&font());
    let kit = sf.instrument(sf.find_preset(128, 0).unwrap()).unwrap();
    assert_eq!(kit.regions().len(), 3);
    let (closed, open, kick) = (&kit.regions()[0], &kit.regions()[1], &kit.regions()[2]);
    assert_eq!(
        (closed.key_lo, closed.key_hi, closed.group, closed.off_by),
        (42, 42, 1, 1)
    );
    assert_eq!((open.key_lo, open.group, open.off_by), (46, 1, 1));
    assert_eq!((kick.key_lo, kick.group, kick.off_by), (36, 0, 0));
    // Sustain 1000 cB is silence: the note ends after the decay (1 s).
    assert_eq!((closed.amp_env.sustain, closed.amp_env.decay), (0.0, 1.0));
    // endAddrsOffset -20 extracts a shorter copy of 'Low'.
    assert_ne!(closed.sample, open.sample);
    assert_eq!(kit.samples()[closed.sample].frames(), 100);
    assert_eq!(kit.samples()[open.sample].frames(), 80);
    assert!(same_sample(
        &kit.samples()[open.sample],
        &sample_points().0[..80],
        A_RATE
    ));
    assert_eq!(kit.samples().len(), 3);
}

#[test]
fn stereo_pairs_become_two_panned_mono_regions() {
    let (a, b) = sample_points();
    let mut f = Builder::new([a, b].concat());
    let l = f.sample(TSample {
        link: 1,
        kind: 4,
        ..TSample::new("L", 0, 100, 60)
    });
    let r = f.sample(TSample {
        link: 0,
        kind: 2,
        ..TSample::new("R", 100, 200, 60)
    });
    let i = f.instrument(
        "Stereo",
        vec![
            TZone::gens(&[gen::i(17, -500), gen::sample(l)]),
            TZone::gens(&[gen::i(17, 500), gen::sample(r)]),
        ],
    );
    f.preset("P", 0, 0, vec![TZone::gens(&[gen::instrument(i)])]);
    let inst = parse(&f).instrument(0).unwrap();
    assert_eq!(
        inst.regions().iter().map(|r| r.pan).collect::<Vec<_>>(),
        vec![-1.0, 1.0]
    );
    assert_eq!(inst.samples().len(), 2);
    assert!(inst
        .samples()
        .iter()
        .all(|s| !s.is_stereo() && s.frames() == 100));
}

#[test]
fn twenty_four_bit_samples_use_sm24() {
    let mut f = Builder::new(vec![0x0100, -2, 0x7fff, 0]);
    f.version = (2, 4);
    f.sm24 = Some(vec![0x80, 0x01, 0xff, 0x00]);
    let s = f.sample(TSample::new("s", 0, 3, 60));
    let i = f.instrument("I", vec![TZone::gens(&[gen::sample(s)])]);
    f.preset("P", 0, 0, vec![TZone::gens(&[gen::instrument(i)])]);
    let sf = parse(&f);
    assert!(sf.is_24bit());
    let inst = sf.instrument(0).unwrap();
    let want = [0x01_0080 as f32, (-2 * 256 + 1) as f32, 0x7f_ffff as f32].map(|v| v / 8_388_608.0);
    let expected = Sample::new(vec![want.to_vec()], 44100.0).unwrap();
    assert_eq!(format!("{:?}", inst.samples()[0]), format!("{expected:?}"));
}

#[test]
fn unusable_samples_skip_their_zones_with_warnings() {
    let mut f = Builder::new(vec![1; 300]);
    let good = f.sample(TSample::new("Good", 0, 100, 60));
    let rom = f.sample(TSample {
        kind: 0x8001,
        ..TSample::new("Rom", 0, 100, 60)
    });
    let long = f.sample(TSample::new("Long", 100, 12_345_678, 60));
    let empty = f.sample(TSample::new("Empty", 50, 50, 60));
    let i = f.instrument(
        "Mixed",
        [good, rom, long, empty]
            .iter()
            .map(|&s| TZone::gens(&[gen::sample(s)]))
            .collect(),
    );
    let bad = f.instrument("Bad", vec![TZone::gens(&[gen::sample(rom)])]);
    f.preset("Mixed", 0, 0, vec![TZone::gens(&[gen::instrument(i)])]);
    f.preset("Bad", 1, 0, vec![TZone::gens(&[gen::instrument(bad)])]);
    let sf = parse(&f);
    assert_eq!(
        sf.warnings(),
        &[
            "sample 'Rom' is a ROM sample (type 0x8001), which is not in the file; zones using it are skipped".to_string(),
            "sample 'Long' end 12345678 is past the sample data (300 points); zones using it are skipped".to_string(),
            "sample 'Empty' is empty (start = end = 50); zones using it are skipped".to_string(),
            "preset 'Bad' has no playable zones".to_string(),
        ]
    );
    assert_eq!(sf.instrument(0).unwrap().regions().len(), 1);
    let e = sf.instrument(1).unwrap_err();
    assert_eq!(
        e,
        Sf2Error::NoPlayableRegions {
            file: "test.sf2".into(),
            preset: "Bad".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "test.sf2: preset 'Bad' has no playable zones (see the warnings)"
    );
    assert_eq!(
        sf.instrument(2).unwrap_err().to_string(),
        "test.sf2: preset index 2 is out of range (the file has 2 presets)"
    );
}

#[test]
fn zone_oddities_become_warnings() {
    let mut f = Builder::new(vec![1; 300]);
    let s = f.sample(TSample::new("S", 0, 100, 60));
    let i = f.instrument(
        "I",
        vec![
            TZone::gens(&[gen::sample(s)]),
            TZone::gens(&[gen::i(17, 100)]), // not first, no sampleID
            TZone::gens(&[gen::i(99, 1), gen::i(7, 100), gen::sample(9)]),
        ],
    );
    f.preset(
        "P",
        0,
        0,
        vec![
            TZone::gens(&[gen::i(48, 2000), gen::instrument(i)]),
            TZone::gens(&[gen::instrument(7)]),
        ],
    );
    f.presets.push(("High".into(), 200, 0, vec![]));
    let sf = parse(&f);
    assert_eq!(
        sf.warnings(),
        &[
            "preset 'High' has program 200, past 127; it is not listed".to_string(),
            "instrument 'I' zone 1 has no sampleID generator; ignored".to_string(),
            "instrument 'I' zone 2: unknown generator 99 ignored".to_string(),
            "instrument 'I' zone 2 refers to sample 9, but the file has 1; ignored".to_string(),
            "preset 'P' zone 1 refers to instrument 7, but the file has 1; ignored".to_string(),
            "preset 'P': some settings are beyond what SoundFont 2 allows, so the nearest allowed values play: attenuation, how much quieter the sound plays (initialAttenuation)".to_string(),
            "preset 'High' has no playable zones".to_string(),
        ]
    );
    let inst = sf.instrument(0).unwrap();
    assert_eq!(inst.regions().len(), 1);
    assert_eq!(inst.regions()[0].volume_db, -144.0 * 0.4); // clamped to 1440 cB
    assert_eq!(sf.presets().len(), 1);
}

#[test]
fn modulators_override_velocity_defaults_and_others_are_reported() {
    let mut f = Builder::new(vec![1; 300]);
    let s = f.sample(TSample::new("S", 0, 100, 60));
    let no_vel = TZone::gens(&[gen::i(8, 6900), gen::sample(s)]).with_mods(&[
        (0x0502, 48, 0, 0, 0),
        (0x0102, 8, -1200, 0, 0),
        (0x00db, 16, 200, 0, 0),
    ]);
    let i = f.instrument("I", vec![no_vel]);
    f.preset("P", 0, 0, vec![TZone::gens(&[gen::instrument(i)])]);
    let sf = parse(&f);
    assert_eq!(
        sf.warnings(),
        &["preset 'P': 1 modulators ignored (only velocity → attenuation and velocity → filter cutoff are supported)".to_string()]
    );
    let (inst, notes) = sf.instrument_with_warnings(0).unwrap();
    assert_eq!(notes, sf.warnings());
    let r = &inst.regions()[0];
    assert_eq!(r.amp_veltrack, 0.0);
    let f = r.filter.unwrap();
    assert_eq!(f.veltrack_cents, 1200.0);
    assert!((f.cutoff_hz - 220.0).abs() < 0.05, "{}", f.cutoff_hz);
}

#[test]
fn structural_errors_name_the_chunk_and_numbers() {
    let b = font();
    let mut parts = b.pdta_parts();
    let pbag = &mut parts.iter_mut().find(|(id, _)| id == b"pbag").unwrap().1;
    pbag.truncate(13);
    let e = SoundFont::parse("gm.sf2", &b.build_with_pdta(&parts)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "gm.sf2: pdta: pbag chunk size 13 is not a multiple of 4"
    );
    let e = SoundFont::parse("x.sf2", b"RIFF\x04\0\0\0WAVE").unwrap_err();
    assert_eq!(
        e.to_string(),
        "x.sf2: not a SoundFont 2 file: the RIFF form type is 'WAVE', expected 'sfbk'"
    );
    let bytes = b.build();
    let e = SoundFont::parse("cut.sf2", &bytes[..bytes.len() / 2]).unwrap_err();
    assert!(matches!(e, Sf2Error::Truncated { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with("cut.sf2: truncated: the RIFF chunk claims"),
        "{e}"
    );
}

#[test]
fn region_notes_are_summarised_per_preset() {
    let mut f = Builder::new(vec![1; 300]);
    let s = f.sample(TSample::new("S", 0, 100, 60));
    let zones = (0..3)
        .map(|k| {
            TZone::gens(&[
                gen::key(k * 10, k * 10 + 9),
                gen::i(7, 100 + i16::from(k)),
                gen::sample(s),
            ])
        })
        .collect();
    let i = f.instrument("I", zones);
    f.preset("P", 0, 0, vec![TZone::gens(&[gen::instrument(i)])]);
    let sf = parse(&f);
    assert_eq!(
        sf.warnings(),
        &["preset 'P', instrument 'I', sample 'S': modEnvToPitch 100 cents ignored (the region has no pitch envelope) \
           (and 2 more regions of this preset alike)"
            .to_string()]
    );
    assert_eq!(sf.instrument(0).unwrap().regions().len(), 3);
}

#[test]
fn huge_zone_products_are_capped() {
    // 600 preset zones × 600 instrument zones would be 360 000 regions
    // from a file of a few kilobytes.
    let mut f = Builder::new(vec![1; 300]);
    let s = f.sample(TSample::new("S", 0, 100, 60));
    let i = f.instrument(
        "Wide",
        (0..600).map(|_| TZone::gens(&[gen::sample(s)])).collect(),
    );
    f.preset(
        "Wide",
        0,
        0,
        (0..600)
            .map(|_| TZone::gens(&[gen::instrument(i)]))
            .collect(),
    );
    let bytes = f.build();
    assert!(bytes.len() < 12_000, "{}", bytes.len());
    let sf = SoundFont::parse("wide.sf2", &bytes).unwrap();
    assert_eq!(sf.warnings(), &["preset 'Wide' is too large (over 262144 zone pairs or 16384 regions); the rest is skipped".to_string()]);
    let inst = sf.instrument(0).unwrap();
    assert_eq!(inst.regions().len(), crate::convert::MAX_REGIONS_PER_PRESET);
    assert_eq!(inst.samples().len(), 1);
}

/// Renders `seconds` and returns the peak level of the last 10 ms.
fn render_tail(engine: &mut sampler_core::Engine, seconds: f32) -> f32 {
    let frames = (seconds * 44100.0) as usize;
    let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
    engine.render(&mut l, &mut r);
    let tail = frames.saturating_sub(441);
    l[tail..]
        .iter()
        .chain(&r[tail..])
        .fold(0.0f32, |m, x| m.max(x.abs()))
}

#[test]
fn built_instruments_play_in_the_engine() {
    use sampler_core::midi::MidiMessage::{NoteOff, NoteOn};
    let sf = parse(&font());
    let mut engine = sampler_core::Engine::new(44100.0, 16);
    engine.set_instrument(sf.instrument(1).unwrap());
    // The low zone loops continuously at full sustain: still sounding at 1 s.
    engine.handle(NoteOn {
        channel: 0,
        note: 48,
        velocity: 127,
    });
    assert!(render_tail(&mut engine, 1.0) > 0.05);
    assert_eq!(engine.active_voices(), 1);
    // Released with a 1 s release (100 dB): silent after it.
    engine.handle(NoteOff {
        channel: 0,
        note: 48,
        velocity: 64,
    });
    assert!(render_tail(&mut engine, 1.1) < 1e-4);
    assert_eq!(engine.active_voices(), 0);
}

#[test]
fn exclusive_classes_and_silent_sustain_end_voices_in_the_engine() {
    use sampler_core::midi::MidiMessage::NoteOn;
    let (a, _) = sample_points();
    let mut f = Builder::new(a);
    let s = f.sample(TSample::new("Loop", 0, 100, 60).looped(10, 90));
    let looped = |key: u8, extra: &[(u16, u16)]| {
        let mut g = vec![gen::key(key, key), gen::i(54, 1)];
        g.extend(extra);
        g.push(gen::sample(s));
        TZone::gens(&g)
    };
    let i = f.instrument(
        "Hats",
        vec![
            looped(42, &[gen::i(57, 1)]),
            looped(46, &[gen::i(57, 1)]),
            looped(50, &[]),
            looped(60, &[gen::i(37, 1000), gen::i(36, 0)]), // silent sustain after 1 s
        ],
    );
    f.preset("Hats", 0, 128, vec![TZone::gens(&[gen::instrument(i)])]);
    let sf = parse(&f);
    let mut engine = sampler_core::Engine::new(44100.0, 16);
    engine.set_instrument(sf.instrument(0).unwrap());
    engine.handle(NoteOn {
        channel: 9,
        note: 42,
        velocity: 100,
    });
    engine.handle(NoteOn {
        channel: 9,
        note: 50,
        velocity: 100,
    });
    render_tail(&mut engine, 0.05);
    assert_eq!(engine.active_voices(), 2);
    // Same class as 42: 42 is choked, 50 (no class) keeps sounding.
    engine.handle(NoteOn {
        channel: 9,
        note: 46,
        velocity: 100,
    });
    render_tail(&mut engine, 0.05);
    assert_eq!(engine.active_voices(), 2);
    engine.handle(NoteOn {
        channel: 9,
        note: 60,
        velocity: 100,
    });
    render_tail(&mut engine, 0.5);
    assert_eq!(engine.active_voices(), 3);
    render_tail(&mut engine, 0.6);
    assert_eq!(
        engine.active_voices(),
        2,
        "the decay to 1000 cB ends the note after 1 s"
    );
}

#[test]
fn stereo_pairs_in_an_exclusive_class_do_not_choke_each_other() {
    use sampler_core::midi::MidiMessage::NoteOn;
    let (a, b) = sample_points();
    let mut f = Builder::new([a, b].concat());
    let l = f.sample(TSample {
        link: 1,
        kind: 4,
        ..TSample::new("L", 0, 100, 60).looped(10, 90)
    });
    let r = f.sample(TSample {
        link: 0,
        kind: 2,
        ..TSample::new("R", 100, 200, 60).looped(110, 190)
    });
    let zone = |pan: i16, s: u16| {
        TZone::gens(&[
            gen::key(40, 50),
            gen::i(57, 1),
            gen::i(54, 1),
            gen::i(17, pan),
            gen::sample(s),
        ])
    };
    let i = f.instrument("Hat", vec![zone(-500, l), zone(500, r)]);
    f.preset("Kit", 0, 128, vec![TZone::gens(&[gen::instrument(i)])]);
    let inst = parse(&f).instrument(0).unwrap();
    // Both sides map exclusiveClass plainly; the engine does not let a
    // note-on choke the layers it starts itself.
    let classes: Vec<_> = inst.regions().iter().map(|r| (r.group, r.off_by)).collect();
    assert_eq!(classes, vec![(1, 1), (1, 1)]);
    let mut engine = sampler_core::Engine::new(44100.0, 16);
    engine.set_instrument(inst);
    engine.handle(NoteOn {
        channel: 9,
        note: 42,
        velocity: 100,
    });
    render_tail(&mut engine, 0.05);
    assert_eq!(engine.active_voices(), 2, "both sides of the pair sound");
    // The next note of the class chokes both sides of the first.
    engine.handle(NoteOn {
        channel: 9,
        note: 46,
        velocity: 100,
    });
    render_tail(&mut engine, 0.05);
    assert_eq!(engine.active_voices(), 2);
}
