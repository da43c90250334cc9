//! Every note, with extreme controllers, through the event ring and `Host`
//! as the worklet drives them, checking the output of every quantum.
//!
//! The script (one run is [`RUN_FRAMES`] = 1280 frames at 48 kHz, 10 quanta):
//! 1. Channel 0 with every controller at an extreme: bend range (RPN 0) at
//!    its maximum, pitch bend at +max, mod wheel, CC74, volume, expression,
//!    channel pressure and sustain at 127, pan hard left. Notes 0..=127 go
//!    on in chords of [`CHORD`] notes [`CHORD_SPACING`] frames apart,
//!    velocities alternating 127 and 1;
//!    half-way the bend flips to -max, pan to hard right, sostenuto goes
//!    down and every key gets polyphonic pressure 127. Then every note
//!    off (sustained), sustain up (release triggers fire), sostenuto up,
//!    all notes off, all sound off, [`RELEASE_STEP`] frames apart.
//! 2. The instrument swapped for a copy (nothing sounds, so the old one
//!    comes straight back), then MPE: a lower zone of all 15 member
//!    channels (RPN 6), each member with the extremes above and bent to
//!    ±max; notes 0..=127 spread over the members, the master's sustain
//!    down half-way; then the same release.
//!
//! After each all-sound-off, every voice must have ended within
//! [`TAIL_FRAMES`].
//!
//! Engine settings (interpolation, transpose ±48, velocity curve) follow
//! the seed. A few voices only ([`POLYPHONY`]), so stealing is constant
//! and a run stays cheap.

use midi_ring::{midi_buffer, MidiEvent};
use sampler_core::{Engine, Host, Instrument, Interpolation, VelocityCurve};

use crate::mix;

pub const SAMPLE_RATE: f32 = 48_000.0;
pub const QUANTUM: usize = 128;
pub const POLYPHONY: usize = 8;
/// Notes that go on at the same frame, and frames between such chords:
/// few frames per note so a run stays cheap (the host also splits its
/// render at every event frame, and each render call has a fixed cost).
pub const CHORD: u8 = 8;
pub const CHORD_SPACING: u64 = 16;
const NOTES_FRAMES: u64 = 128 / CHORD as u64 * CHORD_SPACING;
/// Frames between the steps of a release.
pub const RELEASE_STEP: u64 = 16;
/// Frames rendered after all sound off; a stolen or silenced voice fades
/// in 5 ms (240 frames).
pub const TAIL_FRAMES: u64 = 320;
const _: () = assert!(PHASE_FRAMES.is_multiple_of(QUANTUM as u64), "the swap falls on a quantum boundary");
const PHASE_FRAMES: u64 = NOTES_FRAMES + 4 * RELEASE_STEP + TAIL_FRAMES;
pub const RUN_FRAMES: u64 = 2 * PHASE_FRAMES;
/// A mix louder than this is a fault even though finite: the loudest
/// legal voice (sample values up to 64, +48 dB, panned) times the pool is
/// far below it.
const ABSURD: f32 = 1e8;

/// What a run did, for callers that check the instrument sounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Played {
    pub quanta: u64,
    /// The most voices active after any quantum.
    pub peak_voices: usize,
}

const NOTE_OFF: u8 = 0x80;
const NOTE_ON: u8 = 0x90;
const POLY_PRESSURE: u8 = 0xA0;
const CONTROL: u8 = 0xB0;
const PRESSURE: u8 = 0xD0;
const BEND: u8 = 0xE0;

struct Script(Vec<MidiEvent>);

impl Script {
    fn send(&mut self, frame: u64, status: u8, channel: u8, d1: u8, d2: u8) {
        let mut e = MidiEvent::new(frame, status | channel, d1, d2);
        if status == PRESSURE {
            e.len = 2;
        }
        self.0.push(e);
    }

    fn cc(&mut self, frame: u64, channel: u8, controller: u8, value: u8) {
        self.send(frame, CONTROL, channel, controller, value);
    }

    /// RPN `number` (MSB 0) set to `msb`, `lsb`.
    fn rpn(&mut self, frame: u64, channel: u8, number: u8, msb: u8, lsb: u8) {
        self.cc(frame, channel, 101, 0);
        self.cc(frame, channel, 100, number);
        self.cc(frame, channel, 6, msb);
        self.cc(frame, channel, 38, lsb);
    }

    fn bend(&mut self, frame: u64, channel: u8, up: bool) {
        let (lsb, msb) = if up { (0x7F, 0x7F) } else { (0, 0) };
        self.send(frame, BEND, channel, lsb, msb);
    }

    /// Every controller of `channel` at an extreme.
    fn extremes(&mut self, frame: u64, channel: u8) {
        self.cc(frame, channel, 121, 0); // reset all controllers
        self.rpn(frame, channel, 0, 127, 127); // bend range: 127.99 semitones
        self.bend(frame, channel, true);
        for controller in [1, 7, 11, 74] {
            self.cc(frame, channel, controller, 127); // mod wheel, volume, expression, timbre
        }
        self.cc(frame, channel, 10, 0); // pan hard left
        self.send(frame, PRESSURE, channel, 127, 0);
    }

    /// Releases everything from `frame` on: each note off on its channel
    /// (`channel_of`; sustained), then `RELEASE_STEP` apart sustain up and
    /// sostenuto up (on `channels[0]`, the pedals' channel), all notes off,
    /// all sound off (on every channel).
    fn release(&mut self, frame: u64, channels: std::ops::RangeInclusive<u8>, channel_of: impl Fn(u8) -> u8) {
        let q = RELEASE_STEP;
        for note in 0..128u8 {
            self.send(frame, NOTE_OFF, channel_of(note), note, 127);
        }
        let pedals = *channels.start();
        self.cc(frame + q, pedals, 64, 0);
        self.cc(frame + 2 * q, pedals, 66, 0);
        for c in channels {
            self.cc(frame + 3 * q, c, 123, 0);
            self.cc(frame + 4 * q, c, 120, 0);
        }
    }
}

fn script() -> (Script, u64) {
    let mut s = Script(Vec::new());
    let velocity = |note: u8| if note.is_multiple_of(2) { 127 } else { 1 };
    let member_of = |note: u8| 1 + note % 15;
    // 1: channel 0.
    s.extremes(0, 0);
    s.cc(0, 0, 64, 127);
    for note in 0..128u8 {
        let frame = u64::from(note / CHORD) * CHORD_SPACING;
        if note == 64 {
            s.bend(frame, 0, false);
            s.cc(frame, 0, 10, 127);
            s.cc(frame, 0, 66, 127); // sostenuto
            for key in 0..128u8 {
                s.send(frame, POLY_PRESSURE, 0, key, 127);
            }
        }
        s.send(frame, NOTE_ON, 0, note, velocity(note));
    }
    s.release(NOTES_FRAMES, 0..=0, |_| 0);
    // 2: MPE, lower zone with all 15 members.
    let start = PHASE_FRAMES;
    s.rpn(start, 0, 6, 15, 0);
    for member in 1..16u8 {
        s.extremes(start, member);
        s.bend(start, member, member % 2 == 0);
    }
    for note in 0..128u8 {
        let frame = start + u64::from(note / CHORD) * CHORD_SPACING;
        if note == 64 {
            s.cc(frame, 0, 64, 127);
        }
        s.send(frame, NOTE_ON, member_of(note), note, velocity(note));
    }
    s.release(start + NOTES_FRAMES, 0..=15, member_of);
    (s, start)
}

/// Plays `instrument` through the script above and panics if the output
/// is not sound: an infinite or absurd mix, an event the host refused, or
/// a voice still active after all sound off.
pub fn play_everything(instrument: Instrument, seed: u64) -> Played {
    let h = mix(seed, u64::MAX);
    let mut engine = Engine::new(SAMPLE_RATE, POLYPHONY);
    engine.set_interpolation(if h & 1 == 0 { Interpolation::Linear } else { Interpolation::Hermite });
    engine.note_input().set_transpose([0, 48, -48][(h >> 1) as usize % 3]);
    let curves = [VelocityCurve::Linear, VelocityCurve::Soft, VelocityCurve::Hard, VelocityCurve::Fixed(127)];
    engine.note_input().set_velocity_curve(curves[(h >> 3) as usize % curves.len()]);
    // The mix is checked before the output clip, which would hide a NaN
    // (it maps NaN to 0) or an infinity (to ±1).
    engine.set_output_clip(false);
    let copy = instrument.clone();
    drop(engine.set_instrument(instrument));
    let (mut tx, mut rx) = midi_buffer(1024);
    let mut host = Host::new(engine, rx.capacity(), Host::DEFAULT_MAX_PENDING);
    let (Script(events), swap_frame) = script();
    let mut copy = Some(copy);
    let mut next = 0;
    let (mut left, mut right) = ([0.0f32; QUANTUM], [0.0f32; QUANTUM]);
    let mut played = Played::default();
    let mut frame = 0;
    while frame < RUN_FRAMES {
        let end = frame + QUANTUM as u64;
        while next < events.len() && events[next].frame < end {
            assert!(tx.try_send(events[next]), "the ring holds a quantum's events");
            next += 1;
        }
        if frame == swap_frame {
            // Nothing sounds here; the old instrument goes back at once.
            let old = host.engine.set_instrument(copy.take().expect("swapped once"));
            assert!(old.is_some(), "the replaced instrument is handed back when none of its notes sound");
        }
        host.process(&mut rx, frame, &mut left, &mut right);
        for (i, x) in left.iter().chain(&right).enumerate() {
            assert!(x.is_finite() && x.abs() < ABSURD, "frame {}: output {x} (a non-finite or absurd mix)", frame + (i % QUANTUM) as u64);
        }
        played.quanta += 1;
        played.peak_voices = played.peak_voices.max(host.engine.active_voices());
        frame = end;
        if frame == swap_frame || frame == RUN_FRAMES {
            assert_eq!(host.engine.active_voices(), 0, "voices still active {TAIL_FRAMES} frames after all sound off");
        }
    }
    let stats = host.stats();
    assert_eq!((stats.invalid, stats.queue_dropped), (0, 0), "the host refused or dropped events: {stats:?}");
    played
}

#[cfg(test)]
mod tests {
    use super::*;
    use sampler_core::{Region, Sample};

    #[test]
    fn a_plain_instrument_sounds_and_ends() {
        let sample = Sample::new(vec![vec![0.5; 48_000]], 48_000.0).unwrap();
        let instrument = Instrument::new(vec![sample], vec![Region::new(0, 60)]).unwrap();
        let played = play_everything(instrument, 1);
        assert_eq!(played.quanta, RUN_FRAMES / QUANTUM as u64);
        // Sustained notes pile up until the pool (and its spares) is full.
        assert!(played.peak_voices > POLYPHONY, "{played:?}");
    }
}
