//! Every supported opcode through the public `parse`, checked on the Region.

use sampler_core::filter::FilterKind;
use sampler_core::region::EnvelopeParams;
use sampler_core::{LoopMode, Region, Trigger};
use sampler_sfz::{parse, SfzInstrument};

fn inst(text: &str) -> SfzInstrument {
    parse("t.sfz", text, &mut |_| None).unwrap_or_else(|e| panic!("{e}"))
}

/// The single region of `<region> sample=s.wav {opcodes}`, with no warnings.
fn one(opcodes: &str) -> Region {
    let i = inst(&format!("<region> sample=s.wav {opcodes}"));
    assert!(i.warnings.is_empty(), "{opcodes}: {:?}", i.warnings);
    assert_eq!(i.regions.len(), 1);
    i.regions[0].clone()
}

fn warned(opcodes: &str) -> (Region, Vec<String>) {
    let i = inst(&format!("<region> sample=s.wav {opcodes}"));
    (i.regions[0].clone(), i.warnings.iter().map(|w| w.message.clone()).collect())
}

#[test]
fn sfz_defaults() {
    let r = one("");
    let mut expect = Region::new(0, 60);
    expect.loop_end = 0;
    assert_eq!(r, expect);
}

#[test]
fn key_and_velocity_mapping() {
    let r = one("lokey=c3 hikey=64 lovel=10 hivel=99 pitch_keycenter=db4");
    assert_eq!((r.key_lo, r.key_hi, r.vel_lo, r.vel_hi, r.root_key), (48, 64, 10, 99, 61));
    let r = one("key=C#-1");
    assert_eq!((r.key_lo, r.key_hi, r.root_key), (1, 1, 1));
    // `key` after a range replaces it; a later pitch_keycenter overrides its root.
    let r = one("lokey=1 hikey=2 key=70 pitch_keycenter=72");
    assert_eq!((r.key_lo, r.key_hi, r.root_key), (70, 70, 72));
    let r = one("xfin_lovel=1 xfin_hivel=40 xfout_lovel=90 xfout_hivel=127");
    assert_eq!((r.xfin, r.xfout), ((1, 40), (90, 127)));
}

#[test]
fn pitch_opcodes() {
    let r = one("tune=-30 transpose=-12 pitch_keytrack=50");
    assert_eq!((r.tune_cents, r.transpose, r.keytrack_cents), (-30.0, -12, 50.0));
}

#[test]
fn amplitude_opcodes() {
    let r = one("volume=-6 pan=100 amp_veltrack=0");
    assert_eq!((r.volume_db, r.pan, r.amp_veltrack), (-6.0, 1.0, 0.0));
    let (r, w) = warned("amp_veltrack=-50");
    assert_eq!((r.amp_veltrack, w.len()), (0.0, 1));
    let r = one("ampeg_delay=0.1 ampeg_attack=0.2 ampeg_hold=0.3 ampeg_decay=0.4 ampeg_sustain=60 ampeg_release=2");
    let e = r.amp_env;
    assert_eq!((e.delay, e.attack, e.hold, e.decay, e.sustain, e.release), (0.1, 0.2, 0.3, 0.4, 0.6, 2.0));
    assert_eq!(e.attack_curve, EnvelopeParams::amplitude().attack_curve);
}

#[test]
fn filter_opcodes() {
    assert_eq!(one("fil_type=hpf_2p resonance=3").filter, None, "no cutoff, no filter");
    let r = one(
        "fil_type=bpf_2p cutoff=800 resonance=12 fil_keytrack=100 fil_keycenter=a4 fil_veltrack=-1200 \
         fileg_delay=0.1 fileg_attack=0.2 fileg_hold=0.3 fileg_decay=0.4 fileg_sustain=50 fileg_release=0.6 fileg_depth=-2400",
    );
    let f = r.filter.unwrap();
    assert_eq!(
        (f.kind, f.cutoff_hz, f.resonance_db, f.keytrack_cents, f.keycenter, f.veltrack_cents),
        (FilterKind::BandPass, 800.0, 12.0, 100.0, 69, -1200.0)
    );
    let e = f.envelope;
    assert_eq!((e.delay, e.attack, e.hold, e.decay, e.sustain, e.release), (0.1, 0.2, 0.3, 0.4, 0.5, 0.6));
    assert_eq!(f.envelope_depth_cents, -2400.0);
    let default = one("cutoff=500").filter.unwrap();
    assert_eq!(
        (default.kind, default.keycenter, default.envelope.sustain, default.envelope_depth_cents),
        (FilterKind::LowPass, 60, 1.0, 0.0)
    );
    let (r, w) = warned("cutoff=500 fil_type=hpf_1p");
    assert_eq!((r.filter.unwrap().kind, w.len()), (FilterKind::HighPass, 1));
    let (r, w) = warned("cutoff=500 fil_type=lpf_1p");
    assert_eq!((r.filter.unwrap().kind, w.len()), (FilterKind::LowPass, 1));
    let (r, w) = warned("cutoff=500 fil_type=pkf_2p");
    assert_eq!((r.filter.unwrap().kind, w.len()), (FilterKind::LowPass, 1));
}

#[test]
fn v1_lfos() {
    let r = one("pitchlfo_freq=5 pitchlfo_depth=25 pitchlfo_delay=0.5 pitchlfo_fade=1");
    assert_eq!((r.lfo.frequency_hz, r.lfo.to_pitch_cents, r.lfo.delay, r.lfo.fade), (5.0, 25.0, 0.5, 1.0));
    let r = one("fillfo_freq=2 fillfo_depth=600 cutoff=1000");
    assert_eq!((r.lfo.frequency_hz, r.lfo.to_cutoff_cents), (2.0, 600.0));
    let r = one("amplfo_freq=3 amplfo_depth=-2");
    assert_eq!((r.lfo.frequency_hz, r.lfo.to_volume_db), (3.0, -2.0));
    let (r, w) = warned("pitchlfo_freq=5 pitchlfo_depth=25 amplfo_freq=3 amplfo_depth=1");
    assert_eq!((r.lfo.frequency_hz, r.lfo.to_pitch_cents, r.lfo.to_volume_db), (5.0, 25.0, 1.0));
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("amplfo_freq=3"), "{w:?}");
    // Equal rates do not conflict.
    let r = one("pitchlfo_freq=5 pitchlfo_depth=25 amplfo_freq=5 amplfo_depth=1");
    assert_eq!(r.lfo.frequency_hz, 5.0);
}

#[test]
fn v2_lfo() {
    let r = one("lfo01_freq=6 lfo01_pitch=12 lfo01_cutoff=300 lfo01_volume=2 lfo01_delay=0.2 lfo01_fade=0.4");
    let l = r.lfo;
    assert_eq!(
        (l.frequency_hz, l.to_pitch_cents, l.to_cutoff_cents, l.to_volume_db, l.delay, l.fade),
        (6.0, 12.0, 300.0, 2.0, 0.2, 0.4)
    );
}

#[test]
fn loop_opcodes() {
    let r = one("loop_mode=loop_continuous loop_start=100 loop_end=199 loop_crossfade=0.01");
    assert_eq!((r.loop_mode, r.loop_start, r.loop_end, r.loop_crossfade), (LoopMode::Continuous, 100, 200, 0.01));
    let r = one("loopmode=loop_sustain loopstart=5 loopend=5");
    assert_eq!((r.loop_mode, r.loop_start, r.loop_end), (LoopMode::Sustain, 5, 6));
    assert_eq!(one("loop_mode=one_shot").loop_mode, LoopMode::OneShot);
    assert_eq!(one("loop_mode=loop_continuous loop_mode=no_loop").loop_mode, LoopMode::NoLoop);
    // Looping with no end: the loader fills it in from the sample.
    let i = inst("<region> sample=s.wav loop_mode=loop_continuous");
    assert_eq!((i.regions[0].loop_mode, i.regions[0].loop_end), (LoopMode::Continuous, 0));
    assert!(i.from_sample[0].loop_points);
}

#[test]
fn playback_opcodes() {
    let r = one("offset=1000 delay=0.5 trigger=release rt_decay=4");
    assert_eq!((r.offset, r.delay, r.trigger, r.rt_decay_db), (1000, 0.5, Trigger::Release, 4.0));
    for (value, expect) in [("first", Trigger::Attack), ("legato", Trigger::Attack), ("release_key", Trigger::Release)]
    {
        let (r, w) = warned(&format!("trigger={value}"));
        assert_eq!((r.trigger, w.len()), (expect, 1), "{value}");
    }
    let r = one("seq_length=3 seq_position=2 lorand=0.2 hirand=0.6 group=7 off_by=8 sw_last=30");
    assert_eq!((r.seq_length, r.seq_position, r.rand_lo, r.rand_hi), (3, 2, 0.2, 0.6));
    assert_eq!((r.group, r.off_by, r.sw_last), (7, 8, Some(30)));
}

#[test]
fn instrument_wide_opcodes() {
    let i = inst(
        "<global> polyphony=24 note_polyphony=3 sw_lokey=20 sw_hikey=23 sw_default=21 <region> sample=s.wav sw_last=21",
    );
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);
    assert_eq!(
        (i.polyphony, i.note_polyphony, i.keyswitch_range, i.keyswitch_default),
        (Some(24), Some(3), Some((20, 23)), Some(21))
    );
    let i = inst("<master> polyphony=8 <region> sample=s.wav");
    assert_eq!(i.polyphony, Some(8));
    let i = inst("<region> sample=s.wav polyphony=8");
    assert_eq!((i.polyphony, i.warnings.len()), (None, 1));
}

#[test]
fn pitch_keycenter_from_sample() {
    let i = inst("<region> sample=s.wav pitch_keycenter=sample");
    assert_eq!((i.regions[0].root_key, i.from_sample[0].root_key), (60, true));
}

#[test]
fn out_of_range_values_clamp_with_warnings() {
    let (r, w) = warned("hikey=200 hivel=300 volume=100 resonance=80 cutoff=-5 transpose=-400 seq_position=0");
    assert_eq!((r.key_hi, r.vel_hi, r.volume_db, r.transpose, r.seq_position), (127, 127, 48.0, -127, 1));
    assert_eq!(r.filter.unwrap().resonance_db, 40.0);
    assert_eq!(r.filter.unwrap().cutoff_hz, 0.0);
    assert_eq!(w.len(), 7, "{w:?}");
    assert!(w.iter().all(|m| m.contains("clamped")), "{w:?}");
}

#[test]
fn bad_values_warn_and_keep_the_default() {
    let (r, w) = warned("lokey=low volume=loud loop_mode=forever trigger=sometimes pan=");
    assert_eq!(
        (r.key_lo, r.volume_db, r.loop_mode, r.trigger, r.pan),
        (0, 0.0, LoopMode::NoLoop, Trigger::Attack, 0.0)
    );
    assert_eq!(w.len(), 5, "{w:?}");
}

#[test]
fn unknown_opcode_warning_has_its_line() {
    let text = "<region>\r\n/* two\r\n lines */ sample=s.wav\r\n\r\n  amp_velcurve_1=0.1 lokey=3 xyzzy=1\r\n";
    let i = inst(text);
    let w: Vec<String> = i.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        w,
        ["t.sfz:5: unsupported opcode `amp_velcurve_1`; ignored", "t.sfz:5: unsupported opcode `xyzzy`; ignored"]
    );
    assert_eq!(i.regions[0].key_lo, 3);
}

#[test]
fn regions_without_samples_are_dropped() {
    let i = inst("<region> key=1\n<region> sample=a.wav\n<region> sample=*sine\n<region> sample=b.wav lokey=9 hikey=8");
    assert_eq!(i.regions.len(), 1);
    assert_eq!(i.samples, ["a.wav"]);
    let lines: Vec<usize> = i.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [1, 3, 4]);
}
