//! The engine: a fixed pool of voices playing one instrument, driven by MIDI
//! messages. `handle` and `render` never allocate.

use crate::instrument::Instrument;
use crate::midi::{MidiMessage, CC_ALL_NOTES_OFF, CC_ALL_SOUND_OFF, CC_RESET_ALL_CONTROLLERS, CC_SUSTAIN};
use crate::voice::Voice;

pub struct Engine {
    sample_rate: f32,
    instrument: Option<Instrument>,
    /// `max_polyphony` sounding voices plus spares that let stolen voices
    /// fade out instead of being cut.
    voices: Box<[Voice]>,
    max_polyphony: usize,
    next_serial: u64,
    sustain: [bool; 16],
    master_gain: f32,
}

impl Engine {
    pub const DEFAULT_POLYPHONY: usize = 128;
    /// Headroom for a chord of many notes until the limiter arrives.
    pub const DEFAULT_MASTER_GAIN: f32 = 0.5;

    pub fn new(sample_rate: f32, max_polyphony: usize) -> Engine {
        let max_polyphony = max_polyphony.max(1);
        let spares = max_polyphony / 4 + 4;
        Engine {
            sample_rate,
            instrument: None,
            voices: vec![Voice::idle(); max_polyphony + spares].into_boxed_slice(),
            max_polyphony,
            next_serial: 0,
            sustain: [false; 16],
            master_gain: Self::DEFAULT_MASTER_GAIN,
        }
    }

    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    pub fn set_master_gain(&mut self, gain: f32) {
        if gain.is_finite() {
            self.master_gain = gain.clamp(0.0, 4.0);
        }
    }

    /// Swaps in a new instrument and returns the old one, so the caller can
    /// free it outside the render path. Voices of the old instrument stop.
    pub fn set_instrument(&mut self, instrument: Instrument) -> Option<Instrument> {
        for v in self.voices.iter_mut() {
            v.kill();
        }
        self.instrument.replace(instrument)
    }

    pub fn instrument(&self) -> Option<&Instrument> {
        self.instrument.as_ref()
    }

    pub fn active_voices(&self) -> usize {
        self.voices.iter().filter(|v| v.is_active()).count()
    }

    pub fn handle(&mut self, message: MidiMessage) {
        match message {
            MidiMessage::NoteOn { channel, note, velocity } => self.note_on(channel, note, velocity),
            MidiMessage::NoteOff { channel, note, .. } => self.note_off(channel, note),
            MidiMessage::ControlChange { channel, controller, value } => {
                self.control_change(channel, controller, value)
            }
            // Deepened in the engine issue.
            _ => {}
        }
    }

    fn note_on(&mut self, channel: u8, note: u8, velocity: u8) {
        let Some(instrument) = self.instrument.as_ref() else { return };
        let Some(zone) = instrument.find_zone(note, velocity) else { return };
        let sounding = self.voices.iter().filter(|v| v.is_active() && !v.is_fading()).count();
        if sounding >= self.max_polyphony {
            // Steal the oldest sounding voice; it fades out in a few ms.
            if let Some(oldest) = self
                .voices
                .iter_mut()
                .filter(|v| v.is_active() && !v.is_fading())
                .min_by_key(|v| v.started)
            {
                oldest.fade_out();
            }
        }
        let slot = match self.voices.iter().position(|v| !v.is_active()) {
            Some(i) => i,
            // Every spare is fading too: cut the quietest of them.
            None => {
                let (i, _) = self
                    .voices
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_fading())
                    .min_by(|a, b| a.1.level().total_cmp(&b.1.level()))
                    .unwrap_or((0, &self.voices[0]));
                i
            }
        };
        self.next_serial += 1;
        self.voices[slot].start(instrument, zone, channel, note, velocity, self.next_serial, self.sample_rate);
    }

    fn note_off(&mut self, channel: u8, note: u8) {
        let sustain = self.sustain[usize::from(channel & 15)];
        for v in self.voices.iter_mut() {
            if v.is_active() && v.held && v.channel == channel && v.note == note {
                if sustain {
                    v.held = false;
                    v.sustained = true;
                } else {
                    v.release();
                }
            }
        }
    }

    fn control_change(&mut self, channel: u8, controller: u8, value: u8) {
        let ch = usize::from(channel & 15);
        match controller {
            CC_SUSTAIN => {
                let down = value >= 64;
                self.sustain[ch] = down;
                if !down {
                    for v in self.voices.iter_mut() {
                        if v.is_active() && v.sustained && v.channel == channel {
                            v.release();
                        }
                    }
                }
            }
            CC_ALL_SOUND_OFF => {
                for v in self.voices.iter_mut().filter(|v| v.channel == channel) {
                    v.fade_out();
                }
            }
            CC_ALL_NOTES_OFF => {
                for v in self.voices.iter_mut().filter(|v| v.channel == channel) {
                    v.release();
                }
            }
            CC_RESET_ALL_CONTROLLERS => self.control_change(channel, CC_SUSTAIN, 0),
            _ => {}
        }
    }

    /// Renders the next `left.len()` frames into `left` and `right`
    /// (overwriting them).
    pub fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        debug_assert_eq!(left.len(), right.len());
        left.fill(0.0);
        right.fill(0.0);
        let Some(instrument) = self.instrument.as_ref() else { return };
        for v in self.voices.iter_mut().filter(|v| v.is_active()) {
            v.render_add(instrument, left, right);
        }
        let gain = self.master_gain;
        for x in left.iter_mut().chain(right.iter_mut()) {
            *x *= gain;
        }
    }
}
