//! SFZ instrument files → the sampler core's [`Region`] model.
//!
//! [`parse`] reads text only: `#include`d files come through a callback and
//! samples are returned as paths, so the same code runs natively and in the
//! browser. Anything the engine cannot represent is reported as a
//! [`Warning`], never an error; errors are kept for input that cannot be
//! parsed at all (missing or runaway includes, size and work limits, no
//! regions). Any input costs at most about [`MAX_TEXT_BYTES`] +
//! [`MAX_WORK`] steps, however it is built.
//!
//! Modules: `lexer` (text → headers/opcodes, `#define`,
//! `#include`), `opcodes` (opcode → typed value), `draft` (inherited opcodes
//! → one Region), `build` (header scopes and instrument-wide values),
//! `values`/`notes`/`paths` (value syntax).

mod build;
mod draft;
mod lexer;
mod notes;
mod opcodes;
mod paths;
mod values;

use std::collections::HashSet;
use std::fmt;

pub use notes::note_number;
use sampler_core::Region;

/// Cap on all SFZ text read (the file plus includes).
pub const MAX_TEXT_BYTES: usize = 16 << 20;
/// Cap on the parse's work beyond reading the text once, in units of about
/// one byte handled: what `$NAME` substitution looks up and writes (and a
/// fixed [`STEP`] per substitution), warnings, and path text that is
/// handled again for every use (`default_path` and the file's folder for
/// each `sample=`, a region's inherited sample name, `#include` paths).
/// Together with [`MAX_TEXT_BYTES`] it bounds the time any input can take,
/// however small: 300 bytes of `#define`s that triple at each of 16 levels
/// stop here with [`SfzError::TooMuchWork`]. (A recursive define stops
/// sooner, at the nesting limit, with a warning.)
#[cfg(not(fuzzing))]
pub const MAX_WORK: usize = 16 << 20;
/// Under `cargo fuzz` (which sets `cfg(fuzzing)`) the budget is 16 times
/// smaller: the same limit logic, but a budget-bound input costs the
/// instrumented fuzzer milliseconds instead of seconds (see FUZZING.md).
#[cfg(fuzzing)]
pub const MAX_WORK: usize = 1 << 20;
/// The work charged for one fixed-cost step (a substitution, or a
/// warning's bookkeeping on top of its text).
pub const STEP: usize = 16;
pub const MAX_REGIONS: usize = 100_000;
/// `#include` nesting below the top file.
pub const MAX_INCLUDE_DEPTH: usize = 16;
/// Further warnings are counted in one last warning instead of kept.
pub const MAX_WARNINGS: usize = 1000;

/// A parsed instrument, ready for the loader to attach sample data.
///
/// Loops: a region whose `loop_mode` loops but gives no `loop_end` keeps the
/// mode with `loop_end = 0`; the parser cannot see the sample, so the loader
/// fills loop points from the file (or falls back) — see [`FromSample`].
#[derive(Clone, Debug, PartialEq)]
pub struct SfzInstrument {
    /// One entry per playable `<region>`, in file order. `region.sample` is an index into `samples`.
    pub regions: Vec<Region>,
    /// Distinct sample paths, resolved against `default_path` and the
    /// directory of the file that named them, '/'-separated, in first-use order.
    pub samples: Vec<String>,
    /// Per region (parallel to `regions`): what to take from the sample file.
    pub from_sample: Vec<FromSample>,
    /// `polyphony` from `<control>`, `<global>` or `<master>`.
    pub polyphony: Option<usize>,
    pub note_polyphony: Option<usize>,
    /// `sw_lokey..=sw_hikey`; if absent but regions use `sw_last`, the span of their keys.
    pub keyswitch_range: Option<(u8, u8)>,
    /// `sw_default`.
    pub keyswitch_default: Option<u8>,
    pub warnings: Vec<Warning>,
}

/// Region settings SFZ takes from the sample file when the text is silent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FromSample {
    /// `pitch_keycenter=sample`: use the file's root note (`root_key` is 60 until then).
    pub root_key: bool,
    /// No `loop_mode` given: SFZ loops continuously if the file has a loop, else not.
    pub loop_mode: bool,
    /// No usable `loop_end` given (`loop_end` is 0): take the loop from the file.
    pub loop_points: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub file: String,
    /// 1-based; 0 when the warning is about the instrument as a whole.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Why an SFZ file could not be loaded at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SfzError {
    /// `#include` nested deeper than `limit`.
    IncludeTooDeep {
        file: String,
        line: usize,
        path: String,
        limit: usize,
    },
    /// The `read_include` callback had no file `path`.
    IncludeMissing {
        file: String,
        line: usize,
        path: String,
    },
    /// More than `limit` bytes of text, with includes and `$` substitution.
    TooLarge {
        file: String,
        limit: usize,
    },
    TooManyRegions {
        file: String,
        line: usize,
        limit: usize,
    },
    /// Parsing needed more than `limit` units of work (see [`MAX_WORK`]);
    /// it stopped at `line`.
    TooMuchWork {
        file: String,
        line: usize,
        limit: usize,
    },
    /// No playable region; `headers` counts the `<region>` headers seen.
    NoRegions {
        file: String,
        headers: usize,
    },
}

impl fmt::Display for SfzError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SfzError::IncludeTooDeep { file, line, path, limit } => {
                write!(f, "{file}:{line}: #include \"{path}\" nests more than {limit} levels deep (recursive include?)")
            }
            SfzError::IncludeMissing { file, line, path } => {
                write!(f, "{file}:{line}: #include file \"{path}\" not found")
            }
            SfzError::TooLarge { file, limit } => {
                write!(f, "{file}: SFZ text (with includes) exceeds {limit} bytes")
            }
            SfzError::TooMuchWork { file, line, limit } => write!(
                f,
                "{file}:{line}: parsing stopped after {limit} steps of work (a recursive or exponentially \
                 growing #define, a flood of warnings, or a long path repeated?)"
            ),
            SfzError::TooManyRegions { file, line, limit } => write!(f, "{file}:{line}: more than {limit} regions"),
            SfzError::NoRegions { file, headers: 0 } => write!(f, "{file}: no <region> found"),
            SfzError::NoRegions { file, headers } => {
                write!(f, "{file}: none of the {headers} regions is playable (no sample, or empty key/velocity range)")
            }
        }
    }
}

impl std::error::Error for SfzError {}

/// Parses the SFZ file `path` with contents `text`. `read_include` returns
/// the text of an `#include`d file by its resolved path (None: missing).
/// Never panics; every problem short of the [`SfzError`] cases is a warning.
pub fn parse(
    path: &str,
    text: &str,
    read_include: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<SfzInstrument, SfzError> {
    let root = paths::slashes(path);
    let mut diag = Diag::default();
    let mut builder = build::Builder::new();
    let files = lexer::lex(&root, text, read_include, &mut builder, &mut diag)?;
    let built = builder.finish(&root, &mut diag)?;
    Ok(SfzInstrument {
        regions: built.regions,
        samples: built.samples,
        from_sample: built.from_sample,
        polyphony: built.polyphony,
        note_polyphony: built.note_polyphony,
        keyswitch_range: built.keyswitch_range,
        keyswitch_default: built.keyswitch_default,
        warnings: diag.into_warnings(&files),
    })
}

/// A position in the input: an index into the lexer's file list and a
/// 1-based line (0: the instrument as a whole).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Loc {
    pub file: usize,
    pub line: usize,
}

/// The work a parse has done (see [`MAX_WORK`]). Parts of the parser
/// charge it; the lexer, which drives the parse, stops with
/// [`SfzError::TooMuchWork`] once it is exhausted.
#[derive(Debug, Default)]
pub(crate) struct Work {
    spent: usize,
}

impl Work {
    pub(crate) fn charge(&mut self, units: usize) {
        self.spent = self.spent.saturating_add(units);
    }

    pub(crate) fn exhausted(&self) -> bool {
        self.spent > MAX_WORK
    }
}

/// Collects warnings, once per position and text: an opcode in a `<group>`
/// is read once, but checks made per region (an LFO conflict) would
/// otherwise repeat for every region that inherits it. Carries the parse's
/// [`Work`] meter, as every part of the parser has it at hand; each warning,
/// kept or not, is charged.
#[derive(Debug, Default)]
pub(crate) struct Diag {
    list: Vec<(Loc, String)>,
    seen: HashSet<(Loc, String)>,
    dropped: usize,
    pub(crate) work: Work,
}

impl Diag {
    pub(crate) fn warn(&mut self, loc: Loc, message: impl Into<String>) {
        let key = (loc, message.into());
        self.work.charge(STEP + key.1.len());
        if self.seen.contains(&key) {
            return;
        }
        if self.list.len() >= MAX_WARNINGS {
            self.dropped += 1;
            return;
        }
        self.seen.insert(key.clone());
        self.list.push(key);
    }

    fn into_warnings(self, files: &[String]) -> Vec<Warning> {
        let name = |i: usize| files.get(i).cloned().unwrap_or_default();
        let mut list = self.list;
        // Checks made when a region ends come late; present them in file order.
        list.sort_by_key(|(loc, _)| (loc.file, loc.line));
        let mut out: Vec<Warning> =
            list.into_iter().map(|(loc, message)| Warning { file: name(loc.file), line: loc.line, message }).collect();
        if self.dropped > 0 {
            out.push(Warning { file: name(0), line: 0, message: format!("{} more warnings not shown", self.dropped) });
        }
        out
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    #[cfg(test)]
    pub(crate) fn first_line(&self) -> Option<usize> {
        self.list.first().map(|(l, _)| l.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn warnings_display_file_and_line() {
        let inst = parse("kit\\drums.sfz", "<region> sample=k.wav\n  bogus=1", &mut none).unwrap();
        assert_eq!(inst.warnings.len(), 1);
        assert_eq!(inst.warnings[0].to_string(), "kit/drums.sfz:2: unsupported opcode `bogus`; ignored");
        assert_eq!(inst.samples, ["kit/k.wav"]);
    }

    #[test]
    fn warnings_are_deduplicated_and_capped() {
        let mut d = Diag::default();
        let l = Loc { file: 0, line: 3 };
        d.warn(l, "x");
        d.warn(l, "x");
        d.warn(Loc { line: 4, ..l }, "x");
        assert_eq!(d.len(), 2);
        for i in 0..MAX_WARNINGS + 5 {
            d.warn(Loc { file: 0, line: 10 + i }, "y");
        }
        let w = d.into_warnings(&["a.sfz".to_string()]);
        assert_eq!(w.len(), MAX_WARNINGS + 1);
        assert_eq!(w[MAX_WARNINGS].message, "7 more warnings not shown");
    }

    #[test]
    fn errors_name_the_file_and_problem() {
        let e = parse("a.sfz", "#include \"b.sfz\"", &mut none).unwrap_err();
        assert_eq!(e.to_string(), "a.sfz:1: #include file \"b.sfz\" not found");
        let e = parse("a.sfz", "<group> key=1", &mut none).unwrap_err();
        assert_eq!(e.to_string(), "a.sfz: no <region> found");
        let e = parse("a.sfz", "<region> key=1", &mut none).unwrap_err();
        assert_eq!(e, SfzError::NoRegions { file: "a.sfz".into(), headers: 1 });
        assert!(e.to_string().contains("none of the 1 regions"));
    }

    #[test]
    fn size_limits() {
        let big = " ".repeat(MAX_TEXT_BYTES + 1);
        assert_eq!(
            parse("a.sfz", &big, &mut none).unwrap_err(),
            SfzError::TooLarge { file: "a.sfz".into(), limit: MAX_TEXT_BYTES }
        );
        let many = "<region>".repeat(MAX_REGIONS + 1);
        match parse("a.sfz", &many, &mut none).unwrap_err() {
            SfzError::TooManyRegions { limit, line, .. } => assert_eq!((limit, line), (MAX_REGIONS, 1)),
            e => panic!("{e}"),
        }
    }
}
