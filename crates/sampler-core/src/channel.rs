//! The state of one MIDI channel: controllers, pedals, pitch bend with its
//! RPN range, pressure and program. The engine reads it when it starts a
//! voice and at control rate while the voice plays.

pub const CC_BANK_SELECT: u8 = 0;
pub const CC_MOD_WHEEL: u8 = 1;
pub const CC_DATA_ENTRY: u8 = 6;
pub const CC_VOLUME: u8 = 7;
pub const CC_PAN: u8 = 10;
pub const CC_EXPRESSION: u8 = 11;
pub const CC_BANK_SELECT_LSB: u8 = 32;
pub const CC_DATA_ENTRY_LSB: u8 = 38;
pub const CC_SUSTAIN: u8 = 64;
pub const CC_SOSTENUTO: u8 = 66;
pub const CC_SOFT: u8 = 67;
pub const CC_TIMBRE: u8 = 74;
pub const CC_NRPN_LSB: u8 = 98;
pub const CC_NRPN_MSB: u8 = 99;
pub const CC_RPN_LSB: u8 = 100;
pub const CC_RPN_MSB: u8 = 101;
pub const CC_ALL_SOUND_OFF: u8 = 120;
pub const CC_RESET_ALL_CONTROLLERS: u8 = 121;
pub const CC_ALL_NOTES_OFF: u8 = 123;

/// Gain of the soft pedal (CC67): about -6 dB, as on many digital pianos.
pub const SOFT_PEDAL_GAIN: f32 = 0.5;
/// Vibrato depth in cents at full mod wheel or full pressure.
pub const MODULATION_VIBRATO_CENTS: f32 = 50.0;
pub const MODULATION_VIBRATO_HZ: f32 = 5.5;
/// Cents of filter cutoff at CC74 (timbre, MPE's third dimension) 127, and
/// minus that at 0; 64 leaves the cutoff alone.
pub const TIMBRE_CUTOFF_CENTS: f32 = 2400.0;
/// The MPE per-note pitch bend range (member channels) and the master's.
pub const MPE_MEMBER_BEND_RANGE: f32 = 48.0;
pub const MPE_MASTER_BEND_RANGE: f32 = 2.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Channel {
    pub volume: u8,
    pub expression: u8,
    pub pan: u8,
    pub mod_wheel: u8,
    pub timbre: u8,
    pub sustain: bool,
    pub sostenuto: bool,
    pub soft: bool,
    /// -8192..=8191.
    pub pitch_bend: i16,
    /// Semitones at full bend (RPN 0).
    pub bend_range: f32,
    pub pressure: u8,
    pub program: u8,
    pub bank: u16,
    /// Selected RPN (MSB << 7 | LSB); None when unset or an NRPN is selected.
    rpn: Option<u16>,
    bank_msb: u8,
}

impl Default for Channel {
    fn default() -> Self {
        Channel {
            volume: 100,
            expression: 127,
            pan: 64,
            mod_wheel: 0,
            timbre: 64,
            sustain: false,
            sostenuto: false,
            soft: false,
            pitch_bend: 0,
            bend_range: 2.0,
            pressure: 0,
            program: 0,
            bank: 0,
            rpn: None,
            bank_msb: 0,
        }
    }
}

/// What a controller change asks the engine to do besides updating state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelAction {
    None,
    SustainReleased,
    SostenutoPressed,
    SostenutoReleased,
    AllSoundOff,
    AllNotesOff,
    /// MPE Configuration Message (RPN 6): this many member channels.
    MpeConfigured(u8),
}

impl Channel {
    /// Applies a controller change; returns what voices must react to.
    pub fn control_change(&mut self, controller: u8, value: u8) -> ChannelAction {
        match controller {
            CC_MOD_WHEEL => self.mod_wheel = value,
            CC_VOLUME => self.volume = value,
            CC_PAN => self.pan = value,
            CC_EXPRESSION => self.expression = value,
            CC_TIMBRE => self.timbre = value,
            CC_BANK_SELECT => self.bank_msb = value,
            CC_BANK_SELECT_LSB => self.bank = u16::from(self.bank_msb) << 7 | u16::from(value),
            CC_SUSTAIN => {
                let was = self.sustain;
                self.sustain = value >= 64;
                if was && !self.sustain {
                    return ChannelAction::SustainReleased;
                }
            }
            CC_SOSTENUTO => {
                let was = self.sostenuto;
                self.sostenuto = value >= 64;
                if !was && self.sostenuto {
                    return ChannelAction::SostenutoPressed;
                }
                if was && !self.sostenuto {
                    return ChannelAction::SostenutoReleased;
                }
            }
            CC_SOFT => self.soft = value >= 64,
            CC_RPN_MSB => self.rpn = Some(u16::from(value) << 7 | self.rpn.unwrap_or(0) & 0x7F),
            CC_RPN_LSB => self.rpn = Some(self.rpn.unwrap_or(0) & !0x7F | u16::from(value)),
            CC_NRPN_MSB | CC_NRPN_LSB => self.rpn = None,
            CC_DATA_ENTRY if self.rpn == Some(0) => self.bend_range = f32::from(value) + self.bend_range.fract(),
            CC_DATA_ENTRY if self.rpn == Some(6) => return ChannelAction::MpeConfigured(value),
            CC_DATA_ENTRY_LSB if self.rpn == Some(0) => {
                self.bend_range = self.bend_range.trunc() + f32::from(value.min(99)) / 100.0
            }
            CC_ALL_SOUND_OFF => return ChannelAction::AllSoundOff,
            CC_ALL_NOTES_OFF => return ChannelAction::AllNotesOff,
            CC_RESET_ALL_CONTROLLERS => {
                // RP-015: reset controllers, keep volume, pan, program and bank.
                let released = self.sustain;
                let sostenuto = self.sostenuto;
                *self = Channel { volume: self.volume, pan: self.pan, program: self.program, bank: self.bank, bank_msb: self.bank_msb, bend_range: self.bend_range, ..Channel::default() };
                if sostenuto {
                    return ChannelAction::SostenutoReleased;
                }
                if released {
                    return ChannelAction::SustainReleased;
                }
            }
            _ => {}
        }
        ChannelAction::None
    }

    /// Linear gain of volume and expression (squared, the General MIDI
    /// recommendation of 40·log10), and the soft pedal.
    pub fn gain(&self) -> f32 {
        let v = f32::from(self.volume) / 127.0;
        let e = f32::from(self.expression) / 127.0;
        let soft = if self.soft { SOFT_PEDAL_GAIN } else { 1.0 };
        v * v * e * e * soft
    }

    /// Pan position in -1..=1 (CC10 64 is centre; 0 is hard left, 127 hard right).
    pub fn pan_position(&self) -> f32 {
        ((f32::from(self.pan) - 64.0) / 63.0).clamp(-1.0, 1.0)
    }

    pub fn bend_semitones(&self) -> f32 {
        f32::from(self.pitch_bend) / 8192.0 * self.bend_range
    }

    /// Cents of filter cutoff from CC74.
    pub fn timbre_cents(&self) -> f32 {
        (f32::from(self.timbre) - 64.0) / 63.0 * TIMBRE_CUTOFF_CENTS
    }

    /// Vibrato depth in cents from the mod wheel and channel pressure.
    pub fn vibrato_cents(&self) -> f32 {
        let amount = f32::from(self.mod_wheel.max(self.pressure)) / 127.0;
        amount * MODULATION_VIBRATO_CENTS
    }
}

/// Constant-power pan law: gains for a position in -1..=1 (-3 dB each at
/// centre).
pub fn pan_gains(position: f32) -> (f32, f32) {
    let angle = (position.clamp(-1.0, 1.0) + 1.0) * std::f32::consts::FRAC_PI_4;
    (angle.cos(), angle.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpn_zero_sets_the_bend_range() {
        let mut c = Channel::default();
        for (cc, v) in [(CC_RPN_MSB, 0), (CC_RPN_LSB, 0), (CC_DATA_ENTRY, 12), (CC_DATA_ENTRY_LSB, 50)] {
            c.control_change(cc, v);
        }
        assert_eq!(c.bend_range, 12.5);
        c.pitch_bend = 8191;
        assert!((c.bend_semitones() - 12.5 * 8191.0 / 8192.0).abs() < 1e-5);
        // Data entry for another RPN or an NRPN leaves it alone.
        c.control_change(CC_RPN_LSB, 1);
        c.control_change(CC_DATA_ENTRY, 3);
        c.control_change(CC_NRPN_MSB, 0);
        c.control_change(CC_DATA_ENTRY, 3);
        assert_eq!(c.bend_range, 12.5);
    }

    #[test]
    fn pedals_report_their_edges() {
        let mut c = Channel::default();
        assert_eq!(c.control_change(CC_SUSTAIN, 127), ChannelAction::None);
        assert_eq!(c.control_change(CC_SUSTAIN, 100), ChannelAction::None);
        assert_eq!(c.control_change(CC_SUSTAIN, 0), ChannelAction::SustainReleased);
        assert_eq!(c.control_change(CC_SOSTENUTO, 127), ChannelAction::SostenutoPressed);
        assert_eq!(c.control_change(CC_SOSTENUTO, 0), ChannelAction::SostenutoReleased);
    }

    #[test]
    fn reset_all_controllers_keeps_volume_pan_and_program() {
        let mut c = Channel::default();
        for (cc, v) in [(CC_VOLUME, 50), (CC_PAN, 10), (CC_EXPRESSION, 20), (CC_MOD_WHEEL, 90), (CC_SUSTAIN, 127)] {
            c.control_change(cc, v);
        }
        c.program = 5;
        c.pitch_bend = 100;
        assert_eq!(c.control_change(CC_RESET_ALL_CONTROLLERS, 0), ChannelAction::SustainReleased);
        assert_eq!((c.volume, c.pan, c.program), (50, 10, 5));
        assert_eq!((c.expression, c.mod_wheel, c.pitch_bend, c.sustain), (127, 0, 0, false));
    }

    #[test]
    fn gains_and_pan_law() {
        let mut c = Channel { volume: 127, ..Channel::default() };
        assert_eq!(c.gain(), 1.0);
        c.expression = 64;
        assert!((c.gain() - (64.0f32 / 127.0).powi(2)).abs() < 1e-6);
        let (l, r) = pan_gains(0.0);
        assert!((l - r).abs() < 1e-6 && (l * l + r * r - 1.0).abs() < 1e-6);
        assert!(pan_gains(-1.0).1.abs() < 1e-6);
        c.pan = 0;
        assert_eq!(c.pan_position(), -1.0);
        c.pan = 127;
        assert_eq!(c.pan_position(), 1.0);
    }
}
