//! The amplitude envelope: a linear attack, a sustain at full level, an
//! exponential release, and a short linear fade used when a voice is stolen.
//! Every stage starts from the current level, so no transition jumps.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Attack,
    Sustain,
    Release,
    /// Stolen or choked: a fast linear fade to silence.
    Fade,
    Done,
}

/// Below this level (-80 dB) a releasing voice is inaudible and ends.
const SILENCE: f32 = 1e-4;

#[derive(Clone, Copy, Debug)]
pub struct Envelope {
    stage: Stage,
    level: f32,
    attack_step: f32,
    /// Attack frames still to run; counting avoids rounding short of 1.0.
    attack_left: u32,
    release_coef: f32,
    fade_step: f32,
}

impl Envelope {
    /// Attack time for note-ons: short enough to keep the sample's transient,
    /// long enough that a sample starting at a non-zero value does not click.
    pub const ATTACK_SECONDS: f32 = 0.001;
    /// Fade time on a voice steal.
    pub const FADE_SECONDS: f32 = 0.005;

    pub const fn idle() -> Envelope {
        Envelope { stage: Stage::Done, level: 0.0, attack_step: 1.0, attack_left: 0, release_coef: 0.0, fade_step: 1.0 }
    }

    /// Starts an attack from silence. `release_seconds` is the time to fall 60 dB.
    pub fn start(sample_rate: f32, release_seconds: f32) -> Envelope {
        let attack_frames = (Self::ATTACK_SECONDS * sample_rate).round().max(1.0);
        let release_frames = (release_seconds.max(0.001) * sample_rate).max(1.0);
        Envelope {
            stage: Stage::Attack,
            level: 0.0,
            attack_step: 1.0 / attack_frames,
            attack_left: attack_frames as u32,
            // 10^(-3 / frames): -60 dB after `release_frames` frames.
            release_coef: 10f32.powf(-3.0 / release_frames),
            fade_step: 1.0 / (Self::FADE_SECONDS * sample_rate).max(1.0),
        }
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

    pub fn release(&mut self) {
        if matches!(self.stage, Stage::Attack | Stage::Sustain) {
            self.stage = Stage::Release;
        }
    }

    pub fn fade_out(&mut self) {
        if self.stage != Stage::Done {
            self.stage = Stage::Fade;
        }
    }

    /// Advances one frame and returns the gain for it. The first frame of an
    /// attack is already above zero, so a note's onset is the frame it was
    /// scheduled at.
    #[inline]
    pub fn next(&mut self) -> f32 {
        match self.stage {
            Stage::Attack => {
                self.level += self.attack_step;
                self.attack_left -= 1;
                if self.attack_left == 0 {
                    self.level = 1.0;
                    self.stage = Stage::Sustain;
                }
            }
            Stage::Sustain => {}
            Stage::Release => {
                self.level *= self.release_coef;
                if self.level < SILENCE {
                    self.level = 0.0;
                    self.stage = Stage::Done;
                }
            }
            Stage::Fade => {
                self.level -= self.fade_step;
                if self.level <= 0.0 {
                    self.level = 0.0;
                    self.stage = Stage::Done;
                }
            }
            Stage::Done => {}
        }
        self.level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(env: &mut Envelope, frames: usize) -> Vec<f32> {
        (0..frames).map(|_| env.next()).collect()
    }

    #[test]
    fn attack_reaches_full_level_in_one_millisecond() {
        let mut e = Envelope::start(48_000.0, 0.3);
        let levels = run(&mut e, 48);
        assert!(levels[0] > 0.0 && levels[0] < 0.05, "first frame {}", levels[0]);
        assert_eq!(levels[47], 1.0);
        assert_eq!(e.stage(), Stage::Sustain);
    }

    #[test]
    fn release_falls_60_db_in_release_time() {
        let sr = 48_000.0;
        let mut e = Envelope::start(sr, 0.5);
        run(&mut e, 100);
        e.release();
        let levels = run(&mut e, 24_000);
        let db = 20.0 * levels[23_999].log10();
        assert!((db + 60.0).abs() < 0.5, "level after release time: {db} dB");
        // Monotonic and no step larger than the first.
        assert!(levels.windows(2).all(|w| w[1] <= w[0]));
        run(&mut e, 48_000);
        assert!(e.is_done());
    }

    #[test]
    fn fade_is_five_milliseconds_and_starts_from_current_level() {
        let mut e = Envelope::start(48_000.0, 2.0);
        run(&mut e, 10); // mid-attack
        let before = e.level();
        e.fade_out();
        let levels = run(&mut e, 240);
        assert!(levels[0] < before && before - levels[0] < 0.01);
        assert!(e.is_done());
        assert_eq!(levels[239], 0.0);
    }
}
