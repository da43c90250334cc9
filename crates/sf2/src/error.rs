//! The loader's error type.
//!
//! Parsing code below the API reports a [`Fail`] (what went wrong, without
//! the file name); [`SoundFont::parse`](crate::SoundFont::parse) attaches the
//! name the caller gave, so every message says which file it is about.

use std::fmt;

/// Why a SoundFont could not be loaded, or a preset not built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sf2Error {
    /// The bytes are not a RIFF `sfbk` file at all.
    NotSoundFont { file: String, detail: String },
    /// A chunk claims more bytes than the file holds.
    Truncated { file: String, detail: String },
    /// The structure is inconsistent (record sizes, indices, counts).
    Malformed { file: String, detail: String },
    /// A chunk the format requires is absent.
    MissingChunk { file: String, chunk: String },
    /// `instrument(index)` with an index past the preset list.
    NoSuchPreset {
        file: String,
        index: usize,
        count: usize,
    },
    /// Every zone of the preset was skipped (the warnings say why).
    NoPlayableRegions { file: String, preset: String },
    /// The sampler core refused the built instrument (a loader bug if it
    /// ever happens: regions are validated before they are built).
    Instrument {
        file: String,
        preset: String,
        detail: String,
    },
}

impl fmt::Display for Sf2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sf2Error::NotSoundFont { file, detail } => {
                write!(f, "{file}: not a SoundFont 2 file: {detail}")
            }
            Sf2Error::Truncated { file, detail } => write!(f, "{file}: truncated: {detail}"),
            Sf2Error::Malformed { file, detail } => write!(f, "{file}: {detail}"),
            Sf2Error::MissingChunk { file, chunk } => {
                write!(f, "{file}: the required {chunk} chunk is missing")
            }
            Sf2Error::NoSuchPreset { file, index, count } => {
                write!(
                    f,
                    "{file}: preset index {index} is out of range (the file has {count} presets)"
                )
            }
            Sf2Error::NoPlayableRegions { file, preset } => {
                write!(
                    f,
                    "{file}: preset '{preset}' has no playable zones (see the warnings)"
                )
            }
            Sf2Error::Instrument {
                file,
                preset,
                detail,
            } => write!(f, "{file}: preset '{preset}': {detail}"),
        }
    }
}

impl std::error::Error for Sf2Error {}

/// A parse failure before the file name is attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fail {
    NotSoundFont(String),
    Truncated(String),
    Malformed(String),
    Missing(String),
}

impl Fail {
    pub(crate) fn into_error(self, file: &str) -> Sf2Error {
        let file = file.to_string();
        match self {
            Fail::NotSoundFont(detail) => Sf2Error::NotSoundFont { file, detail },
            Fail::Truncated(detail) => Sf2Error::Truncated { file, detail },
            Fail::Malformed(detail) => Sf2Error::Malformed { file, detail },
            Fail::Missing(chunk) => Sf2Error::MissingChunk { file, chunk },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_the_problem() {
        let e = Fail::Malformed("pdta: pbag chunk size 13 is not a multiple of 4".into())
            .into_error("gm.sf2");
        assert_eq!(
            e.to_string(),
            "gm.sf2: pdta: pbag chunk size 13 is not a multiple of 4"
        );
        let e = Fail::Missing("LIST pdta".into()).into_error("x.sf2");
        assert_eq!(
            e,
            Sf2Error::MissingChunk {
                file: "x.sf2".into(),
                chunk: "LIST pdta".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "x.sf2: the required LIST pdta chunk is missing"
        );
        let e = Sf2Error::NoSuchPreset {
            file: "a.sf2".into(),
            index: 9,
            count: 3,
        };
        assert_eq!(
            e.to_string(),
            "a.sf2: preset index 9 is out of range (the file has 3 presets)"
        );
    }
}
