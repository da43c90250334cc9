//! One sounding note: a playback position in a sample, its pitch step, gain
//! and envelope. Voices live in a preallocated pool in the engine.

use crate::envelope::{Envelope, Stage};
use crate::instrument::{Instrument, Zone};

#[derive(Clone, Copy, Debug)]
pub struct Voice {
    pub(crate) channel: u8,
    pub(crate) note: u8,
    /// Note-on serial number; smaller is older.
    pub(crate) started: u64,
    /// The key is still down.
    pub(crate) held: bool,
    /// The key is up but the sustain pedal keeps the note sounding.
    pub(crate) sustained: bool,
    sample: usize,
    position: f64,
    step: f64,
    gain_left: f32,
    gain_right: f32,
    envelope: Envelope,
}

impl Voice {
    pub const fn idle() -> Voice {
        Voice {
            channel: 0,
            note: 0,
            started: 0,
            held: false,
            sustained: false,
            sample: 0,
            position: 0.0,
            step: 0.0,
            gain_left: 0.0,
            gain_right: 0.0,
            envelope: Envelope::idle(),
        }
    }

    /// Starts playing `zone` for a note. `output_rate` is the engine's sample rate.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start(
        &mut self,
        instrument: &Instrument,
        zone: &Zone,
        channel: u8,
        note: u8,
        velocity: u8,
        started: u64,
        output_rate: f32,
    ) {
        let sample = &instrument.samples[zone.sample];
        let semitones = f64::from(note) - f64::from(zone.root_key) + f64::from(zone.tune_cents) / 100.0;
        let rate_ratio = f64::from(sample.sample_rate()) / f64::from(output_rate);
        let v = f32::from(velocity) / 127.0;
        let gain = zone.gain * v * v;
        *self = Voice {
            channel,
            note,
            started,
            held: true,
            sustained: false,
            sample: zone.sample,
            position: 0.0,
            step: (semitones / 12.0).exp2() * rate_ratio,
            gain_left: gain,
            gain_right: gain,
            envelope: Envelope::start(output_rate, instrument.release_seconds),
        };
    }

    pub fn is_active(&self) -> bool {
        !self.envelope.is_done()
    }

    /// Sounding and not on its way out after a steal.
    pub fn is_fading(&self) -> bool {
        self.envelope.stage() == Stage::Fade
    }

    pub fn is_released(&self) -> bool {
        self.envelope.stage() == Stage::Release
    }

    pub fn level(&self) -> f32 {
        self.envelope.level()
    }

    pub(crate) fn release(&mut self) {
        self.held = false;
        self.sustained = false;
        self.envelope.release();
    }

    pub(crate) fn fade_out(&mut self) {
        self.envelope.fade_out();
    }

    pub(crate) fn kill(&mut self) {
        self.envelope = Envelope::idle();
    }

    /// Adds this voice into `left`/`right` (equal lengths). Linear
    /// interpolation between neighbouring frames.
    pub(crate) fn render_add(&mut self, instrument: &Instrument, left: &mut [f32], right: &mut [f32]) {
        let sample = &instrument.samples[self.sample];
        let (src_l, src_r) = (sample.left(), sample.right());
        let end = sample.frames() as f64;
        for (out_l, out_r) in left.iter_mut().zip(right.iter_mut()) {
            if self.position >= end {
                self.kill();
                return;
            }
            let index = self.position as usize;
            let frac = (self.position - index as f64) as f32;
            // The guard frame makes index + 1 valid for index < frames.
            let l = src_l[index] + (src_l[index + 1] - src_l[index]) * frac;
            let r = src_r[index] + (src_r[index + 1] - src_r[index]) * frac;
            let env = self.envelope.next();
            *out_l += l * env * self.gain_left;
            *out_r += r * env * self.gain_right;
            self.position += self.step;
            if self.envelope.is_done() {
                return;
            }
        }
    }
}
