//! Opcode values: numbers and notes, with range clamping. Problems become
//! warning texts pushed to `warn`; a value that cannot be read gives None and
//! the opcode is ignored.

use crate::notes::note_number;

/// At most this many characters of user text are quoted in a warning, so a
/// megabyte-long token cannot make a megabyte-long message.
const QUOTE_CHARS: usize = 40;

/// `s` shortened for quoting in a warning.
pub(crate) fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The leading decimal number of `s` (`[+-]digits[.digits]`) and the rest.
/// No exponents, `inf` or `nan`; None if there is no digit or it overflows.
pub(crate) fn leading_number(s: &str) -> Option<(f64, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    let v: f64 = s[..i].parse().ok()?;
    v.is_finite().then_some((v, &s[i..]))
}

/// A number in `lo..=hi`, clamped with a warning when outside.
pub(crate) fn float(name: &str, value: &str, lo: f64, hi: f64, warn: &mut Vec<String>) -> Option<f64> {
    let Some((v, rest)) = leading_number(value) else {
        warn.push(format!("`{}`: `{}` is not a number; ignored", quote(name), quote(value)));
        return None;
    };
    if !rest.trim().is_empty() {
        warn.push(format!("`{}`: ignoring `{}` after the number", quote(name), quote(rest.trim())));
    }
    Some(clamp(name, v, lo, hi, warn))
}

fn clamp(name: &str, v: f64, lo: f64, hi: f64, warn: &mut Vec<String>) -> f64 {
    if v < lo || v > hi {
        let c = v.clamp(lo, hi);
        warn.push(format!("`{}={v}` is out of range {lo}..{hi}; clamped to {c}", quote(name)));
        c
    } else {
        v
    }
}

/// A whole number in `lo..=hi`; a fraction is dropped with a warning.
pub(crate) fn int(name: &str, value: &str, lo: i64, hi: i64, warn: &mut Vec<String>) -> Option<i64> {
    let v = float(name, value, lo as f64, hi as f64, warn)?;
    if v.fract() != 0.0 {
        warn.push(format!("`{}={v}` should be a whole number; using {}", quote(name), v.trunc()));
    }
    Some(v.trunc() as i64)
}

/// A MIDI note given as a number or a name (`c#4`), moved by `shift`
/// semitones (`note_offset`, `octave_offset`) and clamped to 0..=127.
pub(crate) fn note(name: &str, value: &str, shift: i32, warn: &mut Vec<String>) -> Option<u8> {
    let raw = if value.starts_with(|c: char| c.is_ascii_alphabetic()) {
        match note_number(value) {
            Some(n) => i64::from(n),
            None => {
                warn.push(format!("`{}`: `{}` is not a note; ignored", quote(name), quote(value)));
                return None;
            }
        }
    } else {
        // Wide bounds here; the MIDI range check happens after the shift.
        int(name, value, -1000, 1000, warn)?
    };
    let shifted = raw + i64::from(shift);
    Some(clamp(name, shifted as f64, 0.0, 127.0, warn) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_numbers() {
        assert_eq!(leading_number("12"), Some((12.0, "")));
        assert_eq!(leading_number("-3.5dB"), Some((-3.5, "dB")));
        assert_eq!(leading_number("+.5"), Some((0.5, "")));
        assert_eq!(leading_number("7."), Some((7.0, "")));
        assert_eq!(leading_number("1e5"), Some((1.0, "e5")));
        for s in ["", "-", ".", "abc", "inf", "NaN", "+-1"] {
            assert_eq!(leading_number(s), None, "{s:?}");
        }
        let huge = format!("1{}", "0".repeat(400));
        assert_eq!(leading_number(&huge), None);
    }

    #[test]
    fn floats_clamp_with_a_warning() {
        let mut w = Vec::new();
        assert_eq!(float("pan", "50", -100.0, 100.0, &mut w), Some(50.0));
        assert!(w.is_empty());
        assert_eq!(float("pan", "150", -100.0, 100.0, &mut w), Some(100.0));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("out of range"), "{}", w[0]);
        assert_eq!(float("pan", "left", -100.0, 100.0, &mut w), None);
        assert!(w[1].contains("not a number"));
        assert_eq!(float("volume", "-6dB", -144.0, 6.0, &mut w), Some(-6.0));
        assert!(w[2].contains("`dB`"));
    }

    #[test]
    fn ints_drop_fractions() {
        let mut w = Vec::new();
        assert_eq!(int("offset", "100", 0, 1000, &mut w), Some(100));
        assert_eq!(int("offset", "100.0", 0, 1000, &mut w), Some(100));
        assert!(w.is_empty());
        assert_eq!(int("offset", "100.7", 0, 1000, &mut w), Some(100));
        assert_eq!(w.len(), 1);
        assert_eq!(int("offset", "-5", 0, 1000, &mut w), Some(0));
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn notes_by_number_or_name_with_shift() {
        let mut w = Vec::new();
        assert_eq!(note("lokey", "60", 0, &mut w), Some(60));
        assert_eq!(note("lokey", "c#4", 0, &mut w), Some(61));
        assert_eq!(note("lokey", "c4", 12, &mut w), Some(72));
        assert_eq!(note("lokey", "60", -3, &mut w), Some(57));
        assert!(w.is_empty());
        assert_eq!(note("hikey", "130", 0, &mut w), Some(127));
        assert_eq!(note("hikey", "c4", 100, &mut w), Some(127));
        assert_eq!(note("hikey", "-1", 0, &mut w), Some(0));
        assert_eq!(w.len(), 3);
        assert_eq!(note("hikey", "x4", 0, &mut w), None);
        assert_eq!(note("hikey", "", 0, &mut w), None);
        assert_eq!(w.len(), 5);
    }

    #[test]
    fn quotes_are_bounded() {
        let long = "é".repeat(1000);
        let q = quote(&long);
        assert_eq!(q.chars().count(), QUOTE_CHARS + 1);
        assert_eq!(quote("short"), "short");
    }
}
