//! A region being assembled from inherited opcodes, and its final checks.
//!
//! Opcodes are applied in inheritance order (global, master, group, region),
//! so a later one simply overwrites an earlier one. What needs the whole set
//! (the filter exists only with `cutoff`; the LFO sources merge into one) is
//! settled in [`Draft::finish`].

use sampler_core::filter::FilterKind;
use sampler_core::region::{EnvelopeParams, FilterParams, LfoParams};
use sampler_core::Region;

use crate::opcodes::{EgStage, LfoSource, LfoTarget, LfoTiming, Op, SampleRef};
use crate::values::quote;
use crate::{Diag, FromSample, Loc};

/// SFZ's `pitch_keycenter` and `fil_keycenter` default.
const DEFAULT_KEYCENTER: u8 = 60;

#[derive(Clone, Copy, Debug)]
struct Timed {
    value: f32,
    /// Application order of the first opcode that set it ("first given").
    order: u32,
    loc: Loc,
}

#[derive(Clone, Copy, Debug, Default)]
struct LfoDraft {
    times: [Option<Timed>; 3],
    pitch: f32,
    cutoff: f32,
    volume: f32,
}

impl LfoDraft {
    fn active(&self) -> bool {
        self.pitch != 0.0 || self.cutoff != 0.0 || self.volume != 0.0
    }
}

#[derive(Clone, Debug)]
struct FilterDraft {
    kind: FilterKind,
    cutoff: Option<f32>,
    resonance: f32,
    keytrack: f32,
    keycenter: u8,
    veltrack: f32,
    envelope: EnvelopeParams,
    depth: f32,
}

#[derive(Clone, Debug)]
pub(crate) struct Draft {
    region: Region,
    sample: Option<(SampleRef, Loc)>,
    keycenter_from_sample: bool,
    no_keys: bool,
    loop_mode_set: bool,
    loop_end_set: bool,
    filter: FilterDraft,
    lfo: [LfoDraft; 4],
    order: u32,
}

/// A checked region, its sample path (index not yet assigned) and what the
/// loader must take from the sample file.
#[derive(Debug)]
pub(crate) struct Finished {
    pub region: Region,
    pub sample: String,
    pub from_sample: FromSample,
}

fn set_stage(env: &mut EnvelopeParams, stage: EgStage, v: f32) {
    match stage {
        EgStage::Delay => env.delay = v,
        EgStage::Attack => env.attack = v,
        EgStage::Hold => env.hold = v,
        EgStage::Decay => env.decay = v,
        EgStage::Sustain => env.sustain = v,
        EgStage::Release => env.release = v,
    }
}

fn source_index(s: LfoSource) -> usize {
    match s {
        LfoSource::Pitch => 0,
        LfoSource::Filter => 1,
        LfoSource::Amp => 2,
        LfoSource::Lfo01 => 3,
    }
}

fn timing_index(t: LfoTiming) -> usize {
    match t {
        LfoTiming::Freq => 0,
        LfoTiming::Delay => 1,
        LfoTiming::Fade => 2,
    }
}

impl Draft {
    pub(crate) fn new() -> Draft {
        // SFZ's filter EG: all times 0, sustain 100%.
        let fileg = EnvelopeParams {
            delay: 0.0,
            attack: 0.0,
            hold: 0.0,
            decay: 0.0,
            sustain: 1.0,
            release: 0.0,
            ..EnvelopeParams::amplitude()
        };
        Draft {
            region: Region::new(0, DEFAULT_KEYCENTER),
            sample: None,
            keycenter_from_sample: false,
            no_keys: false,
            loop_mode_set: false,
            loop_end_set: false,
            filter: FilterDraft {
                kind: FilterKind::LowPass,
                cutoff: None,
                resonance: 0.0,
                keytrack: 0.0,
                keycenter: DEFAULT_KEYCENTER,
                veltrack: 0.0,
                envelope: fileg,
                depth: 0.0,
            },
            lfo: [LfoDraft::default(); 4],
            order: 0,
        }
    }

    /// Applies one opcode. Opcodes that are not per-region (control and
    /// instrument-wide ones) are handled by the builder and ignored here.
    pub(crate) fn apply(&mut self, op: &Op, loc: Loc) {
        let r = &mut self.region;
        match *op {
            Op::Sample(ref s) => self.sample = Some((s.clone(), loc)),
            Op::LoKey(k) => r.key_lo = k,
            Op::HiKey(k) => {
                r.key_hi = k;
                self.no_keys = false;
            }
            Op::Key(k) => {
                (r.key_lo, r.key_hi, r.root_key) = (k, k, k);
                self.keycenter_from_sample = false;
                self.no_keys = false;
            }
            Op::NoKeys => self.no_keys = true,
            Op::KeyCenter(k) => {
                r.root_key = k;
                self.keycenter_from_sample = false;
            }
            Op::KeyCenterFromSample => self.keycenter_from_sample = true,
            Op::LoVel(v) => r.vel_lo = v,
            Op::HiVel(v) => r.vel_hi = v,
            Op::XfinLo(v) => r.xfin.0 = v,
            Op::XfinHi(v) => r.xfin.1 = v,
            Op::XfoutLo(v) => r.xfout.0 = v,
            Op::XfoutHi(v) => r.xfout.1 = v,
            Op::Tune(c) => r.tune_cents = c,
            Op::Transpose(t) => r.transpose = t,
            Op::PitchKeytrack(c) => r.keytrack_cents = c,
            Op::Volume(db) => r.volume_db = db,
            Op::Pan(p) => r.pan = p,
            Op::AmpVeltrack(v) => r.amp_veltrack = v,
            Op::AmpEg(stage, v) => set_stage(&mut r.amp_env, stage, v),
            Op::FilEg(stage, v) => set_stage(&mut self.filter.envelope, stage, v),
            Op::FilEgDepth(c) => self.filter.depth = c,
            Op::FilType(k) => self.filter.kind = k,
            Op::Cutoff(hz) => self.filter.cutoff = Some(hz),
            Op::Resonance(db) => self.filter.resonance = db,
            Op::FilKeytrack(c) => self.filter.keytrack = c,
            Op::FilKeycenter(k) => self.filter.keycenter = k,
            Op::FilVeltrack(c) => self.filter.veltrack = c,
            Op::LfoTime(source, timing, value) => {
                let slot = &mut self.lfo[source_index(source)].times[timing_index(timing)];
                let order = match slot {
                    Some(t) => t.order,
                    None => {
                        self.order += 1;
                        self.order
                    }
                };
                *slot = Some(Timed { value, order, loc });
            }
            Op::LfoDepth(source, target, value) => {
                let l = &mut self.lfo[source_index(source)];
                match target {
                    LfoTarget::Pitch => l.pitch = value,
                    LfoTarget::Cutoff => l.cutoff = value,
                    LfoTarget::Volume => l.volume = value,
                }
            }
            Op::LoopMode(m) => {
                r.loop_mode = m;
                self.loop_mode_set = true;
            }
            Op::LoopStart(s) => r.loop_start = s,
            Op::LoopEnd(e) => {
                r.loop_end = e;
                self.loop_end_set = true;
            }
            Op::LoopCrossfade(s) => r.loop_crossfade = s,
            Op::Offset(o) => r.offset = o,
            Op::Delay(s) => r.delay = s,
            Op::Trigger(t) => r.trigger = t,
            Op::RtDecay(db) => r.rt_decay_db = db,
            Op::SeqLength(n) => r.seq_length = n,
            Op::SeqPosition(n) => r.seq_position = n,
            Op::LoRand(x) => r.rand_lo = x,
            Op::HiRand(x) => r.rand_hi = x,
            Op::Group(g) => r.group = g,
            Op::OffBy(g) => r.off_by = g,
            Op::SwLast(k) => r.sw_last = Some(k),
            Op::SwLoKey(_)
            | Op::SwHiKey(_)
            | Op::SwDefault(_)
            | Op::Polyphony(_)
            | Op::NotePolyphony(_)
            | Op::DefaultPath(_)
            | Op::NoteOffset(_)
            | Op::OctaveOffset(_) => {}
        }
    }

    /// Length of the sample name set so far (the text a clone copies).
    pub(crate) fn sample_name_len(&self) -> usize {
        match &self.sample {
            Some((SampleRef::File(s) | SampleRef::Generator(s), _)) => s.len(),
            None => 0,
        }
    }

    /// The finished region, or None (with a warning) if it cannot play.
    pub(crate) fn finish(mut self, header: Loc, diag: &mut Diag) -> Option<Finished> {
        let sample = match self.sample.take() {
            None => {
                diag.warn(header, "<region> without `sample`; dropped");
                return None;
            }
            Some((SampleRef::Generator(name), loc)) => {
                diag.warn(loc, format!("generated sample `{}` is not supported; region dropped", quote(&name)));
                return None;
            }
            Some((SampleRef::File(path), _)) => path,
        };
        if self.no_keys {
            diag.warn(header, "<region> is not played by notes (hikey=-1; controller triggers are not supported); dropped");
            return None;
        }
        let r = &mut self.region;
        if r.key_lo > r.key_hi {
            diag.warn(header, format!("<region> key range {}..{} is empty; dropped", r.key_lo, r.key_hi));
            return None;
        }
        if r.vel_lo > r.vel_hi {
            diag.warn(header, format!("<region> velocity range {}..{} is empty; dropped", r.vel_lo, r.vel_hi));
            return None;
        }
        if r.seq_position > r.seq_length {
            diag.warn(
                header,
                format!("seq_position {} > seq_length {}: the region never plays", r.seq_position, r.seq_length),
            );
        }
        if r.rand_lo >= r.rand_hi {
            diag.warn(header, format!("lorand {} >= hirand {}: the region never plays", r.rand_lo, r.rand_hi));
        }
        let mut loop_points = !self.loop_end_set;
        if self.loop_end_set && r.loop_end <= r.loop_start {
            diag.warn(
                header,
                format!(
                    "loop end {} is not after loop start {}; using the sample's loop",
                    r.loop_end - 1,
                    r.loop_start
                ),
            );
            loop_points = true;
        }
        if loop_points {
            // The loader fills these from the sample file, or falls back.
            r.loop_end = 0;
        }
        if let Some(cutoff_hz) = self.filter.cutoff {
            let f = &self.filter;
            r.filter = Some(FilterParams {
                kind: f.kind,
                cutoff_hz,
                resonance_db: f.resonance,
                keytrack_cents: f.keytrack,
                keycenter: f.keycenter,
                veltrack_cents: f.veltrack,
                envelope: f.envelope,
                envelope_depth_cents: f.depth,
            });
        }
        r.lfo = merge_lfos(&self.lfo, diag);
        let from_sample =
            FromSample { root_key: self.keycenter_from_sample, loop_mode: !self.loop_mode_set, loop_points };
        Some(Finished { region: self.region, sample, from_sample })
    }
}

/// Folds the v1 (pitch/fil/amp) and v2 (lfo01) LFOs into the one LFO a voice
/// has: depths add up; frequency, delay and fade come from the first source
/// that gave them, with a warning for any other source that disagrees. Only
/// sources with some depth count, so an unused `pitchlfo_freq` in a
/// `<global>` does not override the rate of an `amplfo` that is used.
fn merge_lfos(lfos: &[LfoDraft; 4], diag: &mut Diag) -> LfoParams {
    let any_active = lfos.iter().any(LfoDraft::active);
    let mut out = LfoParams::OFF;
    for l in lfos {
        out.to_pitch_cents += l.pitch;
        out.to_cutoff_cents += l.cutoff;
        out.to_volume_db += l.volume;
    }
    for timing in [LfoTiming::Freq, LfoTiming::Delay, LfoTiming::Fade] {
        let mut given: Vec<(LfoSource, Timed)> = LfoSource::ALL
            .iter()
            .zip(lfos)
            .filter(|(_, l)| l.active() || !any_active)
            .filter_map(|(&s, l)| l.times[timing_index(timing)].map(|t| (s, t)))
            .collect();
        given.sort_by_key(|(_, t)| t.order);
        let value = match given.first() {
            Some(&(first_source, first)) => {
                for (source, t) in &given[1..] {
                    if t.value != first.value {
                        diag.warn(
                            t.loc,
                            format!(
                                "one LFO per region: `{}_{}={}` differs from `{}_{}={}`; using {}",
                                source.prefix(),
                                timing.suffix(),
                                t.value,
                                first_source.prefix(),
                                timing.suffix(),
                                first.value,
                                first.value
                            ),
                        );
                    }
                }
                first.value
            }
            // SFZ's LFO rates default to 0 Hz: depth without a rate is a
            // constant 0 (a sine at phase 0), so no modulation.
            None if timing == LfoTiming::Freq && any_active => 0.0,
            None if timing == LfoTiming::Freq => LfoParams::OFF.frequency_hz,
            None => 0.0,
        };
        match timing {
            LfoTiming::Freq => out.frequency_hz = value,
            LfoTiming::Delay => out.delay = value,
            LfoTiming::Fade => out.fade = value,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sampler_core::{LoopMode, Trigger};

    const L: Loc = Loc { file: 0, line: 1 };

    fn build(ops: &[Op]) -> (Option<Finished>, Diag) {
        let mut d = Draft::new();
        d.apply(&Op::Sample(SampleRef::File("a.wav".into())), L);
        for (i, op) in ops.iter().enumerate() {
            d.apply(op, Loc { file: 0, line: i + 2 });
        }
        let mut diag = Diag::default();
        (d.finish(L, &mut diag), diag)
    }

    fn region(ops: &[Op]) -> Region {
        let (f, diag) = build(ops);
        assert!(diag.is_empty(), "{:?}", diag);
        f.expect("region").region
    }

    #[test]
    fn defaults_follow_sfz() {
        let (f, _) = build(&[]);
        let f = f.unwrap();
        assert_eq!(f.sample, "a.wav");
        assert_eq!((f.region.key_lo, f.region.key_hi, f.region.root_key), (0, 127, 60));
        assert_eq!((f.region.vel_lo, f.region.vel_hi), (1, 127));
        assert_eq!(f.region.filter, None);
        assert!(!f.region.lfo.is_active());
        assert_eq!(f.from_sample, FromSample { root_key: false, loop_mode: true, loop_points: true });
    }

    #[test]
    fn later_opcodes_override_and_key_sets_three_fields() {
        let r = region(&[Op::LoKey(10), Op::Key(64), Op::HiKey(70), Op::Trigger(Trigger::Release)]);
        assert_eq!((r.key_lo, r.key_hi, r.root_key), (64, 70, 64));
        assert_eq!(r.trigger, Trigger::Release);
    }

    #[test]
    fn filter_only_with_cutoff() {
        let r = region(&[Op::FilType(FilterKind::HighPass), Op::Resonance(3.0)]);
        assert_eq!(r.filter, None);
        let r = region(&[
            Op::FilType(FilterKind::HighPass),
            Op::Cutoff(500.0),
            Op::FilEg(EgStage::Attack, 0.5),
            Op::FilEgDepth(1200.0),
            Op::FilKeycenter(48),
        ]);
        let f = r.filter.unwrap();
        assert_eq!((f.kind, f.cutoff_hz, f.keycenter), (FilterKind::HighPass, 500.0, 48));
        assert_eq!((f.envelope.attack, f.envelope.sustain, f.envelope.release), (0.5, 1.0, 0.0));
        assert_eq!(f.envelope_depth_cents, 1200.0);
    }

    #[test]
    fn loops_without_end_are_left_to_the_loader() {
        let (f, _) = build(&[Op::LoopMode(LoopMode::Continuous), Op::LoopStart(10)]);
        let f = f.unwrap();
        assert_eq!((f.region.loop_mode, f.region.loop_start, f.region.loop_end), (LoopMode::Continuous, 10, 0));
        assert_eq!(f.from_sample, FromSample { root_key: false, loop_mode: false, loop_points: true });
        let r = region(&[Op::LoopMode(LoopMode::Sustain), Op::LoopStart(10), Op::LoopEnd(100)]);
        assert_eq!((r.loop_start, r.loop_end), (10, 100));
        let (f, diag) = build(&[Op::LoopMode(LoopMode::Continuous), Op::LoopStart(100), Op::LoopEnd(50)]);
        assert_eq!(f.unwrap().region.loop_end, 0);
        assert_eq!(diag.len(), 1);
    }

    #[test]
    fn lfo_sources_merge_first_rate_wins() {
        let (f, diag) = build(&[
            Op::LfoTime(LfoSource::Pitch, LfoTiming::Freq, 5.0),
            Op::LfoDepth(LfoSource::Pitch, LfoTarget::Pitch, 20.0),
            Op::LfoTime(LfoSource::Amp, LfoTiming::Freq, 3.0),
            Op::LfoDepth(LfoSource::Amp, LfoTarget::Volume, 2.0),
            Op::LfoDepth(LfoSource::Lfo01, LfoTarget::Pitch, 5.0),
            Op::LfoTime(LfoSource::Lfo01, LfoTiming::Delay, 0.5),
        ]);
        let lfo = f.unwrap().region.lfo;
        assert_eq!((lfo.frequency_hz, lfo.to_pitch_cents, lfo.to_volume_db, lfo.delay), (5.0, 25.0, 2.0, 0.5));
        assert_eq!(diag.len(), 1, "{diag:?}");
        // An unused rate does not count.
        let r = region(&[
            Op::LfoTime(LfoSource::Pitch, LfoTiming::Freq, 5.0),
            Op::LfoTime(LfoSource::Filter, LfoTiming::Freq, 2.0),
            Op::LfoDepth(LfoSource::Filter, LfoTarget::Cutoff, 600.0),
        ]);
        assert_eq!((r.lfo.frequency_hz, r.lfo.to_cutoff_cents), (2.0, 600.0));
        // Overriding the same opcode keeps its place and takes the new value.
        let r = region(&[
            Op::LfoTime(LfoSource::Pitch, LfoTiming::Freq, 5.0),
            Op::LfoTime(LfoSource::Pitch, LfoTiming::Freq, 6.0),
            Op::LfoDepth(LfoSource::Pitch, LfoTarget::Pitch, 10.0),
        ]);
        assert_eq!(r.lfo.frequency_hz, 6.0);
    }

    #[test]
    fn unplayable_regions_are_dropped_with_a_warning() {
        let mut diag = Diag::default();
        assert!(Draft::new().finish(L, &mut diag).is_none());
        let (f, diag2) = build(&[Op::LoKey(70), Op::HiKey(60)]);
        assert!(f.is_none());
        let (g, diag3) = build(&[Op::LoVel(100), Op::HiVel(10)]);
        assert!(g.is_none());
        let (h, diag4) = build(&[Op::NoKeys]);
        assert!(h.is_none());
        assert_eq!(diag4.len(), 1);
        let (k, _) = build(&[Op::NoKeys, Op::Key(3)]);
        assert_eq!(k.unwrap().region.key_hi, 3);
        let mut d = Draft::new();
        d.apply(&Op::Sample(SampleRef::Generator("*sine".into())), L);
        assert!(d.finish(L, &mut diag).is_none());
        assert_eq!((diag.len(), diag2.len(), diag3.len()), (2, 1, 1));
    }

    #[test]
    fn keycenter_from_sample_is_flagged() {
        let (f, _) = build(&[Op::KeyCenterFromSample]);
        let f = f.unwrap();
        assert!(f.from_sample.root_key);
        assert_eq!(f.region.root_key, 60);
        let (f, _) = build(&[Op::KeyCenterFromSample, Op::KeyCenter(50)]);
        assert!(!f.unwrap().from_sample.root_key);
    }
}
