//! What the player's settings do to incoming notes before the engine sees
//! them: transpose and the velocity curve.
//!
//! Transpose is remembered per held key, so changing it while a key is down
//! still releases the note that key started (a keyboard's transpose button
//! must never leave a note hanging).

/// How key velocity maps to the velocity the instrument sees.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum VelocityCurve {
    /// As played.
    #[default]
    Linear,
    /// Light playing sounds louder (for stiff keyboards).
    Soft,
    /// Heavy playing is needed for loud notes (for light keyboards).
    Hard,
    /// Every note at one velocity.
    Fixed(u8),
}

impl VelocityCurve {
    /// Exponent of the power curves: `out = 127 × (in / 127)^exponent`.
    const SOFT_EXPONENT: f32 = 0.6;
    const HARD_EXPONENT: f32 = 1.7;

    fn map(self, velocity: u8) -> u8 {
        let power = |exponent: f32| {
            let v = (f32::from(velocity) / 127.0).powf(exponent) * 127.0;
            // A played note stays a note: velocity 0 would mean note-off.
            (v.round() as u8).clamp(1, 127)
        };
        match self {
            VelocityCurve::Linear => velocity,
            VelocityCurve::Soft => power(Self::SOFT_EXPONENT),
            VelocityCurve::Hard => power(Self::HARD_EXPONENT),
            VelocityCurve::Fixed(v) => v.clamp(1, 127),
        }
    }
}

/// Key `k` of channel `c` started engine note `started[c][k]`, or `NONE`.
const NONE: u8 = 0xff;

pub struct NoteInput {
    transpose: i8,
    /// The curve as a table, built when set so a note-on is one lookup.
    velocity: [u8; 128],
    curve: VelocityCurve,
    started: Box<[[u8; 128]; 16]>,
}

impl Default for NoteInput {
    fn default() -> Self {
        let mut input = NoteInput { transpose: 0, velocity: [0; 128], curve: VelocityCurve::Linear, started: Box::new([[NONE; 128]; 16]) };
        input.set_velocity_curve(VelocityCurve::Linear);
        input
    }
}

impl NoteInput {
    pub const MAX_TRANSPOSE: i8 = 48;

    /// Semitones added to every note from now on (clamped to ±48); held
    /// notes keep the pitch they started with.
    pub fn set_transpose(&mut self, semitones: i32) {
        self.transpose = semitones.clamp(-i32::from(Self::MAX_TRANSPOSE), i32::from(Self::MAX_TRANSPOSE)) as i8;
    }

    pub fn transpose(&self) -> i8 {
        self.transpose
    }

    pub fn set_velocity_curve(&mut self, curve: VelocityCurve) {
        self.curve = curve;
        self.velocity[0] = 0;
        for v in 1..128u8 {
            self.velocity[usize::from(v)] = curve.map(v);
        }
    }

    pub fn velocity_curve(&self) -> VelocityCurve {
        self.curve
    }

    /// The note and velocity a key press plays, or None when the transposed
    /// note is off the MIDI range. `velocity` is 1..=127.
    pub fn note_on(&mut self, channel: u8, key: u8, velocity: u8) -> Option<(u8, u8)> {
        let note = self.transposed(key);
        self.started[usize::from(channel & 15)][usize::from(key & 127)] = note.unwrap_or(NONE);
        Some((note?, self.velocity[usize::from(velocity & 127)]))
    }

    /// The note a key release ends: the one its press started (whatever the
    /// transpose is now). A release without a press maps by the current
    /// transpose, so All Notes Off style sequences still reach the engine.
    pub fn note_off(&mut self, channel: u8, key: u8) -> Option<u8> {
        let note = self.pressure_note(channel, key);
        self.started[usize::from(channel & 15)][usize::from(key & 127)] = NONE;
        note
    }

    /// The note `key` sounds: the one its press started, else the key
    /// transposed now. Polyphonic pressure follows it.
    pub fn pressure_note(&self, channel: u8, key: u8) -> Option<u8> {
        match self.started[usize::from(channel & 15)][usize::from(key & 127)] {
            NONE => self.transposed(key),
            started => Some(started),
        }
    }

    fn transposed(&self, key: u8) -> Option<u8> {
        let note = i32::from(key) + i32::from(self.transpose);
        (0..=127).contains(&note).then_some(note as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_shifts_notes_and_drops_those_off_the_range() {
        let mut input = NoteInput::default();
        input.set_transpose(12);
        assert_eq!(input.note_on(0, 60, 100), Some((72, 100)));
        assert_eq!(input.note_on(0, 120, 100), None);
        assert_eq!(input.note_off(0, 120), None);
        input.set_transpose(-200);
        assert_eq!(input.transpose(), -48);
    }

    #[test]
    fn a_release_ends_the_note_its_press_started_after_transpose_changes() {
        let mut input = NoteInput::default();
        input.set_transpose(2);
        assert_eq!(input.note_on(3, 60, 90), Some((62, 90)));
        input.set_transpose(-5);
        assert_eq!(input.pressure_note(3, 60), Some(62));
        assert_eq!(input.note_off(3, 60), Some(62));
        // Released: the key now maps by the current transpose.
        assert_eq!(input.note_off(3, 60), Some(55));
        // Other channels keep their own keys.
        assert_eq!(input.note_on(4, 60, 90), Some((55, 90)));
    }

    #[test]
    fn velocity_curves_are_monotonic_keep_notes_and_bend_the_right_way() {
        let mut input = NoteInput::default();
        for curve in [VelocityCurve::Linear, VelocityCurve::Soft, VelocityCurve::Hard] {
            input.set_velocity_curve(curve);
            let mapped: Vec<u8> = (1..128u8).map(|v| input.note_on(0, 60, v).unwrap().1).collect();
            assert!(mapped.windows(2).all(|w| w[0] <= w[1]), "{curve:?} is monotonic");
            assert!(mapped.iter().all(|&v| v >= 1), "{curve:?} never turns a note into a note-off");
            assert_eq!(mapped[126], 127, "{curve:?} keeps full velocity");
            let mid = mapped[63];
            match curve {
                VelocityCurve::Linear => assert_eq!(mid, 64),
                VelocityCurve::Soft => assert!(mid > 80, "soft lifts the middle: {mid}"),
                VelocityCurve::Hard => assert!(mid < 50, "hard lowers the middle: {mid}"),
                VelocityCurve::Fixed(_) => unreachable!(),
            }
        }
        input.set_velocity_curve(VelocityCurve::Fixed(100));
        assert!((1..128u8).all(|v| input.note_on(0, 60, v).unwrap().1 == 100));
        input.set_velocity_curve(VelocityCurve::Fixed(0));
        assert_eq!(input.note_on(0, 60, 5).unwrap().1, 1);
    }
}
