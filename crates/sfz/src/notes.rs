//! Note names (`c4`, `C#4`, `db-1`) to MIDI numbers.

/// The MIDI number of a note name, with `c4` = 60 and `c-1` = 0 (the SFZ
/// convention), or None if `name` is not a note name. Case-insensitive;
/// `#`/`♯` sharpen and `b`/`♭` flatten. The result may lie outside 0..=127
/// (`g#9`, `c10`), so the caller can clamp it with a warning.
pub fn note_number(name: &str) -> Option<i32> {
    let mut chars = name.chars();
    let semitone = match chars.next()?.to_ascii_lowercase() {
        'c' => 0,
        'd' => 2,
        'e' => 4,
        'f' => 5,
        'g' => 7,
        'a' => 9,
        'b' => 11,
        _ => return None,
    };
    let mut rest = chars.as_str();
    let mut accidental = 0;
    if let Some(r) = rest.strip_prefix('#').or_else(|| rest.strip_prefix('♯')) {
        accidental = 1;
        rest = r;
    } else if let Some(r) = rest.strip_prefix(['b', 'B', '♭']) {
        accidental = -1;
        rest = r;
    }
    let (negative, digits) = match rest.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, rest),
    };
    // Two digits are plenty and keep the arithmetic far from overflow.
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let octave: i32 = digits.parse().ok()?;
    let octave = if negative { -octave } else { octave };
    Some((octave + 1) * 12 + semitone + accidental)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naturals_and_octaves() {
        assert_eq!(note_number("c4"), Some(60));
        assert_eq!(note_number("C4"), Some(60));
        assert_eq!(note_number("a4"), Some(69));
        assert_eq!(note_number("c-1"), Some(0));
        assert_eq!(note_number("g9"), Some(127));
        assert_eq!(note_number("b3"), Some(59));
        assert_eq!(note_number("e0"), Some(16));
    }

    #[test]
    fn accidentals() {
        assert_eq!(note_number("c#4"), Some(61));
        assert_eq!(note_number("db4"), Some(61));
        assert_eq!(note_number("DB4"), Some(61));
        assert_eq!(note_number("bb3"), Some(58));
        assert_eq!(note_number("f♯2"), Some(42));
        assert_eq!(note_number("e♭2"), Some(39));
        assert_eq!(note_number("cb4"), Some(59));
    }

    #[test]
    fn out_of_midi_range_is_reported_not_refused() {
        assert_eq!(note_number("g#9"), Some(128));
        assert_eq!(note_number("c-2"), Some(-12));
        assert_eq!(note_number("c10"), Some(132));
    }

    #[test]
    fn not_notes() {
        for s in ["", "h4", "c", "c#", "4", "c4x", "c 4", "c--1", "c123", "c+4", "é4", "c-"] {
            assert_eq!(note_number(s), None, "{s:?}");
        }
    }
}
