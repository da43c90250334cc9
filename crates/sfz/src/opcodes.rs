//! One opcode (`name=value` text) → a typed [`Op`]. Each opcode is read once,
//! where it appears, so a bad value in a `<group>` warns once, not once per
//! region that inherits it.

use sampler_core::filter::FilterKind;
use sampler_core::{LoopMode, Trigger};

use crate::paths;
use crate::values::{float, int, note, quote};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EgStage {
    Delay,
    Attack,
    Hold,
    Decay,
    Sustain,
    Release,
}

/// Where an LFO opcode came from: the v1 per-target LFOs or v2's `lfo01`.
/// The engine has one LFO per voice, so these are merged per region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LfoSource {
    Pitch,
    Filter,
    Amp,
    Lfo01,
}

impl LfoSource {
    pub(crate) const ALL: [LfoSource; 4] = [LfoSource::Pitch, LfoSource::Filter, LfoSource::Amp, LfoSource::Lfo01];

    pub(crate) fn prefix(self) -> &'static str {
        match self {
            LfoSource::Pitch => "pitchlfo",
            LfoSource::Filter => "fillfo",
            LfoSource::Amp => "amplfo",
            LfoSource::Lfo01 => "lfo01",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LfoTiming {
    Freq,
    Delay,
    Fade,
}

impl LfoTiming {
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            LfoTiming::Freq => "freq",
            LfoTiming::Delay => "delay",
            LfoTiming::Fade => "fade",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LfoTarget {
    Pitch,
    Cutoff,
    Volume,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SampleRef {
    /// Resolved, '/'-separated path.
    File(String),
    /// A built-in generator such as `*sine`, which this engine does not have.
    Generator(String),
}

/// A parsed opcode, its value converted to the unit the Region uses.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Op {
    Sample(SampleRef),
    LoKey(u8),
    HiKey(u8),
    Key(u8),
    KeyCenter(u8),
    KeyCenterFromSample,
    /// `hikey=-1` / `key=-1`: no note plays the region (SFZ uses this for
    /// regions triggered by controllers only).
    NoKeys,
    LoVel(u8),
    HiVel(u8),
    XfinLo(u8),
    XfinHi(u8),
    XfoutLo(u8),
    XfoutHi(u8),
    Tune(f32),
    Transpose(i8),
    PitchKeytrack(f32),
    Volume(f32),
    /// -1..=1.
    Pan(f32),
    /// 0..=1.
    AmpVeltrack(f32),
    /// Seconds, or 0..=1 for sustain.
    AmpEg(EgStage, f32),
    FilEg(EgStage, f32),
    FilEgDepth(f32),
    FilType(FilterKind),
    Cutoff(f32),
    Resonance(f32),
    FilKeytrack(f32),
    FilKeycenter(u8),
    FilVeltrack(f32),
    LfoTime(LfoSource, LfoTiming, f32),
    LfoDepth(LfoSource, LfoTarget, f32),
    LoopMode(LoopMode),
    LoopStart(u32),
    /// Already exclusive (SFZ's inclusive end + 1).
    LoopEnd(u32),
    LoopCrossfade(f32),
    Offset(u32),
    Delay(f32),
    Trigger(Trigger),
    RtDecay(f32),
    SeqLength(u8),
    SeqPosition(u8),
    LoRand(f32),
    HiRand(f32),
    Group(u32),
    OffBy(u32),
    SwLast(u8),
    SwLoKey(u8),
    SwHiKey(u8),
    SwDefault(u8),
    Polyphony(usize),
    NotePolyphony(usize),
    DefaultPath(String),
    NoteOffset(i32),
    OctaveOffset(i32),
}

/// What reading an opcode depends on besides its text.
pub(crate) struct Ctx<'a> {
    /// The file the opcode is in: relative sample paths start from its directory.
    pub file: &'a str,
    /// `default_path` from `<control>`, '/'-separated.
    pub default_path: &'a str,
    /// `note_offset + 12 * octave_offset`, added to every note-valued opcode.
    pub note_shift: i32,
}

const MAX_SECONDS: f64 = 100.0;
const MAX_POLYPHONY: i64 = 4096;

/// Reads one opcode. Unknown names and unreadable values push a warning and
/// give None; out-of-range values are clamped with a warning.
pub(crate) fn parse(name: &str, value: &str, ctx: &Ctx, warn: &mut Vec<String>) -> Option<Op> {
    let w = warn;
    let n = name;
    let v = value;
    let f = |lo: f64, hi: f64, w: &mut Vec<String>| float(n, v, lo, hi, w).map(|x| x as f32);
    let key = |w: &mut Vec<String>| note(n, v, ctx.note_shift, w);
    let vel = |w: &mut Vec<String>| int(n, v, 0, 127, w).map(|x| x as u8);
    let secs = |w: &mut Vec<String>| float(n, v, 0.0, MAX_SECONDS, w).map(|x| x as f32);
    let percent = |w: &mut Vec<String>| float(n, v, 0.0, 100.0, w).map(|x| (x / 100.0) as f32);
    let op = match name {
        "sample" => return sample(value, ctx, w),
        "lokey" => Op::LoKey(key(w)?),
        "hikey" | "key" if value == "-1" => Op::NoKeys,
        "hikey" => Op::HiKey(key(w)?),
        "key" => Op::Key(key(w)?),
        "pitch_keycenter" if value == "sample" => Op::KeyCenterFromSample,
        "pitch_keycenter" => Op::KeyCenter(key(w)?),
        "lovel" => Op::LoVel(vel(w)?),
        "hivel" => Op::HiVel(vel(w)?),
        "xfin_lovel" => Op::XfinLo(vel(w)?),
        "xfin_hivel" => Op::XfinHi(vel(w)?),
        "xfout_lovel" => Op::XfoutLo(vel(w)?),
        "xfout_hivel" => Op::XfoutHi(vel(w)?),
        "tune" => Op::Tune(f(-9600.0, 9600.0, w)?),
        "transpose" => Op::Transpose(int(n, v, -127, 127, w)? as i8),
        "pitch_keytrack" => Op::PitchKeytrack(f(-1200.0, 1200.0, w)?),
        "volume" => Op::Volume(f(-144.0, 48.0, w)?),
        "pan" => Op::Pan(f(-100.0, 100.0, w)? / 100.0),
        "amp_veltrack" => {
            let x = f(-100.0, 100.0, w)?;
            if x < 0.0 {
                w.push(format!("`amp_veltrack={x}`: inverted velocity response is not supported; using 0"));
            }
            Op::AmpVeltrack(x.max(0.0) / 100.0)
        }
        "ampeg_delay" => Op::AmpEg(EgStage::Delay, secs(w)?),
        "ampeg_attack" => Op::AmpEg(EgStage::Attack, secs(w)?),
        "ampeg_hold" => Op::AmpEg(EgStage::Hold, secs(w)?),
        "ampeg_decay" => Op::AmpEg(EgStage::Decay, secs(w)?),
        "ampeg_sustain" => Op::AmpEg(EgStage::Sustain, percent(w)?),
        "ampeg_release" => Op::AmpEg(EgStage::Release, secs(w)?),
        "fileg_delay" => Op::FilEg(EgStage::Delay, secs(w)?),
        "fileg_attack" => Op::FilEg(EgStage::Attack, secs(w)?),
        "fileg_hold" => Op::FilEg(EgStage::Hold, secs(w)?),
        "fileg_decay" => Op::FilEg(EgStage::Decay, secs(w)?),
        "fileg_sustain" => Op::FilEg(EgStage::Sustain, percent(w)?),
        "fileg_release" => Op::FilEg(EgStage::Release, secs(w)?),
        "fileg_depth" => Op::FilEgDepth(f(-12000.0, 12000.0, w)?),
        "fil_type" | "filtype" => Op::FilType(filter_kind(value, w)),
        "cutoff" => Op::Cutoff(f(0.0, 100_000.0, w)?),
        "resonance" => Op::Resonance(f(0.0, 40.0, w)?),
        "fil_keytrack" => Op::FilKeytrack(f(-1200.0, 1200.0, w)?),
        "fil_keycenter" => Op::FilKeycenter(key(w)?),
        "fil_veltrack" => Op::FilVeltrack(f(-9600.0, 9600.0, w)?),
        "loop_mode" | "loopmode" => Op::LoopMode(loop_mode(value, w)?),
        "loop_start" | "loopstart" => Op::LoopStart(int(n, v, 0, i64::from(u32::MAX), w)? as u32),
        "loop_end" | "loopend" => Op::LoopEnd(int(n, v, 0, i64::from(u32::MAX) - 1, w)? as u32 + 1),
        "loop_crossfade" => Op::LoopCrossfade(secs(w)?),
        "offset" => Op::Offset(int(n, v, 0, i64::from(u32::MAX), w)? as u32),
        "delay" => Op::Delay(secs(w)?),
        "trigger" => Op::Trigger(trigger(value, w)?),
        "rt_decay" => Op::RtDecay(f(0.0, 200.0, w)?),
        "seq_length" => Op::SeqLength(int(n, v, 1, 100, w)? as u8),
        "seq_position" => Op::SeqPosition(int(n, v, 1, 100, w)? as u8),
        "lorand" => Op::LoRand(f(0.0, 1.0, w)?),
        "hirand" => Op::HiRand(f(0.0, 1.0, w)?),
        "group" => Op::Group(int(n, v, 0, i64::from(u32::MAX), w)? as u32),
        "off_by" => Op::OffBy(int(n, v, 0, i64::from(u32::MAX), w)? as u32),
        "sw_last" => Op::SwLast(key(w)?),
        "sw_lokey" => Op::SwLoKey(key(w)?),
        "sw_hikey" => Op::SwHiKey(key(w)?),
        "sw_default" => Op::SwDefault(key(w)?),
        "polyphony" => Op::Polyphony(int(n, v, 1, MAX_POLYPHONY, w)? as usize),
        "note_polyphony" => Op::NotePolyphony(int(n, v, 1, MAX_POLYPHONY, w)? as usize),
        "default_path" => Op::DefaultPath(paths::slashes(value)),
        "note_offset" => Op::NoteOffset(int(n, v, -127, 127, w)? as i32),
        "octave_offset" => Op::OctaveOffset(int(n, v, -10, 10, w)? as i32),
        _ => return lfo(name, value, w),
    };
    Some(op)
}

fn sample(value: &str, ctx: &Ctx, w: &mut Vec<String>) -> Option<Op> {
    if value.is_empty() {
        w.push("`sample=` has no file name; ignored".into());
        return None;
    }
    if value.starts_with('*') {
        return Some(Op::Sample(SampleRef::Generator(value.to_string())));
    }
    let rel = paths::slashes(value);
    let with_default = if ctx.default_path.is_empty() { rel } else { paths::join(ctx.default_path, &rel) };
    Some(Op::Sample(SampleRef::File(paths::join(paths::dir_of(ctx.file), &with_default))))
}

fn filter_kind(value: &str, w: &mut Vec<String>) -> FilterKind {
    let (kind, exact) = match value {
        "lpf_2p" => (FilterKind::LowPass, true),
        "hpf_2p" => (FilterKind::HighPass, true),
        "bpf_2p" => (FilterKind::BandPass, true),
        // Other slopes of a family this engine has: keep the family.
        v if v.starts_with("lpf_") => (FilterKind::LowPass, false),
        v if v.starts_with("hpf_") => (FilterKind::HighPass, false),
        v if v.starts_with("bpf_") => (FilterKind::BandPass, false),
        _ => {
            w.push(format!("`fil_type={}` is not supported; using lpf_2p", quote(value)));
            return FilterKind::LowPass;
        }
    };
    if !exact {
        w.push(format!("`fil_type={}` is played by the 2-pole (12 dB/octave) filter", quote(value)));
    }
    kind
}

fn loop_mode(value: &str, w: &mut Vec<String>) -> Option<LoopMode> {
    Some(match value {
        "no_loop" => LoopMode::NoLoop,
        "one_shot" => LoopMode::OneShot,
        "loop_continuous" => LoopMode::Continuous,
        "loop_sustain" => LoopMode::Sustain,
        _ => {
            w.push(format!("`loop_mode={}` is not a loop mode; ignored", quote(value)));
            return None;
        }
    })
}

fn trigger(value: &str, w: &mut Vec<String>) -> Option<Trigger> {
    Some(match value {
        "attack" => Trigger::Attack,
        "release" => Trigger::Release,
        "first" | "legato" => {
            w.push(format!("`trigger={value}` is not supported; the region plays on every note-on"));
            Trigger::Attack
        }
        "release_key" => {
            w.push("`trigger=release_key` plays as `release` (sustain pedal not considered)".into());
            Trigger::Release
        }
        _ => {
            w.push(format!("`trigger={}` is not a trigger; ignored", quote(value)));
            return None;
        }
    })
}

/// `pitchlfo_*`, `fillfo_*`, `amplfo_*` and `lfoNN_*` (N = 1 only).
fn lfo(name: &str, value: &str, w: &mut Vec<String>) -> Option<Op> {
    let unknown = |w: &mut Vec<String>| {
        w.push(format!("unsupported opcode `{}`; ignored", quote(name)));
        None
    };
    let (source, param) = if let Some(p) = name.strip_prefix("pitchlfo_") {
        (LfoSource::Pitch, p)
    } else if let Some(p) = name.strip_prefix("fillfo_") {
        (LfoSource::Filter, p)
    } else if let Some(p) = name.strip_prefix("amplfo_") {
        (LfoSource::Amp, p)
    } else if let Some((index, p)) = name.strip_prefix("lfo").and_then(|r| r.split_once('_')) {
        if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
            return unknown(w);
        }
        if index.trim_start_matches('0') != "1" {
            w.push(format!("`{}`: only one LFO (lfo01) is supported; ignored", quote(name)));
            return None;
        }
        (LfoSource::Lfo01, p)
    } else {
        return unknown(w);
    };
    let timing = |t: LfoTiming, hi: f64, w: &mut Vec<String>| {
        float(name, value, 0.0, hi, w).map(|x| Op::LfoTime(source, t, x as f32))
    };
    let depth = |t: LfoTarget, range: f64, w: &mut Vec<String>| {
        float(name, value, -range, range, w).map(|x| Op::LfoDepth(source, t, x as f32))
    };
    match (source, param) {
        (_, "freq") => timing(LfoTiming::Freq, 100.0, w),
        (_, "delay") => timing(LfoTiming::Delay, MAX_SECONDS, w),
        (_, "fade") => timing(LfoTiming::Fade, MAX_SECONDS, w),
        (LfoSource::Pitch, "depth") | (LfoSource::Lfo01, "pitch") => depth(LfoTarget::Pitch, 9600.0, w),
        (LfoSource::Filter, "depth") | (LfoSource::Lfo01, "cutoff") => depth(LfoTarget::Cutoff, 9600.0, w),
        (LfoSource::Amp, "depth") | (LfoSource::Lfo01, "volume") => depth(LfoTarget::Volume, 48.0, w),
        _ => unknown(w),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: Ctx = Ctx { file: "inst/piano.sfz", default_path: "", note_shift: 0 };

    fn op(name: &str, value: &str) -> (Option<Op>, Vec<String>) {
        let mut w = Vec::new();
        (parse(name, value, &CTX, &mut w), w)
    }

    fn clean(name: &str, value: &str) -> Op {
        let (o, w) = op(name, value);
        assert!(w.is_empty(), "{name}={value}: {w:?}");
        o.unwrap_or_else(|| panic!("{name}={value} gave no op"))
    }

    #[test]
    fn keys_and_velocities() {
        assert_eq!(clean("lokey", "36"), Op::LoKey(36));
        assert_eq!(clean("hikey", "c5"), Op::HiKey(72));
        assert_eq!(clean("key", "f#3"), Op::Key(54));
        assert_eq!(clean("pitch_keycenter", "a4"), Op::KeyCenter(69));
        assert_eq!(clean("pitch_keycenter", "sample"), Op::KeyCenterFromSample);
        assert_eq!(clean("hikey", "-1"), Op::NoKeys);
        assert_eq!(clean("key", "-1"), Op::NoKeys);
        assert_eq!(clean("lovel", "1"), Op::LoVel(1));
        assert_eq!(clean("hivel", "100"), Op::HiVel(100));
        assert_eq!(clean("xfin_lovel", "10"), Op::XfinLo(10));
        assert_eq!(clean("xfin_hivel", "20"), Op::XfinHi(20));
        assert_eq!(clean("xfout_lovel", "30"), Op::XfoutLo(30));
        assert_eq!(clean("xfout_hivel", "40"), Op::XfoutHi(40));
        let mut w = Vec::new();
        let shifted = Ctx { note_shift: -12, ..CTX };
        assert_eq!(parse("lokey", "c4", &shifted, &mut w), Some(Op::LoKey(48)));
    }

    #[test]
    fn pitch_and_amplitude() {
        assert_eq!(clean("tune", "-25"), Op::Tune(-25.0));
        assert_eq!(clean("transpose", "-12"), Op::Transpose(-12));
        assert_eq!(clean("pitch_keytrack", "0"), Op::PitchKeytrack(0.0));
        assert_eq!(clean("volume", "-6.5"), Op::Volume(-6.5));
        assert_eq!(clean("pan", "-50"), Op::Pan(-0.5));
        assert_eq!(clean("amp_veltrack", "75"), Op::AmpVeltrack(0.75));
        let (o, w) = op("amp_veltrack", "-40");
        assert_eq!(o, Some(Op::AmpVeltrack(0.0)));
        assert_eq!(w.len(), 1);
        let (o, w) = op("pan", "250");
        assert_eq!(o, Some(Op::Pan(1.0)));
        assert!(w[0].contains("clamped"));
    }

    #[test]
    fn envelopes() {
        assert_eq!(clean("ampeg_delay", "0.1"), Op::AmpEg(EgStage::Delay, 0.1));
        assert_eq!(clean("ampeg_attack", "0.2"), Op::AmpEg(EgStage::Attack, 0.2));
        assert_eq!(clean("ampeg_hold", "0.3"), Op::AmpEg(EgStage::Hold, 0.3));
        assert_eq!(clean("ampeg_decay", "0.4"), Op::AmpEg(EgStage::Decay, 0.4));
        assert_eq!(clean("ampeg_sustain", "50"), Op::AmpEg(EgStage::Sustain, 0.5));
        assert_eq!(clean("ampeg_release", "1.5"), Op::AmpEg(EgStage::Release, 1.5));
        assert_eq!(clean("fileg_delay", "0.1"), Op::FilEg(EgStage::Delay, 0.1));
        assert_eq!(clean("fileg_attack", "0.2"), Op::FilEg(EgStage::Attack, 0.2));
        assert_eq!(clean("fileg_hold", "0.3"), Op::FilEg(EgStage::Hold, 0.3));
        assert_eq!(clean("fileg_decay", "0.4"), Op::FilEg(EgStage::Decay, 0.4));
        assert_eq!(clean("fileg_sustain", "25"), Op::FilEg(EgStage::Sustain, 0.25));
        assert_eq!(clean("fileg_release", "2"), Op::FilEg(EgStage::Release, 2.0));
        assert_eq!(clean("fileg_depth", "-1200"), Op::FilEgDepth(-1200.0));
        let (o, w) = op("ampeg_sustain", "120");
        assert_eq!(o, Some(Op::AmpEg(EgStage::Sustain, 1.0)));
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn filter() {
        assert_eq!(clean("fil_type", "lpf_2p"), Op::FilType(FilterKind::LowPass));
        assert_eq!(clean("fil_type", "hpf_2p"), Op::FilType(FilterKind::HighPass));
        assert_eq!(clean("fil_type", "bpf_2p"), Op::FilType(FilterKind::BandPass));
        let (o, w) = op("fil_type", "lpf_1p");
        assert_eq!((o, w.len()), (Some(Op::FilType(FilterKind::LowPass)), 1));
        let (o, w) = op("fil_type", "hpf_1p");
        assert_eq!((o, w.len()), (Some(Op::FilType(FilterKind::HighPass)), 1));
        let (o, w) = op("fil_type", "brf_2p");
        assert_eq!((o, w.len()), (Some(Op::FilType(FilterKind::LowPass)), 1));
        assert_eq!(clean("cutoff", "2000"), Op::Cutoff(2000.0));
        assert_eq!(clean("resonance", "6"), Op::Resonance(6.0));
        assert_eq!(clean("fil_keytrack", "100"), Op::FilKeytrack(100.0));
        assert_eq!(clean("fil_keycenter", "c3"), Op::FilKeycenter(48));
        assert_eq!(clean("fil_veltrack", "2400"), Op::FilVeltrack(2400.0));
    }

    #[test]
    fn lfos() {
        use LfoSource::*;
        assert_eq!(clean("pitchlfo_freq", "5"), Op::LfoTime(Pitch, LfoTiming::Freq, 5.0));
        assert_eq!(clean("pitchlfo_depth", "20"), Op::LfoDepth(Pitch, LfoTarget::Pitch, 20.0));
        assert_eq!(clean("pitchlfo_delay", "0.5"), Op::LfoTime(Pitch, LfoTiming::Delay, 0.5));
        assert_eq!(clean("pitchlfo_fade", "1"), Op::LfoTime(Pitch, LfoTiming::Fade, 1.0));
        assert_eq!(clean("fillfo_freq", "2"), Op::LfoTime(Filter, LfoTiming::Freq, 2.0));
        assert_eq!(clean("fillfo_depth", "600"), Op::LfoDepth(Filter, LfoTarget::Cutoff, 600.0));
        assert_eq!(clean("amplfo_freq", "3"), Op::LfoTime(Amp, LfoTiming::Freq, 3.0));
        assert_eq!(clean("amplfo_depth", "-2"), Op::LfoDepth(Amp, LfoTarget::Volume, -2.0));
        assert_eq!(clean("lfo01_freq", "4"), Op::LfoTime(Lfo01, LfoTiming::Freq, 4.0));
        assert_eq!(clean("lfo1_freq", "4"), Op::LfoTime(Lfo01, LfoTiming::Freq, 4.0));
        assert_eq!(clean("lfo01_pitch", "10"), Op::LfoDepth(Lfo01, LfoTarget::Pitch, 10.0));
        assert_eq!(clean("lfo01_cutoff", "300"), Op::LfoDepth(Lfo01, LfoTarget::Cutoff, 300.0));
        assert_eq!(clean("lfo01_volume", "1"), Op::LfoDepth(Lfo01, LfoTarget::Volume, 1.0));
        assert_eq!(clean("lfo01_delay", "0.2"), Op::LfoTime(Lfo01, LfoTiming::Delay, 0.2));
        assert_eq!(clean("lfo01_fade", "0.3"), Op::LfoTime(Lfo01, LfoTiming::Fade, 0.3));
        let (o, w) = op("lfo02_freq", "4");
        assert_eq!((o, w.len()), (None, 1));
        assert!(w[0].contains("only one LFO"));
        let (o, w) = op("lfoxx_freq", "4");
        assert_eq!((o, w.len()), (None, 1));
        let (o, w) = op("amplfo_pitch", "4");
        assert_eq!((o, w.len()), (None, 1));
    }

    #[test]
    fn loops_and_playback() {
        assert_eq!(clean("loop_mode", "loop_continuous"), Op::LoopMode(LoopMode::Continuous));
        assert_eq!(clean("loopmode", "loop_sustain"), Op::LoopMode(LoopMode::Sustain));
        assert_eq!(clean("loop_mode", "one_shot"), Op::LoopMode(LoopMode::OneShot));
        assert_eq!(clean("loop_mode", "no_loop"), Op::LoopMode(LoopMode::NoLoop));
        assert_eq!(clean("loop_start", "100"), Op::LoopStart(100));
        assert_eq!(clean("loopstart", "100"), Op::LoopStart(100));
        assert_eq!(clean("loop_end", "199"), Op::LoopEnd(200));
        assert_eq!(clean("loopend", "0"), Op::LoopEnd(1));
        assert_eq!(clean("loop_crossfade", "0.05"), Op::LoopCrossfade(0.05));
        assert_eq!(clean("offset", "4410"), Op::Offset(4410));
        assert_eq!(clean("delay", "0.25"), Op::Delay(0.25));
        assert_eq!(clean("trigger", "attack"), Op::Trigger(Trigger::Attack));
        assert_eq!(clean("trigger", "release"), Op::Trigger(Trigger::Release));
        for (value, expect) in
            [("first", Trigger::Attack), ("legato", Trigger::Attack), ("release_key", Trigger::Release)]
        {
            let (o, w) = op("trigger", value);
            assert_eq!((o, w.len()), (Some(Op::Trigger(expect)), 1), "{value}");
        }
        assert_eq!(clean("rt_decay", "3"), Op::RtDecay(3.0));
        let (o, w) = op("loop_mode", "bounce");
        assert_eq!((o, w.len()), (None, 1));
        let (o, w) = op("loop_end", "99999999999");
        assert_eq!((o, w.len()), (Some(Op::LoopEnd(u32::MAX)), 1));
    }

    #[test]
    fn round_robin_groups_and_switches() {
        assert_eq!(clean("seq_length", "4"), Op::SeqLength(4));
        assert_eq!(clean("seq_position", "2"), Op::SeqPosition(2));
        assert_eq!(clean("lorand", "0.25"), Op::LoRand(0.25));
        assert_eq!(clean("hirand", "0.5"), Op::HiRand(0.5));
        assert_eq!(clean("group", "3"), Op::Group(3));
        assert_eq!(clean("off_by", "3"), Op::OffBy(3));
        assert_eq!(clean("sw_last", "c1"), Op::SwLast(24));
        assert_eq!(clean("sw_lokey", "24"), Op::SwLoKey(24));
        assert_eq!(clean("sw_hikey", "26"), Op::SwHiKey(26));
        assert_eq!(clean("sw_default", "25"), Op::SwDefault(25));
        assert_eq!(clean("polyphony", "32"), Op::Polyphony(32));
        assert_eq!(clean("note_polyphony", "2"), Op::NotePolyphony(2));
        let (o, w) = op("seq_length", "0");
        assert_eq!((o, w.len()), (Some(Op::SeqLength(1)), 1));
    }

    #[test]
    fn control_opcodes() {
        assert_eq!(clean("default_path", r"Samples\Piano\"), Op::DefaultPath("Samples/Piano/".into()));
        assert_eq!(clean("note_offset", "-2"), Op::NoteOffset(-2));
        assert_eq!(clean("octave_offset", "1"), Op::OctaveOffset(1));
    }

    #[test]
    fn samples_resolve_against_file_and_default_path() {
        assert_eq!(
            clean("sample", r"Samples\C4 soft.wav"),
            Op::Sample(SampleRef::File("inst/Samples/C4 soft.wav".into()))
        );
        let ctx = Ctx { default_path: "../shared/", ..CTX };
        let mut w = Vec::new();
        assert_eq!(parse("sample", "c4.wav", &ctx, &mut w), Some(Op::Sample(SampleRef::File("shared/c4.wav".into()))));
        assert_eq!(clean("sample", "*sine"), Op::Sample(SampleRef::Generator("*sine".into())));
        assert_eq!(op("sample", "").0, None);
    }

    #[test]
    fn unknown_and_bad_values_warn() {
        let (o, w) = op("amp_velcurve_64", "0.5");
        assert_eq!(o, None);
        assert_eq!(w, vec!["unsupported opcode `amp_velcurve_64`; ignored".to_string()]);
        let (o, w) = op("lokey", "sixty");
        assert_eq!((o, w.len()), (None, 1));
        let (o, w) = op("volume", "");
        assert_eq!((o, w.len()), (None, 1));
    }
}
