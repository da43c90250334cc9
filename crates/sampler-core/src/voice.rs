//! One sounding note: a read position in a sample, its pitch, envelopes,
//! filter and LFO. Voices live in a preallocated pool in the engine and
//! never allocate.
//!
//! Modulation (pitch bend, vibrato, LFO, filter envelope, channel volume and
//! pan) is evaluated at control rate, every `CONTROL_FRAMES` frames; gains
//! are ramped linearly across each control period so controller moves do
//! not zipper.

use crate::channel::{pan_gains, Channel, MODULATION_VIBRATO_HZ};
use crate::envelope::{Envelope, Stage};
use crate::filter::Filter;
use crate::interpolation::{interpolate, Interpolation};
use crate::region::{LoopMode, Region};
use crate::sample::{Sample, GUARD_BEFORE};

/// Frames between modulation updates.
pub const CONTROL_FRAMES: usize = 32;

/// What a voice needs to render besides itself.
pub struct RenderContext<'a> {
    pub sample: &'a Sample,
    pub region: &'a Region,
    pub channel: &'a Channel,
    pub sample_rate: f32,
    pub interpolation: Interpolation,
}

#[derive(Clone, Copy, Debug)]
pub struct Voice {
    pub(crate) channel: u8,
    pub(crate) note: u8,
    /// Note-on serial number; smaller is older.
    pub(crate) started: u64,
    /// The key is still down.
    pub(crate) held: bool,
    /// Key up, kept by the sustain pedal.
    pub(crate) sustained: bool,
    /// Key was down when the sostenuto pedal went down.
    pub(crate) sostenuto: bool,
    /// Polyphonic pressure on this note (0..=127).
    pub(crate) pressure: u8,
    /// Which loaded instrument and region this voice plays.
    pub(crate) slot: u16,
    pub(crate) region: u32,
    position: f64,
    base_step: f64,
    looping: bool,
    gain: f32,
    /// Gains reached at the end of the last control period.
    gain_left: f32,
    gain_right: f32,
    ramp_started: bool,
    envelope: Envelope,
    filter: Filter,
    filter_envelope: Envelope,
    /// Cutoff before the envelope and LFO: region cutoff with key and velocity tracking.
    base_cutoff: f32,
    lfo_phase: f32,
    vibrato_phase: f32,
    /// Frames since note-on, at control-rate resolution (for LFO delay and fade).
    age: u32,
}

impl Voice {
    pub const fn idle() -> Voice {
        Voice {
            channel: 0,
            note: 0,
            started: 0,
            held: false,
            sustained: false,
            sostenuto: false,
            pressure: 0,
            slot: 0,
            region: 0,
            position: 0.0,
            base_step: 0.0,
            looping: false,
            gain: 0.0,
            gain_left: 0.0,
            gain_right: 0.0,
            ramp_started: false,
            envelope: Envelope::idle(),
            filter: Filter::new(),
            filter_envelope: Envelope::idle(),
            base_cutoff: 0.0,
            lfo_phase: 0.0,
            vibrato_phase: 0.0,
            age: 0,
        }
    }

    /// Starts playing `region` of `slot` for a note. `gain` multiplies the
    /// region's velocity gain (release triggers use it for `rt_decay`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start(
        &mut self,
        slot: u16,
        region_index: u32,
        region: &Region,
        sample: &Sample,
        channel: u8,
        note: u8,
        velocity: u8,
        started: u64,
        gain: f32,
        output_rate: f32,
    ) {
        let rate_ratio = f64::from(sample.sample_rate()) / f64::from(output_rate);
        let mut amp = region.amp_env;
        amp.delay += region.delay.max(0.0);
        let (filter_envelope, base_cutoff) = match &region.filter {
            Some(f) => {
                let keys = f32::from(note) - f32::from(f.keycenter);
                let cents = keys * f.keytrack_cents + f32::from(velocity) / 127.0 * f.veltrack_cents;
                let mut env = f.envelope;
                env.delay += region.delay.max(0.0);
                (Envelope::start(&env, output_rate), f.cutoff_hz * (cents / 1200.0).exp2())
            }
            None => (Envelope::idle(), 0.0),
        };
        *self = Voice {
            channel,
            note,
            started,
            held: true,
            slot,
            region: region_index,
            position: f64::from(region.offset.min(sample.frames() as u32)),
            base_step: (region.pitch_semitones(note) / 12.0).exp2() * rate_ratio,
            looping: region.loops(sample.frames()),
            gain: region.velocity_gain(velocity) * gain,
            envelope: Envelope::start(&amp, output_rate),
            filter_envelope,
            base_cutoff,
            ..Voice::idle()
        };
    }

    pub fn is_active(&self) -> bool {
        !self.envelope.is_done()
    }

    /// On its way out after a steal or choke.
    pub fn is_fading(&self) -> bool {
        self.envelope.stage() == Stage::Fade
    }

    pub fn is_released(&self) -> bool {
        matches!(self.envelope.stage(), Stage::Release | Stage::Fade)
    }

    pub fn level(&self) -> f32 {
        self.envelope.level() * self.gain
    }

    /// Key (and pedals) up: release, unless the region is a one-shot.
    pub(crate) fn release(&mut self, loop_mode: LoopMode) {
        self.held = false;
        self.sustained = false;
        self.sostenuto = false;
        if loop_mode == LoopMode::OneShot {
            return;
        }
        if loop_mode == LoopMode::Sustain {
            self.looping = false;
        }
        self.envelope.release();
        self.filter_envelope.release();
    }

    pub(crate) fn fade_out(&mut self) {
        self.envelope.fade_out();
    }

    pub(crate) fn kill(&mut self) {
        self.envelope = Envelope::idle();
    }

    /// Adds this voice into `left`/`right` (equal lengths).
    pub(crate) fn render_add(&mut self, ctx: &RenderContext, left: &mut [f32], right: &mut [f32]) {
        let mut done = 0;
        while done < left.len() && self.is_active() {
            let n = CONTROL_FRAMES.min(left.len() - done);
            self.render_period(ctx, &mut left[done..done + n], &mut right[done..done + n]);
            done += n;
        }
    }

    /// One control period: update modulation, then render frame by frame.
    fn render_period(&mut self, ctx: &RenderContext, left: &mut [f32], right: &mut [f32]) {
        let frames = left.len();
        let region = ctx.region;
        let channel = ctx.channel;
        let seconds = frames as f32 / ctx.sample_rate;

        // LFO (sine), with delay and fade-in.
        let lfo = &region.lfo;
        let mut lfo_value = 0.0;
        if lfo.is_active() {
            let t = self.age as f32 / ctx.sample_rate - lfo.delay;
            if t > 0.0 {
                let depth = if lfo.fade > 0.0 { (t / lfo.fade).min(1.0) } else { 1.0 };
                lfo_value = (self.lfo_phase * std::f32::consts::TAU).sin() * depth;
                self.lfo_phase = (self.lfo_phase + lfo.frequency_hz * seconds).fract();
            }
        }
        // Vibrato from the mod wheel and pressure.
        let vibrato_cents = channel.vibrato_cents().max(f32::from(self.pressure) / 127.0 * crate::channel::MODULATION_VIBRATO_CENTS);
        let vibrato = if vibrato_cents > 0.0 {
            let v = (self.vibrato_phase * std::f32::consts::TAU).sin() * vibrato_cents;
            self.vibrato_phase = (self.vibrato_phase + MODULATION_VIBRATO_HZ * seconds).fract();
            v
        } else {
            0.0
        };
        self.age = self.age.saturating_add(frames as u32);

        let cents = channel.bend_semitones() * 100.0 + lfo_value * lfo.to_pitch_cents + vibrato;
        let step = self.base_step * f64::from(cents / 1200.0).exp2();

        // Gains: region × channel × LFO volume, panned; ramped over the period.
        let lfo_gain = if lfo.to_volume_db != 0.0 { (lfo_value * lfo.to_volume_db / 20.0 * std::f32::consts::LOG2_10).exp2() } else { 1.0 };
        let gain = self.gain * channel.gain() * lfo_gain;
        let (pan_l, pan_r) = pan_gains(region.pan + channel.pan_position());
        // Normalised so a centred voice has unity gain on both sides.
        let target_l = gain * pan_l * std::f32::consts::SQRT_2;
        let target_r = gain * pan_r * std::f32::consts::SQRT_2;
        if !self.ramp_started {
            self.gain_left = target_l;
            self.gain_right = target_r;
            self.ramp_started = true;
        }
        let step_l = (target_l - self.gain_left) / frames as f32;
        let step_r = (target_r - self.gain_right) / frames as f32;

        // Filter: cutoff from tracking, envelope and LFO, set once per period.
        let filtered = if let Some(f) = &region.filter {
            let mut env_level = 0.0;
            for _ in 0..frames {
                env_level = self.filter_envelope.advance();
            }
            let cutoff_cents = env_level * f.envelope_depth_cents + lfo_value * lfo.to_cutoff_cents;
            self.filter.set(f.kind, self.base_cutoff * (cutoff_cents / 1200.0).exp2(), f.resonance_db, ctx.sample_rate);
            true
        } else {
            false
        };

        let sample = ctx.sample;
        let (src_l, src_r) = (sample.left(), sample.right());
        let frames_in_sample = sample.frames() as f64;
        let (loop_start, loop_end) = (f64::from(region.loop_start), f64::from(region.loop_end));
        let (mut gl, mut gr) = (self.gain_left, self.gain_right);
        for (out_l, out_r) in left.iter_mut().zip(right.iter_mut()) {
            gl += step_l;
            gr += step_r;
            if self.envelope.stage() == Stage::Delay {
                self.envelope.advance();
                continue;
            }
            if self.looping {
                if self.position >= loop_end {
                    self.position = loop_start + (self.position - loop_end) % (loop_end - loop_start);
                }
            } else if self.position >= frames_in_sample {
                self.kill();
                break;
            }
            let index = self.position as usize;
            let frac = (self.position - index as f64) as f32;
            let (wl, wr) = if self.looping && index + 3 > region.loop_end as usize {
                // Near the loop end the neighbours come from the loop start.
                let len = (region.loop_end - region.loop_start) as usize;
                let at = |k: usize| {
                    let i = index + k;
                    let i = if i > region.loop_end as usize { i - len } else { i };
                    GUARD_BEFORE + i - 1
                };
                let wrap = |src: &[f32]| [src[at(0)], src[at(1)], src[at(2)], src[at(3)]];
                (wrap(src_l), wrap(src_r))
            } else {
                let at = GUARD_BEFORE + index - 1;
                (
                    [src_l[at], src_l[at + 1], src_l[at + 2], src_l[at + 3]],
                    [src_r[at], src_r[at + 1], src_r[at + 2], src_r[at + 3]],
                )
            };
            let mut l = interpolate(ctx.interpolation, wl, frac);
            let mut r = interpolate(ctx.interpolation, wr, frac);
            if filtered {
                (l, r) = self.filter.process(l, r);
            }
            let env = self.envelope.advance();
            *out_l += l * env * gl;
            *out_r += r * env * gr;
            self.position += step;
            if self.envelope.is_done() {
                break;
            }
        }
        self.gain_left = target_l;
        self.gain_right = target_r;
    }
}
