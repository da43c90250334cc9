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
use crate::interpolation::Interpolation;
use crate::read::{fixed_step, Cursor, Layout, MAX_STEP, MIN_STEP};
use crate::region::{LoopMode, Region};
use crate::render::{Batch, LaneParams};
use crate::sample::{Sample, SampleData};

/// Frames between modulation updates.
pub const CONTROL_FRAMES: usize = 32;

/// What a voice needs to render besides itself.
pub struct RenderContext<'a> {
    pub sample: &'a Sample,
    pub region: &'a Region,
    pub channel: &'a Channel,
    /// The MPE zone's master channel when the voice is on a member channel:
    /// its bend adds to the note's, and its volume, expression and pan apply.
    pub master: Option<&'a Channel>,
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
    /// Read position (32.32 fixed point) and whether it loops.
    cursor: Cursor,
    /// Sample frames per output frame before modulation, within
    /// [`MIN_STEP`, `MAX_STEP`].
    base_step: f64,
    /// Frames before the loop end over which the loop crossfades (sample frames).
    crossfade: u32,
    gain: f32,
    /// Gains reached at the end of the last control period.
    gain_left: f32,
    gain_right: f32,
    ramp_started: bool,
    envelope: Envelope,
    /// Its state is carried through the render batches (`render.rs`).
    pub(crate) filter: Filter,
    filter_envelope: Envelope,
    /// Cutoff before the envelope and LFO: region cutoff with key and velocity tracking.
    base_cutoff: f32,
    lfo_phase: f32,
    vibrato_phase: f32,
    /// Last pan position and its gains, and last pitch offset and its step:
    /// recomputed only when the input changes (sin/cos and exp2 are the
    /// costliest part of a control period).
    pan_cache: (f32, f32, f32),
    pitch_cache: (f32, f64),
    /// Last cutoff offset in cents and its cutoff in Hz.
    cutoff_cache: (f32, f32),
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
            cursor: Cursor { position: 0, looping: false },
            base_step: MIN_STEP,
            crossfade: 0,
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
            pan_cache: (f32::NAN, 0.0, 0.0),
            pitch_cache: (f32::NAN, 0.0),
            cutoff_cache: (f32::NAN, 0.0),
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
            cursor: Cursor {
                // Frames fit u32 (`sample::MAX_FRAMES`).
                position: u64::from(region.offset.min(sample.frames() as u32)) << 32,
                looping: region.loops(sample.frames()),
            },
            // Held in range here so that modulation multiplies a finite
            // number; the modulated step is held in range again per period.
            base_step: ((region.pitch_semitones(note) / 12.0).exp2() * rate_ratio).clamp(MIN_STEP, MAX_STEP),
            // Seconds to frames; `as` saturates (and maps NaN to 0). The
            // layout shortens it to fit the loop.
            crossfade: (region.loop_crossfade.max(0.0) * sample.sample_rate()).round() as u32,
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
            self.cursor.looping = false;
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

    /// One control period of `frames` frames: updates modulation, reads
    /// and envelopes the period's samples, and hands them to `batch` (which
    /// has room for this voice's channels) to filter and mix. `index` is
    /// this voice's place in the pool.
    ///
    /// Returns false, having cut the voice and given nothing to the batch,
    /// if anything it would mix is not finite: one bad voice must not
    /// poison the sum of all the others (issue 9, F2). Validated
    /// instruments never get here; this contains what validation missed.
    pub(crate) fn render_period(&mut self, ctx: &RenderContext, frames: usize, index: u32, batch: &mut Batch) -> bool {
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
        let mut vibrato_cents = channel.vibrato_cents().max(f32::from(self.pressure) / 127.0 * crate::channel::MODULATION_VIBRATO_CENTS);
        if let Some(master) = ctx.master {
            vibrato_cents = vibrato_cents.max(master.vibrato_cents());
        }
        let vibrato = if vibrato_cents > 0.0 {
            let v = (self.vibrato_phase * std::f32::consts::TAU).sin() * vibrato_cents;
            self.vibrato_phase = (self.vibrato_phase + MODULATION_VIBRATO_HZ * seconds).fract();
            v
        } else {
            0.0
        };
        self.age = self.age.saturating_add(frames as u32);

        let master_bend = ctx.master.map_or(0.0, Channel::bend_semitones);
        let cents = (channel.bend_semitones() + master_bend) * 100.0 + lfo_value * lfo.to_pitch_cents + vibrato;
        // Volume, expression and pan come from the MPE master when there is one.
        let mix = ctx.master.unwrap_or(channel);
        if cents != self.pitch_cache.0 {
            self.pitch_cache = (cents, self.base_step * f64::from(cents / 1200.0).exp2());
        }
        let step = self.pitch_cache.1;

        // Gains: region × channel × LFO volume, panned; ramped over the period.
        let lfo_gain = if lfo.to_volume_db != 0.0 { (lfo_value * lfo.to_volume_db / 20.0 * std::f32::consts::LOG2_10).exp2() } else { 1.0 };
        let gain = self.gain * mix.gain() * lfo_gain;
        let pan = region.pan + mix.pan_position();
        if pan != self.pan_cache.0 {
            let (l, r) = pan_gains(pan);
            self.pan_cache = (pan, l, r);
        }
        let (pan_l, pan_r) = (self.pan_cache.1, self.pan_cache.2);
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
        // Containment (issue 9, F2): what this voice mixes is its sample
        // (finite and bounded by `Sample`'s invariants, so its
        // interpolation is too), its envelope (finite while its state is:
        // `Envelope::is_finite`), these gains and its filter (finite
        // coefficients by `Filter::set`; non-finite states are zeroed). So
        // checking the gains and the envelope once per period is enough.
        if !((target_l + target_r + self.gain_left + self.gain_right).is_finite() && self.envelope.is_finite()) {
            self.kill();
            return false;
        }

        // Filter: cutoff from tracking, envelope and LFO, set once per period.
        let filtered = if let Some(f) = &region.filter {
            // Only the period's last level is used: advance in runs.
            let mut levels = [0.0f32; CONTROL_FRAMES];
            self.filter_envelope.fill(&mut levels[..frames]);
            let env_level = levels[frames - 1];
            let cutoff_cents = env_level * f.envelope_depth_cents + lfo_value * lfo.to_cutoff_cents + channel.timbre_cents();
            if cutoff_cents != self.cutoff_cache.0 {
                self.cutoff_cache = (cutoff_cents, self.base_cutoff * (cutoff_cents / 1200.0).exp2());
            }
            self.filter.set(f.kind, self.cutoff_cache.1, f.resonance_db, ctx.sample_rate);
            true
        } else {
            false
        };

        // The amplitude envelope's delay stage holds the sample still.
        let mut start = 0;
        while start < frames && self.envelope.stage() == Stage::Delay {
            self.envelope.advance();
            start += 1;
        }
        let n = frames - start;
        if n > 0 {
            // Envelope and sample straight into the batch's lanes (the
            // sample read once for mono); the batch filters and mixes.
            let stereo = ctx.sample.is_stereo();
            let lane = batch.claim(index, stereo);
            let (buf_l, buf_r, env) = batch.buffers(lane, stereo);
            self.envelope.fill(&mut env[start..frames]);
            let step = fixed_step(step);
            let produced = self.read(ctx, step, &mut buf_l[start..frames], buf_r.map(|r| &mut r[start..frames]));
            let params = LaneParams {
                stereo,
                start,
                produced,
                gain_left: (self.gain_left + step_l * start as f32, step_l),
                gain_right: (self.gain_right + step_r * start as f32, step_r),
                filter: filtered.then_some(&self.filter),
            };
            batch.finish(lane, &params, frames);
            if produced < n {
                self.kill();
            }
        }
        self.gain_left = target_l;
        self.gain_right = target_r;
        true
    }

    /// Makes the voice's gain NaN, as a voice that validation missed.
    #[cfg(test)]
    pub(crate) fn poison(&mut self) {
        self.gain = f32::NAN;
    }

    /// Reads up to `left.len()` interpolated frames (and the right channel
    /// when given) from the read position, looping as the region says.
    /// Returns how many frames were produced; fewer means the voice ended.
    fn read(&mut self, ctx: &RenderContext, step: u64, left: &mut [f32], right: Option<&mut [f32]>) -> usize {
        let region = ctx.region;
        let layout = Layout::new(ctx.sample.frames(), region.loop_start, region.loop_end, self.crossfade);
        let mode = ctx.interpolation;
        match ctx.sample.data() {
            SampleData::F32(c) => crate::read::read(&mut self.cursor, &layout, mode, step, &c[0], c.get(1).map(|r| &r[..]), left, right),
            SampleData::I16(c) => crate::read::read(&mut self.cursor, &layout, mode, step, &c[0], c.get(1).map(|r| &r[..]), left, right),
        }
    }
}

