//! SFZ text → a stream of headers and opcodes, with comments removed,
//! `#define`/`$NAME` substituted and `#include`d files read inline.
//!
//! Token rules follow sfizz (the reference SFZ player): a value runs to the
//! end of the line, or up to whitespace followed by `name=`, a `<` header or
//! a `#define`/`#include`, so `sample=My Piano C4.wav lokey=60` gives the
//! sample name with its spaces. A `#define` value is one word; `$NAME` takes
//! the shortest defined name that the text starts with, as ARIA does.
//! Problems skip the bad token (or line) with a warning; only includes and
//! size limits are fatal.
//!
//! The lexer drives the parse, so it is where the work budget is enforced:
//! substitution and include paths are charged here, the builder and the
//! warnings charge the same meter ([`crate::Work`]), and the lexer checks it
//! after every substitution and every token.

use std::collections::HashMap;

use crate::values::quote;
use crate::{paths, Diag, Loc, SfzError, MAX_INCLUDE_DEPTH, MAX_TEXT_BYTES, MAX_WORK, STEP};

/// One lexed element; `Opcode` text is already `$`-expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Item<'a> {
    Header(&'a str),
    Opcode { name: &'a str, value: &'a str },
}

/// Receives the items in file order. `file` is the path of the file the
/// item is in, for resolving relative sample paths.
pub(crate) trait Sink {
    fn item(&mut self, loc: Loc, file: &str, item: Item<'_>, diag: &mut Diag) -> Result<(), SfzError>;
}

/// Longer `#define` names are refused; it bounds the prefix search (and
/// fits the lengths in a `u64` mask).
const MAX_DEFINE_NAME: usize = 64;
/// Nesting of `$A` → `$B` → … (also stops `#define $A $A`).
const MAX_EXPANSION_DEPTH: usize = 16;

struct Lexer<'a> {
    read_include: &'a mut dyn FnMut(&str) -> Option<String>,
    sink: &'a mut dyn Sink,
    diag: &'a mut Diag,
    defines: HashMap<String, String>,
    /// Bit `n - 1` is set when some define's name has `n` characters: the
    /// prefix search looks up only those lengths.
    define_lengths: u64,
    files: Vec<String>,
    file_ids: HashMap<String, usize>,
    text_bytes: usize,
    /// `$NAME` references handled, found or not (a measure of work for tests).
    substitutions: usize,
}

/// Lexes `text` (the file `path`, '/'-separated) and everything it
/// includes into `sink`. Returns the file names that [`Loc::file`] indexes.
pub(crate) fn lex(
    path: &str,
    text: &str,
    read_include: &mut dyn FnMut(&str) -> Option<String>,
    sink: &mut dyn Sink,
    diag: &mut Diag,
) -> Result<Vec<String>, SfzError> {
    lex_counting(path, text, read_include, sink, diag).0
}

/// [`lex`], also returning how many `$NAME` references it handled.
fn lex_counting(
    path: &str,
    text: &str,
    read_include: &mut dyn FnMut(&str) -> Option<String>,
    sink: &mut dyn Sink,
    diag: &mut Diag,
) -> (Result<Vec<String>, SfzError>, usize) {
    let mut lx = Lexer {
        read_include,
        sink,
        diag,
        defines: HashMap::new(),
        define_lengths: 0,
        files: Vec::new(),
        file_ids: HashMap::new(),
        text_bytes: 0,
        substitutions: 0,
    };
    let id = lx.file_id(path);
    let result = lx.charge_text(id, text.len()).and_then(|()| lx.file(id, text, 0));
    (result.map(|()| lx.files), lx.substitutions)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    is_ident(b) || b == b'$'
}

fn skip_while(b: &[u8], mut i: usize, f: impl Fn(u8) -> bool) -> usize {
    while i < b.len() && f(b[i]) {
        i += 1;
    }
    i
}

/// Appends `line` without comments to `out`; `in_block` carries an open
/// `/* */` across lines. A closed block comment leaves a space, so it still
/// separates tokens.
fn strip_comments(line: &str, in_block: &mut bool, out: &mut String) {
    out.clear();
    let b = line.as_bytes();
    let (mut i, mut seg) = (0, 0);
    while i < b.len() {
        let next = b.get(i + 1).copied();
        if *in_block {
            if b[i] == b'*' && next == Some(b'/') {
                *in_block = false;
                i += 2;
                seg = i;
                out.push(' ');
            } else {
                i += 1;
            }
        } else if b[i] == b'/' && next == Some(b'/') {
            out.push_str(&line[seg..i]);
            return;
        } else if b[i] == b'/' && next == Some(b'*') {
            out.push_str(&line[seg..i]);
            *in_block = true;
            i += 2;
        } else {
            i += 1;
        }
    }
    if !*in_block {
        out.push_str(&line[seg..]);
    }
}

impl Lexer<'_> {
    fn file_id(&mut self, path: &str) -> usize {
        if let Some(&id) = self.file_ids.get(path) {
            return id;
        }
        self.files.push(path.to_string());
        self.file_ids.insert(path.to_string(), self.files.len() - 1);
        self.files.len() - 1
    }

    fn charge_text(&mut self, file: usize, bytes: usize) -> Result<(), SfzError> {
        self.text_bytes = self.text_bytes.saturating_add(bytes);
        if self.text_bytes > MAX_TEXT_BYTES {
            return Err(SfzError::TooLarge { file: self.files[file].clone(), limit: MAX_TEXT_BYTES });
        }
        Ok(())
    }

    /// Charges `units` of work and stops the parse if the budget is spent.
    fn charge(&mut self, loc: Loc, units: usize) -> Result<(), SfzError> {
        self.diag.work.charge(units);
        self.check_work(loc)
    }

    /// Stops the parse if the budget is spent (the builder and warnings
    /// charge it too).
    fn check_work(&self, loc: Loc) -> Result<(), SfzError> {
        if self.diag.work.exhausted() {
            return Err(SfzError::TooMuchWork { file: self.files[loc.file].clone(), line: loc.line, limit: MAX_WORK });
        }
        Ok(())
    }

    fn file(&mut self, id: usize, text: &str, depth: usize) -> Result<(), SfzError> {
        let mut in_block = false;
        let mut block_start = 0;
        let mut clean = String::new();
        for (n, line) in text.split('\n').enumerate() {
            let loc = Loc { file: id, line: n + 1 };
            if !in_block {
                block_start = loc.line;
            }
            strip_comments(line, &mut in_block, &mut clean);
            self.line(loc, &clean, depth)?;
        }
        if in_block {
            self.diag.warn(Loc { file: id, line: block_start }, "`/*` comment is never closed");
        }
        Ok(())
    }

    fn line(&mut self, loc: Loc, line: &str, depth: usize) -> Result<(), SfzError> {
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if is_space(b[i]) {
                i += 1;
                continue;
            }
            i = match b[i] {
                b'<' => self.header(loc, line, i)?,
                b'#' => self.directive(loc, line, i, depth)?,
                _ => self.opcode(loc, line, i)?,
            };
            self.check_work(loc)?;
        }
        Ok(())
    }

    fn header(&mut self, loc: Loc, line: &str, start: usize) -> Result<usize, SfzError> {
        let Some(len) = line[start + 1..].find('>') else {
            self.diag.warn(loc, format!("`{}` has no closing `>`; rest of line ignored", quote(&line[start..])));
            return Ok(line.len());
        };
        let end = start + 1 + len;
        let name = line[start + 1..end].trim_matches(|c: char| c.is_ascii() && is_space(c as u8));
        if name.is_empty() || !name.bytes().all(is_ident) {
            self.diag.warn(loc, format!("`<{}>` is not a header name; ignored", quote(name)));
        } else {
            self.sink.item(loc, &self.files[loc.file], Item::Header(name), self.diag)?;
        }
        Ok(end + 1)
    }

    fn directive(&mut self, loc: Loc, line: &str, start: usize, depth: usize) -> Result<usize, SfzError> {
        let b = line.as_bytes();
        let word_end = skip_while(b, start + 1, is_ident);
        let directive = &line[start + 1..word_end];
        let arg = skip_while(b, word_end, is_space);
        match directive {
            "define" => {
                let name_end = skip_while(b, arg + 1, is_ident);
                if b.get(arg) != Some(&b'$') || name_end == arg + 1 {
                    self.diag.warn(loc, "expected `$NAME` after #define; line ignored");
                    return Ok(line.len());
                }
                let name = &line[arg + 1..name_end];
                let value_start = skip_while(b, name_end, is_space);
                let value_end = skip_while(b, value_start, |c| !is_space(c));
                if name.len() > MAX_DEFINE_NAME {
                    self.diag.warn(
                        loc,
                        format!("#define name `${}` is longer than {MAX_DEFINE_NAME} characters; ignored", quote(name)),
                    );
                } else {
                    if value_start == value_end {
                        self.diag.warn(loc, format!("#define ${name} has no value; it expands to nothing"));
                    }
                    self.defines.insert(name.to_string(), line[value_start..value_end].to_string());
                    self.define_lengths |= 1 << (name.len() - 1);
                }
                Ok(value_end)
            }
            "include" => {
                let close = if b.get(arg) == Some(&b'"') { line[arg + 1..].find('"') } else { None };
                let Some(close) = close else {
                    self.diag.warn(loc, "expected \"file.sfz\" after #include; line ignored");
                    return Ok(line.len());
                };
                let raw = &line[arg + 1..arg + 1 + close];
                let Some(name) = self.expand(loc, raw)? else { return Ok(arg + close + 2) };
                let name = paths::slashes(&name);
                let resolved = paths::join(paths::dir_of(&self.files[loc.file]), &name);
                self.include(loc, resolved, depth)?;
                Ok(arg + close + 2)
            }
            _ => {
                self.diag.warn(loc, format!("unknown directive `#{}`; line ignored", quote(directive)));
                Ok(line.len())
            }
        }
    }

    fn include(&mut self, loc: Loc, path: String, depth: usize) -> Result<(), SfzError> {
        if depth + 1 > MAX_INCLUDE_DEPTH {
            let (file, line) = (self.files[loc.file].clone(), loc.line);
            return Err(SfzError::IncludeTooDeep { file, line, path, limit: MAX_INCLUDE_DEPTH });
        }
        // The path repeats the including file's folder, so it is not text
        // read once: a deep folder included again and again adds up.
        self.charge(loc, path.len())?;
        let Some(text) = (self.read_include)(&path) else {
            let (file, line) = (self.files[loc.file].clone(), loc.line);
            return Err(SfzError::IncludeMissing { file, line, path });
        };
        let id = self.file_id(&path);
        // Count a little per include too, so a flood of empty includes ends.
        self.charge_text(id, text.len() + 64)?;
        self.file(id, &text, depth + 1)
    }

    fn opcode(&mut self, loc: Loc, line: &str, start: usize) -> Result<usize, SfzError> {
        let b = line.as_bytes();
        let name_end = skip_while(b, start, is_name_char);
        if name_end == start || b.get(name_end) != Some(&b'=') {
            let token_end = skip_while(b, start, |c| !is_space(c));
            let token = &line[start..token_end];
            let message = if name_end == start {
                format!("unexpected `{}`; skipped", quote(token))
            } else {
                format!("`{}` is not `name=value`; skipped", quote(token))
            };
            self.diag.warn(loc, message);
            return Ok(token_end);
        }
        let value_start = name_end + 1;
        let value_end = value_end(b, value_start);
        let raw_name = &line[start..name_end];
        let raw_value = line[value_start..value_end].trim_matches(|c: char| c.is_ascii() && is_space(c as u8));
        let Some(name) = self.expand(loc, raw_name)? else { return Ok(value_end) };
        if name.is_empty() || !name.bytes().all(is_ident) {
            self.diag.warn(
                loc,
                format!("opcode name `{}` (from `{}`) is not valid; ignored", quote(&name), quote(raw_name)),
            );
            return Ok(value_end);
        }
        let Some(value) = self.expand(loc, raw_value)? else { return Ok(value_end) };
        let item = Item::Opcode { name: &name, value: &value };
        self.sink.item(loc, &self.files[loc.file], item, self.diag)?;
        Ok(value_end)
    }

    /// `s` with `$NAME`s replaced. Unknown names are dropped with a warning
    /// (as sfizz does). None, with a warning, when a name nests more than
    /// [`MAX_EXPANSION_DEPTH`] levels deep: the define is recursive (or as
    /// good as), so the text has no meaning and is ignored. Stopping there
    /// keeps `#define $D $D$D$D` at 16 steps instead of 3^16.
    fn expand(&mut self, loc: Loc, s: &str) -> Result<Option<String>, SfzError> {
        let mut out = String::new();
        if !s.contains('$') {
            out.push_str(s);
            return Ok(Some(out));
        }
        match self.expand_into(loc, s, 0, &mut out)? {
            None => Ok(Some(out)),
            Some(name) => {
                self.diag.warn(
                    loc,
                    format!(
                        "`${name}` nests more than {MAX_EXPANSION_DEPTH} levels deep (recursive #define?); `{}` ignored",
                        quote(s)
                    ),
                );
                Ok(None)
            }
        }
    }

    /// Appends `s` to `out` with `$NAME`s replaced; stops and returns the
    /// name that nests too deeply, if one does. Every `$NAME` costs a
    /// [`STEP`] plus the bytes its lookups hash, and every byte written
    /// costs one, so defines that grow exponentially (to text, or to
    /// nothing exponentially often) run out of budget.
    fn expand_into(&mut self, loc: Loc, s: &str, depth: usize, out: &mut String) -> Result<Option<String>, SfzError> {
        let b = s.as_bytes();
        let (mut i, mut literal) = (0, 0);
        while i < b.len() {
            if b[i] != b'$' {
                i += 1;
                continue;
            }
            self.substitutions += 1;
            out.push_str(&s[literal..i]);
            let start = i + 1;
            let mut j = start;
            let mut found = None;
            let mut hashed = 0;
            while j < b.len() && is_ident(b[j]) && j - start < MAX_DEFINE_NAME {
                j += 1;
                if self.define_lengths & (1 << (j - start - 1)) == 0 {
                    continue;
                }
                hashed += j - start;
                if let Some(v) = self.defines.get(&s[start..j]) {
                    found = Some(v.clone());
                    break;
                }
            }
            self.charge(loc, STEP + hashed + (i - literal))?;
            match found {
                Some(value) if depth < MAX_EXPANSION_DEPTH => {
                    if let Some(name) = self.expand_into(loc, &value, depth + 1, out)? {
                        return Ok(Some(name));
                    }
                }
                Some(_) => return Ok(Some(s[start..j].to_string())),
                None => {
                    j = skip_while(b, j, is_ident);
                    let message = if j == start {
                        "`$` without a variable name; dropped".to_string()
                    } else {
                        format!("`${}` is not defined; dropped", quote(&s[start..j]))
                    };
                    self.diag.warn(loc, message);
                }
            }
            i = j;
            literal = j;
        }
        self.charge(loc, b.len() - literal)?;
        out.push_str(&s[literal..]);
        Ok(None)
    }
}

/// Where a value that starts at `start` ends (see the module doc).
fn value_end(b: &[u8], start: usize) -> usize {
    let mut i = start;
    let mut end = start;
    while i < b.len() {
        if b[i] == b'<' {
            return end;
        }
        if !is_space(b[i]) {
            i += 1;
            end = i;
            continue;
        }
        let next = skip_while(b, i, is_space);
        if next == b.len() || b[next] == b'<' {
            return end;
        }
        if b[next] == b'#' {
            let word_end = skip_while(b, next + 1, is_ident);
            if matches!(&b[next + 1..word_end], b"define" | b"include") {
                return end;
            }
            i = word_end.max(next + 1);
            end = i;
            continue;
        }
        let word_end = skip_while(b, next, is_name_char);
        if word_end > next && b.get(word_end) == Some(&b'=') {
            return end;
        }
        i = word_end.max(next + 1);
        end = i;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect(Vec<(usize, usize, String, String)>);

    impl Sink for Collect {
        fn item(&mut self, loc: Loc, file: &str, item: Item<'_>, _: &mut Diag) -> Result<(), SfzError> {
            let text = match item {
                Item::Header(h) => format!("<{h}>"),
                Item::Opcode { name, value } => format!("{name}={value}"),
            };
            self.0.push((loc.file, loc.line, file.to_string(), text));
            Ok(())
        }
    }

    fn lex_with(text: &str, files: &[(&str, &str)]) -> (Result<Vec<String>, SfzError>, Vec<String>, Diag) {
        let mut sink = Collect::default();
        let mut diag = Diag::default();
        let mut read = |p: &str| files.iter().find(|(n, _)| *n == p).map(|(_, t)| t.to_string());
        let r = lex("inst/main.sfz", text, &mut read, &mut sink, &mut diag);
        (r, sink.0.into_iter().map(|x| x.3).collect(), diag)
    }

    fn items(text: &str) -> Vec<String> {
        let (r, items, diag) = lex_with(text, &[]);
        r.unwrap();
        assert!(diag.is_empty(), "{diag:?}");
        items
    }

    #[test]
    fn headers_and_opcodes_on_one_line() {
        assert_eq!(
            items("<group> lovel=1 hivel=64\t<region>sample=a.wav key=60"),
            ["<group>", "lovel=1", "hivel=64", "<region>", "sample=a.wav", "key=60"]
        );
    }

    #[test]
    fn values_with_spaces_run_to_the_next_opcode() {
        assert_eq!(
            items("<region> sample=My Piano\\C4 soft.wav  lokey=60  \n sample= spaced.wav \r\n"),
            ["<region>", "sample=My Piano\\C4 soft.wav", "lokey=60", "sample=spaced.wav"]
        );
        assert_eq!(items("sample=a b<region>"), ["sample=a b", "<region>"]);
        assert_eq!(items("sample=a #x.wav"), ["sample=a #x.wav"]);
    }

    #[test]
    fn comments_of_both_kinds() {
        assert_eq!(
            items("// header\n<region> /* a\n b */ key=1 // note\nsample=x.wav/*c*/lokey=2"),
            ["<region>", "key=1", "sample=x.wav", "lokey=2"]
        );
    }

    #[test]
    fn line_numbers_count_crlf_and_comment_lines() {
        let mut sink = Collect::default();
        let mut diag = Diag::default();
        let text = "/*\r\n\r\n*/\r\n<region>\r\nsample=a.wav\r\n";
        lex("x.sfz", text, &mut |_| None, &mut sink, &mut diag).unwrap();
        let lines: Vec<usize> = sink.0.iter().map(|x| x.1).collect();
        assert_eq!(lines, [4, 5]);
        assert_eq!(sink.0[1].3, "sample=a.wav");
    }

    #[test]
    fn defines_substitute_in_names_and_values() {
        assert_eq!(
            items("#define $KEY 60\n#define $OP lokey\n#define $V vel\n<region> $OP=$KEY hi$V=1$KEY"),
            ["<region>", "lokey=60", "hivel=160"]
        );
        // Shortest defined prefix wins, as in ARIA.
        assert_eq!(items("#define $A 1\n#define $AB 2\nx=$AB"), ["x=1B"]);
        // A define's value is one word; the rest of the line is parsed.
        assert_eq!(items("#define $X 5 lokey=$X"), ["lokey=5"]);
        // Nested.
        assert_eq!(items("#define $A $B\n#define $B 7\nx=$A"), ["x=7"]);
    }

    #[test]
    fn undefined_and_recursive_defines_warn() {
        let (r, items, diag) = lex_with("x=$NOPE!\n#define $R $R\ny=$R\n$R=1 z=2\n#include \"$R\"", &[]);
        r.unwrap();
        // A recursive define drops the whole opcode (or include) it is in.
        assert_eq!(items, ["x=!", "z=2"]);
        assert_eq!(diag.len(), 4, "{diag:?}");
    }

    #[test]
    fn includes_are_relative_to_the_including_file() {
        let files = [
            ("inst/parts/a.sfz", "<group> lokey=1\n#include \"../common/b.sfz\""),
            ("inst/common/b.sfz", "<region> sample=b.wav"),
        ];
        let mut sink = Collect::default();
        let mut diag = Diag::default();
        let mut read = |p: &str| files.iter().find(|(n, _)| *n == p).map(|(_, t)| t.to_string());
        let names =
            lex("inst/main.sfz", "#define $D parts\n#include \"$D\\a.sfz\"\nkey=3", &mut read, &mut sink, &mut diag)
                .unwrap();
        assert_eq!(names, ["inst/main.sfz", "inst/parts/a.sfz", "inst/common/b.sfz"]);
        let got: Vec<(usize, usize, &str, &str)> =
            sink.0.iter().map(|x| (x.0, x.1, x.2.as_str(), x.3.as_str())).collect();
        assert_eq!(
            got,
            [
                (1, 1, "inst/parts/a.sfz", "<group>"),
                (1, 1, "inst/parts/a.sfz", "lokey=1"),
                (2, 1, "inst/common/b.sfz", "<region>"),
                (2, 1, "inst/common/b.sfz", "sample=b.wav"),
                (0, 3, "inst/main.sfz", "key=3"),
            ]
        );
    }

    #[test]
    fn missing_include_is_fatal_and_named() {
        let (r, _, _) = lex_with("\n#include \"gone.sfz\"", &[]);
        assert_eq!(
            r.unwrap_err(),
            SfzError::IncludeMissing { file: "inst/main.sfz".into(), line: 2, path: "inst/gone.sfz".into() }
        );
    }

    #[test]
    fn include_recursion_is_limited() {
        let (r, _, _) = lex_with("#include \"main.sfz\"", &[("inst/main.sfz", "#include \"main.sfz\"")]);
        match r.unwrap_err() {
            SfzError::IncludeTooDeep { path, limit, .. } => assert_eq!((path.as_str(), limit), ("inst/main.sfz", 16)),
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn malformed_tokens_warn_and_parsing_continues() {
        let (r, items, diag) = lex_with(
            "<region\n=5 lokey=3\n<bad name> key=1\nfoo bar=2\n#pragma x\n#include x.sfz\n#define X 1\n</>",
            &[],
        );
        r.unwrap();
        assert_eq!(items, ["lokey=3", "key=1", "bar=2"]);
        assert_eq!(diag.len(), 8, "{diag:?}");
    }

    #[test]
    fn unterminated_block_comment_warns_at_its_start() {
        let (r, items, diag) = lex_with("<region>\nkey=1 /* open\nkey=2", &[]);
        r.unwrap();
        assert_eq!(items, ["<region>", "key=1"]);
        assert_eq!(diag.len(), 1);
        assert_eq!(diag.first_line(), Some(2));
    }

    /// Lexes `text` (no includes); returns the outcome, the `$NAME`
    /// references handled and the work charged.
    fn lex_measured(text: &str) -> (Result<Vec<String>, SfzError>, usize, Diag) {
        let mut diag = Diag::default();
        let (r, substitutions) = lex_counting("x.sfz", text, &mut |_| None, &mut Collect::default(), &mut diag);
        (r, substitutions, diag)
    }

    /// Issue 9, F7: 41 bytes whose one define expands to three copies of
    /// itself. Substitution recursed 3^16 times (seconds of a frozen page),
    /// producing nothing but warnings; now it stops at the depth limit and
    /// drops the opcode.
    #[test]
    fn self_referential_define_costs_bounded_work() {
        let text = "#define $D $D$D$D\n<region> sample=$D.wav\n";
        assert_eq!(text.len(), 41);
        let (r, substitutions, diag) = lex_measured(text);
        assert_eq!(substitutions, 17);
        r.unwrap();
        assert_eq!(diag.len(), 1);
    }

    /// Defines that triple at each of 16 levels without recursing, down to
    /// an undefined name: 3^15 warnings' worth of work. The budget, not the
    /// depth limit, stops it, with an error that names the likely cause.
    #[test]
    fn exponential_warning_defines_cost_bounded_work() {
        let mut text = String::from("#define $A00 $X\n");
        for i in 1..16 {
            text.push_str(&format!("#define $A{i:02} $A{:02}$A{:02}$A{:02}\n", i - 1, i - 1, i - 1));
        }
        text.push_str("<region> sample=$A15.wav\n");
        let (r, substitutions, _) = lex_measured(&text);
        assert!(substitutions <= crate::MAX_WORK / crate::STEP, "{substitutions} substitutions");
        let e = r.unwrap_err();
        assert_eq!(e, SfzError::TooMuchWork { file: "x.sfz".into(), line: 17, limit: crate::MAX_WORK });
        assert!(e.to_string().contains("#define"), "{e}");
    }

    /// Empty defines that double at each level: no text and no warnings,
    /// but 2^15 substitutions per use.
    #[test]
    fn exponential_empty_defines_cost_bounded_work() {
        let mut text = String::from("#define $A00 \n");
        for i in 1..16 {
            text.push_str(&format!("#define $A{i:02} $A{:02}$A{:02}\n", i - 1, i - 1));
        }
        text.push_str(&"x=$A15\n".repeat(1000));
        let (r, substitutions, _) = lex_measured(&text);
        assert!(substitutions <= crate::MAX_WORK / crate::STEP, "{substitutions} substitutions");
        assert!(matches!(r, Err(SfzError::TooMuchWork { .. })), "{r:?}");
    }

    #[test]
    fn exponential_defines_run_out_of_work() {
        // Fixed-width names, since `$A1` would match inside `$A15`.
        let mut text = format!("#define $A00 {}\n", "x".repeat(4096));
        for i in 1..12 {
            text.push_str(&format!("#define $A{i:02} $A{:02}$A{:02}\n", i - 1, i - 1));
        }
        // 8 MiB of text a use (and the substitutions): the second one runs out.
        text.push_str(&"x=$A11\n".repeat(2));
        let (r, _, _) = lex_with(&text, &[]);
        assert!(matches!(r, Err(SfzError::TooMuchWork { line: 14, .. })), "{r:?}");
    }
}
