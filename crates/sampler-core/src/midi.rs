//! Channel-voice MIDI messages, parsed from raw bytes without trusting them.

/// A message the engine acts on. System messages and malformed bytes are
/// not represented: [`MidiMessage::parse`] returns `None` for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MidiMessage {
    NoteOff { channel: u8, note: u8, velocity: u8 },
    NoteOn { channel: u8, note: u8, velocity: u8 },
    PolyPressure { channel: u8, note: u8, pressure: u8 },
    ControlChange { channel: u8, controller: u8, value: u8 },
    ProgramChange { channel: u8, program: u8 },
    ChannelPressure { channel: u8, pressure: u8 },
    /// -8192..=8191, 0 is centre.
    PitchBend { channel: u8, value: i16 },
}

impl MidiMessage {
    /// Parses `len` bytes (1..=3) of `bytes`. A note-on with velocity 0 is a
    /// note-off, as the MIDI specification says. Data bytes with the high bit
    /// set, missing data bytes and non-channel messages give `None`.
    pub fn parse(bytes: [u8; 3], len: u8) -> Option<MidiMessage> {
        let status = bytes[0];
        if !(0x80..0xF0).contains(&status) {
            return None;
        }
        let channel = status & 0x0F;
        let needed = match status & 0xF0 {
            0xC0 | 0xD0 => 2,
            _ => 3,
        };
        if (len as usize) < needed || bytes[1..needed].iter().any(|b| b & 0x80 != 0) {
            return None;
        }
        let (d1, d2) = (bytes[1], bytes[2]);
        Some(match status & 0xF0 {
            0x80 => MidiMessage::NoteOff { channel, note: d1, velocity: d2 },
            0x90 if d2 == 0 => MidiMessage::NoteOff { channel, note: d1, velocity: 64 },
            0x90 => MidiMessage::NoteOn { channel, note: d1, velocity: d2 },
            0xA0 => MidiMessage::PolyPressure { channel, note: d1, pressure: d2 },
            0xB0 => MidiMessage::ControlChange { channel, controller: d1, value: d2 },
            0xC0 => MidiMessage::ProgramChange { channel, program: d1 },
            0xD0 => MidiMessage::ChannelPressure { channel, pressure: d1 },
            _ => MidiMessage::PitchBend {
                channel,
                value: ((i16::from(d2) << 7) | i16::from(d1)) - 8192,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_channel_messages() {
        assert_eq!(
            MidiMessage::parse([0x93, 60, 100], 3),
            Some(MidiMessage::NoteOn { channel: 3, note: 60, velocity: 100 })
        );
        assert_eq!(
            MidiMessage::parse([0x90, 60, 0], 3),
            Some(MidiMessage::NoteOff { channel: 0, note: 60, velocity: 64 })
        );
        assert_eq!(
            MidiMessage::parse([0xC1, 5, 0], 2),
            Some(MidiMessage::ProgramChange { channel: 1, program: 5 })
        );
        assert_eq!(
            MidiMessage::parse([0xE0, 0, 0x40], 3),
            Some(MidiMessage::PitchBend { channel: 0, value: 0 })
        );
        assert_eq!(
            MidiMessage::parse([0xE0, 0x7F, 0x7F], 3),
            Some(MidiMessage::PitchBend { channel: 0, value: 8191 })
        );
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(MidiMessage::parse([0x40, 60, 100], 3), None); // running status / data
        assert_eq!(MidiMessage::parse([0x90, 200, 100], 3), None); // data byte high bit
        assert_eq!(MidiMessage::parse([0x90, 60, 100], 2), None); // truncated
        assert_eq!(MidiMessage::parse([0xF8, 0, 0], 1), None); // clock
        assert_eq!(MidiMessage::parse([0xC0, 0, 0], 1), None);
        // Every byte combination parses or is rejected without panicking.
        for s in 0..=255u8 {
            for d in [0u8, 1, 127, 128, 255] {
                for len in 0..=4 {
                    let _ = MidiMessage::parse([s, d, d], len);
                }
            }
        }
    }
}
