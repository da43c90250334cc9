//! The engine: 16 MIDI channels, instruments by program, and a fixed pool of
//! voices. `handle` and `render` never allocate: every buffer is sized when
//! the engine is built or an instrument is loaded.

use crate::channel::{Channel, ChannelAction, MPE_MASTER_BEND_RANGE, MPE_MEMBER_BEND_RANGE};
use crate::allocate::{self, Layers};
use crate::instrument::Instrument;
use crate::interpolation::Interpolation;
use crate::midi::MidiMessage;
use crate::note_input::NoteInput;
use crate::region::{LoopMode, Trigger};
use crate::voice::{RenderContext, Voice};

/// The slot used by channels whose program has no instrument of its own.
const DEFAULT_SLOT: u16 = 128;
/// Replaced instruments wait here while their voices ring out.
const RETIRED_SLOTS: std::ops::Range<u16> = 129..133;
const SLOTS: usize = 133;

struct Loaded {
    instrument: Instrument,
    /// Round-robin position of each region, in `0..seq_length`.
    sequence: Vec<u32>,
    /// The last keyswitch pressed on each channel.
    keyswitch: [Option<u8>; 16],
}

/// Per channel and key: when and how hard the key went down, and whether a
/// release trigger waits for the sustain pedal to lift.
#[derive(Clone, Copy, Default)]
struct KeyState {
    velocity: u8,
    frame: u64,
    release_pending: bool,
}

/// What the engine contained or refused while playing, counted since it
/// was built (each wraps at 2^32, like the ring's statistics words).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineCounters {
    /// Voices cut because what they would mix was not finite.
    pub non_finite_voices: u32,
    /// Matching regions a note-on or release trigger did not play because
    /// it had started [`Engine::MAX_LAYERS`] already.
    pub layers_dropped: u32,
    /// Regions note-ons and release triggers examined: their key's list.
    pub regions_examined: u64,
    /// Voices note-ons and release triggers looked at in the pool (at most
    /// [`Engine::MAX_POOL_SCANS`] passes each).
    pub voices_scanned: u64,
}

impl EngineCounters {
    /// Work done by note-ons and release triggers, in units of about the
    /// same cost: a region examined or a pool slot scanned.
    pub fn work(&self) -> u64 {
        self.regions_examined.wrapping_add(self.voices_scanned)
    }
}

pub struct Engine {
    sample_rate: f32,
    /// Index = program (0..=127), 128 = the default instrument.
    slots: Vec<Option<Loaded>>,
    channels: [Channel; 16],
    keys: Box<[[KeyState; 128]; 16]>,
    /// `max_polyphony` sounding voices plus spares that let stolen voices
    /// fade out instead of being cut.
    voices: Box<[Voice]>,
    max_polyphony: usize,
    polyphony_capacity: usize,
    /// Transpose and velocity curve, applied before anything else.
    input: NoteInput,
    next_serial: u64,
    /// Frames rendered so far (the clock for release-trigger decay).
    frame: u64,
    rng: u32,
    interpolation: Interpolation,
    master_gain: f32,
    /// Whether the mix goes through [`soft_clip`] (see [`Engine::set_output_clip`]).
    output_clip: bool,
    counters: EngineCounters,
    /// MPE zones: member channel counts of the lower zone (master channel
    /// 0, members 1..) and the upper zone (master 15, members ..14); 0 is off.
    mpe: MpeZones,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MpeZones {
    pub lower: u8,
    pub upper: u8,
}

impl MpeZones {
    /// The master channel of the zone `channel` is a member of.
    pub fn master_of(&self, channel: u8) -> Option<u8> {
        if self.lower > 0 && (1..=self.lower).contains(&channel) {
            Some(0)
        } else if self.upper > 0 && (15 - self.upper..=14).contains(&channel) {
            Some(15)
        } else {
            None
        }
    }

    /// Whether `channel` is `master` or one of its members.
    fn in_zone(&self, channel: u8, master: u8) -> bool {
        channel == master || self.master_of(channel) == Some(master)
    }
}

impl Engine {
    pub const DEFAULT_POLYPHONY: usize = 256;
    /// The most voices one note-on or release trigger starts.
    pub const MAX_LAYERS: usize = allocate::MAX_LAYERS;
    /// The most passes over the voice pool one note-on or release trigger makes.
    pub const MAX_POOL_SCANS: usize = allocate::MAX_POOL_SCANS;
    /// Headroom for chords; the soft clip guard handles the rest.
    pub const DEFAULT_MASTER_GAIN: f32 = 0.5;
    /// Above this level the output is softly compressed towards ±1.
    pub const CLIP_KNEE: f32 = 0.8;

    pub fn new(sample_rate: f32, max_polyphony: usize) -> Engine {
        let max_polyphony = max_polyphony.max(1);
        let spares = max_polyphony / 4 + 4;
        Engine {
            sample_rate,
            slots: (0..SLOTS).map(|_| None).collect(),
            channels: [Channel::default(); 16],
            keys: Box::new([[KeyState::default(); 128]; 16]),
            voices: vec![Voice::idle(); max_polyphony + spares].into_boxed_slice(),
            max_polyphony,
            polyphony_capacity: max_polyphony,
            input: NoteInput::default(),
            next_serial: 0,
            frame: 0,
            rng: 0x9E37_79B9,
            interpolation: Interpolation::default(),
            master_gain: Self::DEFAULT_MASTER_GAIN,
            output_clip: true,
            counters: EngineCounters::default(),
            mpe: MpeZones::default(),
        }
    }

    pub fn mpe_zones(&self) -> MpeZones {
        self.mpe
    }

    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    pub fn set_master_gain(&mut self, gain: f32) {
        if gain.is_finite() {
            self.master_gain = gain.clamp(0.0, 4.0);
        }
    }

    /// Whether the output goes through the soft clip guard (identity below
    /// [`Engine::CLIP_KNEE`], then a tanh curve towards ±1). On by default;
    /// off, the output is the plain sum × master gain, for hosts that mix
    /// or limit it themselves and for tests that must see every value.
    pub fn set_output_clip(&mut self, on: bool) {
        self.output_clip = on;
    }

    pub fn output_clip(&self) -> bool {
        self.output_clip
    }

    pub fn counters(&self) -> EngineCounters {
        self.counters
    }

    pub fn set_interpolation(&mut self, mode: Interpolation) {
        self.interpolation = mode;
    }

    /// The most voices that sound at once, up to the pool size chosen at
    /// construction. Lowering it fades nothing: new notes steal instead.
    pub fn set_polyphony(&mut self, voices: usize) {
        self.max_polyphony = voices.clamp(1, self.polyphony_capacity());
    }

    pub fn polyphony(&self) -> usize {
        self.max_polyphony
    }

    /// The cap `set_polyphony` can reach (the constructor's `max_polyphony`).
    pub fn polyphony_capacity(&self) -> usize {
        self.polyphony_capacity
    }

    /// Transpose and velocity curve (see [`NoteInput`]).
    pub fn note_input(&mut self) -> &mut NoteInput {
        &mut self.input
    }

    pub fn channel(&self, channel: u8) -> &Channel {
        &self.channels[usize::from(channel & 15)]
    }

    /// Sets the instrument every channel plays unless its program has one of
    /// its own. Voices of the instrument it replaces keep playing to their
    /// natural end (the old instrument is retired, not dropped), so a swap
    /// while notes sound is glitch-free. Returns an instrument the caller
    /// should free outside the render path, if one had to make room.
    pub fn set_instrument(&mut self, instrument: Instrument) -> Option<Instrument> {
        self.load(DEFAULT_SLOT, instrument)
    }

    /// Sets the instrument for one program number (see [`Engine::set_instrument`]).
    pub fn set_program_instrument(&mut self, program: u8, instrument: Instrument) -> Option<Instrument> {
        self.load(u16::from(program & 127), instrument)
    }

    fn load(&mut self, slot: u16, instrument: Instrument) -> Option<Instrument> {
        let sequence = vec![0; instrument.regions().len()];
        let keyswitch = [instrument.keyswitch_default; 16];
        let old = self.slots[usize::from(slot)].replace(Loaded { instrument, sequence, keyswitch });
        let old = old?;
        if !self.voices.iter().any(|v| v.is_active() && v.slot == slot) {
            return Some(old.instrument);
        }
        // Retire it: the slot whose voices are quietest (ideally none) makes room.
        let loudness = |s: u16| self.voices.iter().filter(|v| v.is_active() && v.slot == s).map(Voice::level).sum::<f32>();
        let retired = RETIRED_SLOTS.min_by(|&a, &b| loudness(a).total_cmp(&loudness(b))).expect("non-empty range");
        for v in self.voices.iter_mut().filter(|v| v.is_active()) {
            if v.slot == retired {
                v.kill(); // only when every retired slot is still sounding
            } else if v.slot == slot {
                v.slot = retired;
            }
        }
        self.slots[usize::from(retired)].replace(old).map(|l| l.instrument)
    }

    /// Takes back retired instruments whose voices have all ended, for the
    /// caller to free outside the render path. It allocates (the returned
    /// `Vec`), so it is called outside `process()`: the worklet calls it
    /// from its loading tasks (`sampler-wasm`'s `freeSome`).
    pub fn collect_retired(&mut self) -> Vec<Instrument> {
        let mut freed = Vec::new();
        for s in RETIRED_SLOTS {
            if !self.voices.iter().any(|v| v.is_active() && v.slot == s) {
                if let Some(l) = self.slots[usize::from(s)].take() {
                    freed.push(l.instrument);
                }
            }
        }
        freed
    }

    /// Replaced instruments still waiting for their voices to end.
    pub fn retired_count(&self) -> usize {
        RETIRED_SLOTS.filter(|&s| self.slots[usize::from(s)].is_some()).count()
    }

    pub fn instrument(&self) -> Option<&Instrument> {
        self.slots[usize::from(DEFAULT_SLOT)].as_ref().map(|l| &l.instrument)
    }

    pub fn active_voices(&self) -> usize {
        self.voices.iter().filter(|v| v.is_active()).count()
    }

    fn slot_for(&self, channel: u8) -> u16 {
        let program = u16::from(self.channels[usize::from(channel)].program);
        if self.slots[usize::from(program)].is_some() {
            program
        } else {
            DEFAULT_SLOT
        }
    }

    pub fn handle(&mut self, message: MidiMessage) {
        match message {
            MidiMessage::NoteOn { channel, note, velocity } => {
                if let Some((note, velocity)) = self.input.note_on(channel, note, velocity) {
                    self.note_on(channel, note, velocity);
                }
            }
            MidiMessage::NoteOff { channel, note, .. } => {
                if let Some(note) = self.input.note_off(channel, note) {
                    self.note_off(channel, note);
                }
            }
            MidiMessage::ControlChange { channel, controller, value } => self.control_change(channel, controller, value),
            MidiMessage::ProgramChange { channel, program } => self.channels[usize::from(channel)].program = program,
            MidiMessage::PitchBend { channel, value } => self.channels[usize::from(channel)].pitch_bend = value,
            MidiMessage::ChannelPressure { channel, pressure } => self.channels[usize::from(channel)].pressure = pressure,
            MidiMessage::PolyPressure { channel, note, pressure } => {
                let Some(note) = self.input.pressure_note(channel, note) else { return };
                for v in self.voices.iter_mut().filter(|v| v.is_active() && v.channel == channel && v.note == note) {
                    v.pressure = pressure;
                }
            }
        }
    }

    fn next_random(&mut self) -> f32 {
        // xorshift32: cheap, allocation-free, good enough for lorand/hirand.
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        (x >> 8) as f32 / (1u32 << 24) as f32
    }

    fn note_on(&mut self, channel: u8, note: u8, velocity: u8) {
        self.keys[usize::from(channel)][usize::from(note)] =
            KeyState { velocity, frame: self.frame, release_pending: false };
        let slot = self.slot_for(channel);
        let random = self.next_random();
        let Some(loaded) = &mut self.slots[usize::from(slot)] else { return };
        let Loaded { instrument, sequence, keyswitch } = loaded;
        if let Some((lo, hi)) = instrument.keyswitch_range {
            if (lo..=hi).contains(&note) {
                keyswitch[usize::from(channel)] = Some(note);
            }
        }
        let keyswitch = keyswitch[usize::from(channel)];
        let on_key = instrument.regions_on_key(Trigger::Attack, note);
        let mut layers = Layers::new();
        for &r in on_key {
            let Some(region) = instrument.selectors().get(r as usize) else { continue };
            if !(region.vel_lo..=region.vel_hi).contains(&velocity) {
                continue;
            }
            if region.sw_last.is_some() && region.sw_last != keyswitch {
                continue;
            }
            // Every matching note advances the region's round robin (kept
            // below `seq_length`: no division per region).
            let Some(count) = sequence.get_mut(r as usize) else { continue };
            let position = *count;
            *count = if position + 1 >= u32::from(region.seq_length) { 0 } else { position + 1 };
            if position + 1 != u32::from(region.seq_position.max(1)) {
                continue;
            }
            if !(region.rand_lo <= random && random < region.rand_hi) {
                continue;
            }
            layers.push(r, || 1.0);
        }
        self.counters.regions_examined = self.counters.regions_examined.wrapping_add(on_key.len() as u64);
        self.start_layers(slot, channel, note, velocity, &layers);
    }

    /// Starts `layers` (see `allocate.rs`) and counts the work.
    fn start_layers(&mut self, slot: u16, channel: u8, note: u8, velocity: u8, layers: &Layers) {
        self.counters.layers_dropped = self.counters.layers_dropped.wrapping_add(layers.dropped);
        let Some(loaded) = &self.slots[usize::from(slot)] else { return };
        let target = allocate::Note {
            instrument: &loaded.instrument,
            slot,
            channel,
            note,
            velocity,
            max_polyphony: self.max_polyphony,
            output_rate: self.sample_rate,
        };
        let scanned = allocate::start_layers(&mut self.voices, &target, layers.as_slice(), &mut self.next_serial);
        self.counters.voices_scanned = self.counters.voices_scanned.wrapping_add(scanned);
    }

    fn note_off(&mut self, channel: u8, note: u8) {
        // Member channels of an MPE zone follow the master's pedals.
        let pedals = self.mpe.master_of(channel).unwrap_or(channel);
        let ch = self.channels[usize::from(pedals)];
        for i in 0..self.voices.len() {
            let v = &self.voices[i];
            if !(v.is_active() && v.held && v.channel == channel && v.note == note) {
                continue;
            }
            if ch.sustain || self.voices[i].sostenuto {
                let v = &mut self.voices[i];
                v.held = false;
                v.sustained = ch.sustain;
            } else {
                self.release_voice(i);
            }
        }
        if ch.sustain {
            self.keys[usize::from(channel)][usize::from(note)].release_pending = true;
        } else {
            self.trigger_release(channel, note);
        }
    }

    fn release_voice(&mut self, index: usize) {
        let v = &self.voices[index];
        let region = self.slots[usize::from(v.slot)].as_ref().and_then(|l| l.instrument.regions().get(v.region as usize));
        let mode = region.map_or(LoopMode::NoLoop, |r| r.loop_mode);
        self.voices[index].release(mode);
    }

    /// Plays the release-triggered regions for a key that went up, softer
    /// the longer it was held (`rt_decay`).
    fn trigger_release(&mut self, channel: u8, note: u8) {
        let key = self.keys[usize::from(channel)][usize::from(note)];
        if key.velocity == 0 {
            return;
        }
        self.keys[usize::from(channel)][usize::from(note)].velocity = 0;
        let held_seconds = (self.frame.saturating_sub(key.frame)) as f32 / self.sample_rate;
        let slot = self.slot_for(channel);
        let Some(loaded) = &self.slots[usize::from(slot)] else { return };
        let on_key = loaded.instrument.regions_on_key(Trigger::Release, note);
        let mut layers = Layers::new();
        let instrument = &loaded.instrument;
        for &r in on_key {
            let Some(s) = instrument.selectors().get(r as usize) else { continue };
            if (s.vel_lo..=s.vel_hi).contains(&key.velocity) {
                // Read only for the layers kept: a whole region is a cache miss.
                layers.push(r, || 10f32.powf(-instrument.regions()[r as usize].rt_decay_db * held_seconds / 20.0));
            }
        }
        self.counters.regions_examined = self.counters.regions_examined.wrapping_add(on_key.len() as u64);
        self.start_layers(slot, channel, note, key.velocity, &layers);
    }

    fn control_change(&mut self, channel: u8, controller: u8, value: u8) {
        let action = self.channels[usize::from(channel)].control_change(controller, value);
        match action {
            ChannelAction::None => {}
            ChannelAction::SustainReleased => {
                let zones = self.mpe;
                for i in 0..self.voices.len() {
                    let v = &self.voices[i];
                    if v.is_active() && v.sustained && !v.sostenuto && zones.in_zone(v.channel, channel) {
                        self.release_voice(i);
                    }
                }
                for member in (0..16u8).filter(|&c| zones.in_zone(c, channel)) {
                    for note in 0..128u8 {
                        if std::mem::take(&mut self.keys[usize::from(member)][usize::from(note)].release_pending) {
                            self.trigger_release(member, note);
                        }
                    }
                }
            }
            ChannelAction::MpeConfigured(members) => self.configure_mpe(channel, members),
            ChannelAction::SostenutoPressed => {
                for v in self.voices.iter_mut().filter(|v| v.is_active() && v.held && v.channel == channel) {
                    v.sostenuto = true;
                }
            }
            ChannelAction::SostenutoReleased => {
                let sustain = self.channels[usize::from(channel)].sustain;
                for i in 0..self.voices.len() {
                    let v = &mut self.voices[i];
                    if v.is_active() && v.sostenuto && v.channel == channel {
                        v.sostenuto = false;
                        if !v.held {
                            if sustain {
                                v.sustained = true;
                            } else {
                                self.release_voice(i);
                            }
                        }
                    }
                }
            }
            ChannelAction::AllSoundOff => {
                for v in self.voices.iter_mut().filter(|v| v.channel == channel) {
                    v.fade_out();
                }
            }
            ChannelAction::AllNotesOff => {
                for note in 0..128u8 {
                    if self.voices.iter().any(|v| v.is_active() && v.held && v.channel == channel && v.note == note) {
                        self.note_off(channel, note);
                    }
                }
            }
        }
    }

    /// MPE Configuration Message on `channel` (0: lower zone, 15: upper
    /// zone; others are ignored). Members get the MPE per-note bend range,
    /// the master the master range; a zone shrinks the other if they overlap.
    fn configure_mpe(&mut self, channel: u8, members: u8) {
        let members = members.min(15);
        match channel {
            0 => {
                self.mpe.lower = members;
                self.mpe.upper = self.mpe.upper.min(14 - members.min(14));
            }
            15 => {
                self.mpe.upper = members;
                self.mpe.lower = self.mpe.lower.min(14 - members.min(14));
            }
            _ => return,
        }
        for c in 0..16u8 {
            match self.mpe.master_of(c) {
                Some(master) if master == channel => self.channels[usize::from(c)].bend_range = MPE_MEMBER_BEND_RANGE,
                _ if c == channel => self.channels[usize::from(c)].bend_range = MPE_MASTER_BEND_RANGE,
                _ => {}
            }
        }
    }

    /// Renders the next `left.len()` frames into `left` and `right`
    /// (overwriting them).
    pub fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.render_with::<crate::simd::Native>(left, right);
    }

    /// [`Engine::render`] with the voices' lanes in `V`: the native SIMD
    /// type, or the portable one the tests compare it with.
    pub(crate) fn render_with<V: crate::simd::F32x4>(&mut self, left: &mut [f32], right: &mut [f32]) {
        debug_assert_eq!(left.len(), right.len());
        left.fill(0.0);
        right.fill(0.0);
        let (zones, slots, channels) = (self.mpe, &self.slots, &self.channels);
        let (sample_rate, interpolation) = (self.sample_rate, self.interpolation);
        let context = |v: &Voice| {
            let loaded = slots[usize::from(v.slot)].as_ref()?;
            // In range: a voice's region and sample come from its slot's
            // instrument when it started (allocate.rs); instruments never
            // change, and a replaced one moves to a retired slot with its
            // voices (`load`). Indexing measured 4 % faster than `get` here.
            let region = &loaded.instrument.regions()[v.region as usize];
            Some(RenderContext {
                sample: &loaded.instrument.samples()[region.sample],
                region,
                channel: &channels[usize::from(v.channel)],
                master: zones.master_of(v.channel).map(|m| &channels[usize::from(m)]),
                sample_rate,
                interpolation,
            })
        };
        let cut = crate::render::render_voices::<V>(&mut self.voices, context, left, right);
        self.counters.non_finite_voices = self.counters.non_finite_voices.wrapping_add(cut);
        let gain = self.master_gain;
        if self.output_clip {
            for x in left.iter_mut().chain(right.iter_mut()) {
                *x = soft_clip(*x * gain);
            }
        } else {
            for x in left.iter_mut().chain(right.iter_mut()) {
                *x *= gain;
            }
        }
        self.frame += left.len() as u64;
    }
}

/// Identity below the knee, then a tanh curve that approaches ±1, so a big
/// chord is compressed instead of wrapping or hard clipping. NaN becomes 0.
#[inline]
fn soft_clip(x: f32) -> f32 {
    const K: f32 = Engine::CLIP_KNEE;
    let a = x.abs();
    if a <= K {
        x
    } else if a.is_finite() {
        (K + (1.0 - K) * ((a - K) / (1.0 - K)).tanh()).copysign(x)
    } else if x.is_nan() {
        0.0
    } else {
        1.0f32.copysign(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Region, Sample};

    /// An engine playing a constant 0.5 at unity gain on every key.
    fn dc_engine(clip: bool) -> Engine {
        let mut region = Region::new(0, 60);
        region.amp_veltrack = 0.0;
        let sample = Sample::new(vec![vec![0.5; 48_000]], 48_000.0).unwrap();
        let mut engine = Engine::new(48_000.0, 8);
        engine.set_instrument(Instrument::new(vec![sample], vec![region]).unwrap());
        engine.set_output_clip(clip);
        engine
    }

    /// Notes 60 and then `second` (if any); `poison` makes the second
    /// voice's gain NaN once both sound (as a voice validation missed).
    /// Returns the last 128 frames, checked finite throughout.
    fn play(engine: &mut Engine, second: Option<u8>, poison: bool) -> Vec<f32> {
        let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
        engine.handle(MidiMessage::NoteOn { channel: 0, note: 60, velocity: 100 });
        engine.render(&mut l, &mut r);
        if let Some(note) = second {
            engine.handle(MidiMessage::NoteOn { channel: 0, note, velocity: 100 });
        }
        engine.render(&mut l, &mut r);
        if poison {
            let i = engine.voices.iter().position(|v| v.is_active() && Some(v.note) == second).unwrap();
            engine.voices[i].poison();
        }
        for _ in 0..10 {
            engine.render(&mut l, &mut r);
            assert!(l.iter().chain(&r).all(|x| x.is_finite()), "non-finite output");
        }
        l
    }

    #[test]
    fn a_non_finite_voice_is_cut_and_the_others_play_on() {
        let one_alone = play(&mut dc_engine(false), None, false);
        let mut engine = dc_engine(false);
        let both = play(&mut engine, Some(62), false);
        assert!((both[127] - 2.0 * one_alone[127]).abs() < 1e-6, "two voices: {} vs {}", both[127], one_alone[127]);
        assert_eq!(engine.counters().non_finite_voices, 0);
        for clip in [false, true] {
            let mut engine = dc_engine(clip);
            let out = play(&mut engine, Some(62), true);
            assert_eq!(out, one_alone, "clip {clip}: the good voice plays on, alone");
            assert_eq!(engine.counters().non_finite_voices, 1);
            assert_eq!(engine.active_voices(), 1);
        }
    }

    #[test]
    fn the_clip_can_be_switched_off() {
        let mut engine = Engine::new(48_000.0, 8);
        let sample = Sample::new(vec![vec![1.0; 48_000]], 48_000.0).unwrap();
        let mut region = Region::new(0, 60);
        region.volume_db = 12.0;
        engine.set_instrument(Instrument::new(vec![sample], vec![region]).unwrap());
        engine.handle(MidiMessage::NoteOn { channel: 0, note: 60, velocity: 127 });
        let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
        engine.render(&mut l, &mut r);
        assert!(engine.output_clip());
        assert!(l[127] < 1.0, "clipped: {}", l[127]);
        engine.set_output_clip(false);
        engine.render(&mut l, &mut r);
        assert!(l[127] > 1.0, "the plain sum: {}", l[127]);
    }

    #[test]
    fn soft_clip_is_transparent_below_the_knee_and_bounded_above() {
        assert_eq!(soft_clip(0.5), 0.5);
        assert_eq!(soft_clip(-0.8), -0.8);
        assert!(soft_clip(1.0) < 1.0 && soft_clip(1.0) > 0.9);
        assert!(soft_clip(100.0) <= 1.0);
        assert!(soft_clip(-100.0) >= -1.0);
        assert_eq!(soft_clip(f32::NAN), 0.0);
        assert_eq!(soft_clip(f32::INFINITY), 1.0);
        // Continuous and monotonic through the knee.
        let ys: Vec<f32> = (0..2000).map(|i| soft_clip(i as f32 / 1000.0)).collect();
        assert!(ys.windows(2).all(|w| w[1] >= w[0] && w[1] - w[0] < 0.0011));
    }
}
