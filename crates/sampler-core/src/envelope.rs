//! A DAHDSR envelope with shaped segments, plus a short linear fade used
//! when a voice is stolen or choked.
//!
//! Each moving segment (attack, decay, release) runs for an exact number of
//! frames. Within it the level follows `level = base + level * coef`, a
//! one-pole approach to a target placed `curve` beyond the segment's end
//! level: one multiply-add per frame, any shape from linear (large `curve`)
//! to exponential (small `curve`). The segment ends exactly at its end level
//! on its last frame. Every segment starts from the current level, so no
//! transition jumps.

use crate::region::EnvelopeParams;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Delay,
    Attack,
    Hold,
    Decay,
    Sustain,
    Release,
    /// Stolen or choked: a fast linear fade to silence.
    Fade,
    Done,
}

#[derive(Clone, Copy, Debug)]
pub struct Envelope {
    stage: Stage,
    level: f32,
    /// Frames left in the current timed stage.
    remaining: u32,
    coef: f32,
    base: f32,
    /// The level the current segment ends at.
    end_level: f32,
    attack_frames: u32,
    hold_frames: u32,
    decay_frames: u32,
    release_frames: u32,
    sustain: f32,
    attack_curve: f32,
    decay_curve: f32,
    release_curve: f32,
    fade_step: f32,
}

/// Seconds to frames, held at `u32::MAX` (a day at 48 kHz); NaN and
/// negative times are none.
fn frames(seconds: f32, sample_rate: f32) -> u32 {
    let f = (seconds * sample_rate).round();
    if f > 0.0 {
        f.min(u32::MAX as f32) as u32
    } else {
        0
    }
}

impl Envelope {
    /// Fade time on a voice steal or choke.
    pub const FADE_SECONDS: f32 = 0.005;

    pub const fn idle() -> Envelope {
        Envelope {
            stage: Stage::Done,
            level: 0.0,
            remaining: 0,
            coef: 0.0,
            base: 0.0,
            end_level: 0.0,
            attack_frames: 0,
            hold_frames: 0,
            decay_frames: 0,
            release_frames: 0,
            sustain: 1.0,
            attack_curve: 1.0,
            decay_curve: 1.0,
            release_curve: 1.0,
            fade_step: 1.0,
        }
    }

    /// Starts from silence: the delay stage, then the attack.
    pub fn start(p: &EnvelopeParams, sample_rate: f32) -> Envelope {
        let mut e = Envelope {
            stage: Stage::Delay,
            level: 0.0,
            remaining: frames(p.delay, sample_rate),
            coef: 0.0,
            base: 0.0,
            end_level: 0.0,
            // At least one frame: with no attack the peak is the first frame.
            attack_frames: frames(p.attack, sample_rate).max(1),
            hold_frames: frames(p.hold, sample_rate),
            decay_frames: frames(p.decay, sample_rate),
            release_frames: frames(p.release, sample_rate),
            sustain: if p.sustain.is_finite() { p.sustain.clamp(0.0, 1.0) } else { 1.0 },
            attack_curve: curve(p.attack_curve),
            decay_curve: curve(p.decay_curve),
            release_curve: curve(p.release_curve),
            fade_step: 1.0 / (Self::FADE_SECONDS * sample_rate).max(1.0),
        };
        if e.remaining == 0 {
            e.enter_attack();
        }
        e
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    pub fn level(&self) -> f32 {
        self.level
    }

    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// Key up: release from wherever the envelope is.
    pub fn release(&mut self) {
        match self.stage {
            Stage::Delay => self.stage = Stage::Done,
            Stage::Attack | Stage::Hold | Stage::Decay | Stage::Sustain => {
                self.segment(Stage::Release, 0.0, self.release_frames, self.release_curve)
            }
            Stage::Release | Stage::Fade | Stage::Done => {}
        }
    }

    /// Steal or choke: a 5 ms linear fade from the current level.
    pub fn fade_out(&mut self) {
        if self.stage == Stage::Delay {
            self.stage = Stage::Done;
        } else if self.stage != Stage::Done {
            self.stage = Stage::Fade;
        }
    }

    fn enter_attack(&mut self) {
        self.segment(Stage::Attack, 1.0, self.attack_frames, self.attack_curve);
    }

    fn enter_hold(&mut self) {
        self.stage = Stage::Hold;
        self.level = 1.0;
        self.remaining = self.hold_frames;
        if self.remaining == 0 {
            self.enter_decay();
        }
    }

    fn enter_decay(&mut self) {
        self.segment(Stage::Decay, self.sustain, self.decay_frames, self.decay_curve);
    }

    fn enter_sustain(&mut self) {
        self.level = self.sustain;
        self.stage = if self.sustain > 0.0 { Stage::Sustain } else { Stage::Done };
    }

    /// Moves to `stage`, heading from the current level to `to` in `frames`.
    fn segment(&mut self, stage: Stage, to: f32, frames: u32, curve: f32) {
        self.stage = stage;
        self.end_level = to;
        self.remaining = frames;
        if frames == 0 || self.level == to {
            self.level = to;
            self.remaining = 0;
            self.finish_segment();
            return;
        }
        let target = if to > self.level { to + curve } else { to - curve };
        // After `frames` steps of level = base + level * coef the distance
        // to `target` has shrunk from (level - target) to (to - target).
        let ratio = f64::from((to - target) / (self.level - target));
        self.coef = ratio.powf(1.0 / f64::from(frames)) as f32;
        self.base = target * (1.0 - self.coef);
        // `ratio` is in (0, 1) for a finite curve, so the level moves
        // monotonically towards `target` and stays finite. Anything else
        // (unreachable with checked parameters) jumps to the end level.
        if !(self.coef.is_finite() && self.base.is_finite() && (0.0..=1.0).contains(&self.coef)) {
            self.level = to;
            self.remaining = 0;
            self.finish_segment();
        }
    }

    /// Whether the level and the current segment's recurrence are finite,
    /// so that every level [`Envelope::fill`] produces from here is.
    pub fn is_finite(&self) -> bool {
        (self.level + self.coef + self.base + self.fade_step).is_finite()
    }

    fn finish_segment(&mut self) {
        match self.stage {
            Stage::Attack => self.enter_hold(),
            Stage::Decay => self.enter_sustain(),
            Stage::Release => self.stage = Stage::Done,
            _ => {}
        }
    }

    /// Fills `out` with the gains of the next `out.len()` frames: the same
    /// values as calling [`Envelope::advance`] per frame, computed in runs so
    /// the common cases (sustain, one segment) are tight loops.
    pub fn fill(&mut self, out: &mut [f32]) {
        let mut i = 0;
        while i < out.len() {
            let rest = &mut out[i..];
            match self.stage {
                Stage::Sustain | Stage::Done => {
                    rest.fill(self.level);
                    return;
                }
                Stage::Attack | Stage::Decay | Stage::Release => {
                    // Every frame but the segment's last is the recurrence.
                    let run = rest.len().min(self.remaining as usize - 1);
                    let (base, coef) = (self.base, self.coef);
                    let mut level = self.level;
                    for x in rest[..run].iter_mut() {
                        level = base + level * coef;
                        *x = level;
                    }
                    self.level = level;
                    self.remaining -= run as u32;
                    i += run;
                    if i < out.len() {
                        out[i] = self.advance();
                        i += 1;
                    }
                }
                Stage::Delay | Stage::Hold | Stage::Fade => {
                    out[i] = self.advance();
                    i += 1;
                }
            }
        }
    }

    /// Advances one frame and returns the gain for it. The first frame of
    /// an attack is already above zero, so a note sounds from the frame it
    /// was scheduled at (plus the delay stage).
    #[inline]
    pub fn advance(&mut self) -> f32 {
        match self.stage {
            Stage::Attack | Stage::Decay | Stage::Release => {
                self.level = self.base + self.level * self.coef;
                self.remaining -= 1;
                if self.remaining == 0 {
                    self.level = self.end_level;
                    self.finish_segment();
                }
            }
            Stage::Sustain | Stage::Done => {}
            Stage::Delay => {
                self.remaining -= 1;
                if self.remaining == 0 {
                    self.enter_attack();
                }
                return 0.0;
            }
            Stage::Hold => {
                self.remaining -= 1;
                if self.remaining == 0 {
                    self.enter_decay();
                    return 1.0;
                }
            }
            Stage::Fade => {
                self.level -= self.fade_step;
                if self.level <= 0.0 {
                    self.level = 0.0;
                    self.stage = Stage::Done;
                }
            }
        }
        self.level
    }
}

fn curve(c: f32) -> f32 {
    if c.is_finite() {
        c.clamp(1e-5, 1e3)
    } else {
        EnvelopeParams::LINEAR
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: f32 = 48_000.0;

    fn run(env: &mut Envelope, frames: usize) -> Vec<f32> {
        (0..frames).map(|_| env.advance()).collect()
    }

    fn params() -> EnvelopeParams {
        EnvelopeParams {
            delay: 0.01,
            attack: 0.02,
            hold: 0.03,
            decay: 0.1,
            sustain: 0.5,
            release: 0.2,
            ..EnvelopeParams::amplitude()
        }
    }

    #[test]
    fn every_stage_lasts_exactly_its_time() {
        let mut e = Envelope::start(&params(), SR);
        let levels = run(&mut e, 48_000);
        // Delay: 480 frames of silence, then the attack's first frame is above 0.
        assert!(levels[..480].iter().all(|&x| x == 0.0));
        assert!(levels[480] > 0.0);
        // Attack reaches 1.0 on its last frame (480 + 960 - 1), hold keeps it for 1440.
        assert!(levels[1438] < 1.0);
        assert_eq!(levels[1439], 1.0);
        assert!(levels[1440..1440 + 1440].iter().all(|&x| x == 1.0));
        // Decay reaches the sustain level on its last frame, then stays.
        let decay_end = 1440 + 1440 + 4800 - 1;
        assert!(levels[decay_end - 1] > 0.5);
        assert_eq!(levels[decay_end], 0.5);
        assert_eq!(e.stage(), Stage::Sustain);
        assert_eq!(levels[40_000], 0.5);
        // Release reaches exactly 0 after 0.2 s, and the envelope is done.
        e.release();
        let rel = run(&mut e, 9600);
        assert!(rel[9598] > 0.0);
        assert_eq!(rel[9599], 0.0);
        assert!(e.is_done());
    }

    #[test]
    fn curves_shape_the_segments() {
        let level_mid_attack = |c: f32| {
            let mut p = params();
            p.delay = 0.0;
            p.attack_curve = c;
            let mut e = Envelope::start(&p, SR);
            run(&mut e, 480)[479] // halfway through the 960-frame attack
        };
        let linear = level_mid_attack(EnvelopeParams::LINEAR);
        assert!((linear - 0.5).abs() < 0.02, "linear attack at half time: {linear}");
        assert!(level_mid_attack(0.1) > 0.7, "a small curve rises fast then slows");
        // The default exponential release falls by about 30 dB at half time.
        let mut e = Envelope::start(&EnvelopeParams { release: 1.0, ..EnvelopeParams::amplitude() }, SR);
        run(&mut e, 100);
        e.release();
        let half = run(&mut e, 24_000)[23_999];
        let db = 20.0 * half.log10();
        assert!((-33.0..-27.0).contains(&db), "{db} dB at half the release time");
    }

    #[test]
    fn segments_are_monotonic_and_never_jump() {
        let mut e = Envelope::start(&params(), SR);
        let mut levels = run(&mut e, 20_000);
        e.release();
        levels.extend(run(&mut e, 10_000));
        let max_step = levels.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max);
        assert!(max_step < 2.0 / 960.0, "largest step {max_step}");
    }

    #[test]
    fn release_during_attack_starts_from_the_current_level() {
        let mut e = Envelope::start(&EnvelopeParams { attack: 0.1, ..EnvelopeParams::amplitude() }, SR);
        let before = *run(&mut e, 1000).last().unwrap();
        e.release();
        let after = e.advance();
        assert!(after < before && before - after < 0.01);
    }

    #[test]
    fn zero_sustain_ends_after_the_decay() {
        let p = EnvelopeParams { attack: 0.0, decay: 0.05, sustain: 0.0, ..EnvelopeParams::amplitude() };
        let mut e = Envelope::start(&p, SR);
        let levels = run(&mut e, 3000);
        assert_eq!(levels[0], 1.0, "no attack: full level on the first frame");
        assert!(levels[2399] > 0.0);
        assert_eq!(levels[2400], 0.0);
        assert!(e.is_done());
    }

    #[test]
    fn fade_takes_five_milliseconds() {
        let mut e = Envelope::start(&EnvelopeParams::amplitude(), SR);
        run(&mut e, 10);
        e.fade_out();
        let levels = run(&mut e, 240);
        assert!(e.is_done());
        assert_eq!(levels[239], 0.0);
        assert!(levels.windows(2).all(|w| w[0] - w[1] <= 1.0 / 240.0 + 1e-6));
    }

    #[test]
    fn release_during_delay_ends_silently() {
        let mut e = Envelope::start(&params(), SR);
        run(&mut e, 10);
        e.release();
        assert!(e.is_done());
        assert_eq!(e.advance(), 0.0);
    }

    #[test]
    fn fill_matches_advance_frame_by_frame() {
        for chunk in [1usize, 7, 32, 100] {
            let (mut a, mut b) = (Envelope::start(&params(), SR), Envelope::start(&params(), SR));
            let mut filled = vec![0.0; 30_000];
            for (k, c) in filled.chunks_mut(chunk).enumerate() {
                if k * chunk >= 20_000 && b.stage() != Stage::Release {
                    b.release();
                }
                b.fill(c);
            }
            let mut stepped = Vec::new();
            for k in 0..30_000 {
                if k % chunk == 0 && k >= 20_000 && a.stage() != Stage::Release {
                    a.release();
                }
                stepped.push(a.advance());
            }
            assert_eq!(filled, stepped, "chunk {chunk}");
        }
    }
}
