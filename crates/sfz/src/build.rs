//! Headers and opcodes → regions, with SFZ v2 inheritance as in sfizz:
//! `<global>` clears the master and group opcodes, `<master>` clears the
//! group ones, and each `<region>` starts from global + master + group.
//! `<control>` opcodes steer parsing (paths, note offsets) and are not
//! inherited.

use std::collections::HashMap;

use crate::draft::Draft;
use crate::lexer::{Item, Sink};
use crate::opcodes::{self, Ctx, Op};
use crate::paths;
use crate::values::quote;
use crate::{Diag, FromSample, Loc, SfzError, MAX_REGIONS};
use sampler_core::Region;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    None,
    Control,
    Global,
    Master,
    Group,
    Region,
    Skipped,
}

const GLOBAL: usize = 0;
const MASTER: usize = 1;
const GROUP: usize = 2;

/// Everything [`crate::SfzInstrument`] holds except warnings.
#[derive(Debug, Default)]
pub(crate) struct Built {
    pub regions: Vec<Region>,
    pub samples: Vec<String>,
    pub from_sample: Vec<FromSample>,
    pub polyphony: Option<usize>,
    pub note_polyphony: Option<usize>,
    pub keyswitch_range: Option<(u8, u8)>,
    pub keyswitch_default: Option<u8>,
}

pub(crate) struct Builder {
    scope: Scope,
    levels: [Vec<(Loc, Op)>; 3],
    /// `drafts[l]`: the opcodes of levels `0..=l` applied; None once level
    /// `l` or one above it in the hierarchy changed. Rebuilt level by level,
    /// so a new `<group>` re-applies only its own opcodes and a region costs
    /// its own opcodes only.
    drafts: [Option<Draft>; 3],
    region_ops: Vec<(Loc, Op)>,
    region_loc: Loc,
    region_headers: usize,
    default_path: String,
    note_offset: i32,
    octave_offset: i32,
    sample_ids: HashMap<String, usize>,
    sw_lokey: Option<u8>,
    sw_hikey: Option<u8>,
    out: Built,
    scratch: Vec<String>,
    /// Inherited opcodes applied to drafts (a measure of work for tests).
    applied: usize,
}

impl Builder {
    pub(crate) fn new() -> Builder {
        Builder {
            scope: Scope::None,
            levels: Default::default(),
            drafts: Default::default(),
            region_ops: Vec::new(),
            region_loc: Loc { file: 0, line: 0 },
            region_headers: 0,
            default_path: String::new(),
            note_offset: 0,
            octave_offset: 0,
            sample_ids: HashMap::new(),
            sw_lokey: None,
            sw_hikey: None,
            out: Built::default(),
            scratch: Vec::new(),
            applied: 0,
        }
    }

    /// Ends the last region and settles instrument-wide values.
    pub(crate) fn finish(mut self, root: &str, diag: &mut Diag) -> Result<Built, SfzError> {
        self.end_region(diag);
        if self.out.regions.is_empty() {
            return Err(SfzError::NoRegions { file: root.to_string(), headers: self.region_headers });
        }
        let b = &mut self.out;
        b.keyswitch_range = match (self.sw_lokey, self.sw_hikey) {
            (None, None) => {
                // sw_last without a declared range: its keys are the switches.
                let keys = b.regions.iter().filter_map(|r| r.sw_last);
                keys.clone().min().zip(keys.max())
            }
            (lo, hi) => Some((lo.unwrap_or(0), hi.unwrap_or(127))),
        };
        if let Some((lo, hi)) = b.keyswitch_range {
            if lo > hi {
                diag.warn(Loc { file: 0, line: 0 }, format!("sw_lokey {lo} > sw_hikey {hi}; keyswitches ignored"));
                b.keyswitch_range = None;
            }
        }
        Ok(self.out)
    }

    fn end_region(&mut self, diag: &mut Diag) {
        if self.scope != Scope::Region {
            return;
        }
        self.scope = Scope::None;
        for level in [GLOBAL, MASTER, GROUP] {
            if self.drafts[level].is_some() {
                continue;
            }
            let mut d = match level {
                GLOBAL => Draft::new(),
                _ => self.drafts[level - 1].clone().expect("built above"),
            };
            for (loc, op) in &self.levels[level] {
                d.apply(op, *loc);
            }
            self.applied += self.levels[level].len();
            self.drafts[level] = Some(d);
        }
        let mut draft = self.drafts[GROUP].clone().expect("built above");
        // The inherited sample name is copied here and looked up below.
        diag.work.charge(2 * draft.sample_name_len());
        for (loc, op) in self.region_ops.drain(..) {
            draft.apply(&op, loc);
        }
        let Some(mut done) = draft.finish(self.region_loc, diag) else { return };
        diag.work.charge(done.sample.len());
        let next = self.out.samples.len();
        let id = *self.sample_ids.entry(done.sample.clone()).or_insert(next);
        if id == next {
            self.out.samples.push(done.sample);
        }
        done.region.sample = id;
        self.out.regions.push(done.region);
        self.out.from_sample.push(done.from_sample);
    }

    fn header(&mut self, loc: Loc, file: &str, name: &str, diag: &mut Diag) -> Result<(), SfzError> {
        self.end_region(diag);
        self.scope = match name {
            "control" => {
                self.default_path.clear();
                Scope::Control
            }
            "global" => {
                self.clear_levels(GLOBAL);
                Scope::Global
            }
            "master" => {
                self.clear_levels(MASTER);
                Scope::Master
            }
            "group" => {
                self.clear_levels(GROUP);
                Scope::Group
            }
            "region" => {
                self.region_headers += 1;
                if self.region_headers > MAX_REGIONS {
                    return Err(SfzError::TooManyRegions {
                        file: file.to_string(),
                        line: loc.line,
                        limit: MAX_REGIONS,
                    });
                }
                self.region_loc = loc;
                self.region_ops.clear();
                Scope::Region
            }
            "curve" | "effect" | "midi" | "sample" => {
                diag.warn(loc, format!("<{name}> is not supported; its opcodes are ignored"));
                Scope::Skipped
            }
            _ => {
                diag.warn(loc, format!("unknown header <{}>; its opcodes are ignored", quote(name)));
                Scope::Skipped
            }
        };
        Ok(())
    }

    fn opcode(&mut self, loc: Loc, file: &str, name: &str, value: &str, diag: &mut Diag) {
        match self.scope {
            Scope::Skipped => return,
            Scope::None => {
                diag.warn(loc, format!("`{}` is outside any header; ignored", quote(name)));
                return;
            }
            _ => {}
        }
        if name == "sample" {
            // Resolving joins these to the value, for every `sample=`.
            diag.work.charge(self.default_path.len() + paths::dir_of(file).len());
        }
        let ctx =
            Ctx { file, default_path: &self.default_path, note_shift: self.note_offset + 12 * self.octave_offset };
        let mut warnings = std::mem::take(&mut self.scratch);
        let op = opcodes::parse(name, value, &ctx, &mut warnings);
        for w in warnings.drain(..) {
            diag.warn(loc, w);
        }
        self.scratch = warnings;
        let Some(op) = op else { return };
        let instrument_wide = matches!(self.scope, Scope::Control | Scope::Global | Scope::Master);
        match op {
            Op::DefaultPath(p) if self.scope == Scope::Control => self.default_path = p,
            Op::NoteOffset(n) if self.scope == Scope::Control => self.note_offset = n,
            Op::OctaveOffset(n) if self.scope == Scope::Control => self.octave_offset = n,
            Op::DefaultPath(_) | Op::NoteOffset(_) | Op::OctaveOffset(_) => {
                diag.warn(loc, format!("`{name}` only works in <control>; ignored"));
            }
            Op::Polyphony(n) if instrument_wide => set_once(&mut self.out.polyphony, n, "polyphony", loc, diag),
            Op::Polyphony(_) => {
                diag.warn(loc, "`polyphony` per <group>/<region> is not supported (only in <global>, <master> or <control>); ignored");
            }
            Op::NotePolyphony(n) => set_once(&mut self.out.note_polyphony, n, "note_polyphony", loc, diag),
            // Keyswitch ranges are instrument-wide here: the union of all given.
            Op::SwLoKey(k) => self.sw_lokey = Some(self.sw_lokey.map_or(k, |x| x.min(k))),
            Op::SwHiKey(k) => self.sw_hikey = Some(self.sw_hikey.map_or(k, |x| x.max(k))),
            Op::SwDefault(k) => set_once(&mut self.out.keyswitch_default, k, "sw_default", loc, diag),
            op => match self.scope {
                Scope::Control => diag.warn(loc, format!("`{}` has no effect in <control>; ignored", quote(name))),
                Scope::Global => self.push_level(GLOBAL, loc, op),
                Scope::Master => self.push_level(MASTER, loc, op),
                Scope::Group => self.push_level(GROUP, loc, op),
                _ => self.region_ops.push((loc, op)),
            },
        }
    }

    /// A new `<global>`, `<master>` or `<group>` drops its level's
    /// opcodes and those of the levels under it.
    fn clear_levels(&mut self, from: usize) {
        for level in from..=GROUP {
            self.levels[level].clear();
            self.drafts[level] = None;
        }
    }

    fn push_level(&mut self, level: usize, loc: Loc, op: Op) {
        self.levels[level].push((loc, op));
        for draft in &mut self.drafts[level..] {
            *draft = None;
        }
    }
}

/// Instrument-wide values: the first one given counts.
fn set_once<T: PartialEq + Copy + std::fmt::Display>(
    slot: &mut Option<T>,
    v: T,
    name: &str,
    loc: Loc,
    diag: &mut Diag,
) {
    match *slot {
        None => *slot = Some(v),
        Some(old) if old != v => diag
            .warn(loc, format!("`{name}={v}` differs from the earlier {old}; one value per instrument, keeping {old}")),
        Some(_) => {}
    }
}

impl Sink for Builder {
    fn item(&mut self, loc: Loc, file: &str, item: Item<'_>, diag: &mut Diag) -> Result<(), SfzError> {
        match item {
            Item::Header(name) => self.header(loc, file, name, diag),
            Item::Opcode { name, value } => {
                self.opcode(loc, file, name, value, diag);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `(header or name=value)` items from file "dir/a.sfz", line = index + 1.
    fn run(items: &[&str]) -> (Result<Built, SfzError>, Diag) {
        let mut b = Builder::new();
        let mut diag = Diag::default();
        feed(&mut b, items, &mut diag);
        (b.finish("dir/a.sfz", &mut diag), diag)
    }

    fn feed(b: &mut Builder, items: &[&str], diag: &mut Diag) {
        for (i, it) in items.iter().enumerate() {
            let loc = Loc { file: 0, line: i + 1 };
            let item = match it.strip_prefix('<') {
                Some(h) => Item::Header(h.trim_end_matches('>')),
                None => {
                    let (name, value) = it.split_once('=').unwrap();
                    Item::Opcode { name, value }
                }
            };
            b.item(loc, "dir/a.sfz", item, diag).unwrap();
        }
    }

    fn ok(items: &[&str]) -> Built {
        let (b, diag) = run(items);
        assert!(diag.is_empty(), "{diag:?}");
        b.unwrap()
    }

    #[test]
    fn inheritance_and_reset() {
        let b = ok(&[
            "<global>",
            "volume=-3",
            "lokey=10",
            "<master>",
            "pan=50",
            "<group>",
            "lovel=20",
            "<region>",
            "sample=a.wav",
            "<region>",
            "sample=b.wav",
            "volume=-6",
            "<group>",
            "hivel=90",
            "<region>",
            "sample=a.wav",
            "<master>",
            "<region>",
            "sample=c.wav",
            "<global>",
            "<region>",
            "sample=d.wav",
        ]);
        let got: Vec<(usize, f32, f32, u8, u8, u8)> =
            b.regions.iter().map(|r| (r.sample, r.volume_db, r.pan, r.vel_lo, r.vel_hi, r.key_lo)).collect();
        assert_eq!(
            got,
            [
                (0, -3.0, 0.5, 20, 127, 10),
                (1, -6.0, 0.5, 20, 127, 10),
                (0, -3.0, 0.5, 1, 90, 10),  // new <group> drops lovel
                (2, -3.0, 0.0, 1, 127, 10), // new <master> drops pan and the group
                (3, 0.0, 0.0, 1, 127, 0),   // new <global> drops everything
            ]
        );
        assert_eq!(b.samples, ["dir/a.wav", "dir/b.wav", "dir/c.wav", "dir/d.wav"]);
    }

    #[test]
    fn control_sets_paths_and_offsets_without_being_inherited() {
        let b = ok(&[
            "<control>",
            "default_path=samples\\",
            "note_offset=2",
            "octave_offset=-1",
            "<region>",
            "sample=x.wav",
            "key=60",
            "<control>",
            "note_offset=0",
            "octave_offset=0",
            "<region>",
            "sample=x.wav",
            "lokey=c4",
        ]);
        assert_eq!(b.samples, ["dir/samples/x.wav", "dir/x.wav"]);
        assert_eq!((b.regions[0].key_lo, b.regions[0].root_key), (50, 50));
        assert_eq!(b.regions[1].key_lo, 60);
    }

    #[test]
    fn instrument_wide_opcodes() {
        let (b, diag) = run(&[
            "<control>",
            "polyphony=16",
            "<global>",
            "polyphony=32",
            "note_polyphony=2",
            "sw_lokey=24",
            "sw_hikey=26",
            "sw_default=25",
            "<group>",
            "sw_last=24",
            "polyphony=4",
            "<region>",
            "sample=a.wav",
        ]);
        let b = b.unwrap();
        assert_eq!(b.polyphony, Some(16));
        assert_eq!(b.note_polyphony, Some(2));
        assert_eq!(b.keyswitch_range, Some((24, 26)));
        assert_eq!(b.keyswitch_default, Some(25));
        assert_eq!(b.regions[0].sw_last, Some(24));
        // polyphony=32 differs, polyphony=4 is per group.
        assert_eq!(diag.len(), 2, "{diag:?}");
    }

    #[test]
    fn sw_last_alone_implies_the_switch_range() {
        let b = ok(&[
            "<region>",
            "sample=a.wav",
            "sw_last=30",
            "<region>",
            "sample=a.wav",
            "sw_last=c2",
            "<region>",
            "sample=b.wav",
        ]);
        assert_eq!(b.keyswitch_range, Some((30, 36)));
        assert_eq!(b.keyswitch_default, None);
        assert_eq!(b.samples.len(), 2);
    }

    #[test]
    fn skipped_headers_and_orphan_opcodes_warn_once() {
        let (b, diag) = run(&[
            "lokey=3",
            "<curve>",
            "v000=0",
            "v127=1",
            "<effect>",
            "type=reverb",
            "<midi>",
            "<foo>",
            "x=1",
            "<region>",
            "sample=a.wav",
        ]);
        assert_eq!(b.unwrap().regions.len(), 1);
        assert_eq!(diag.len(), 5, "{diag:?}");
    }

    /// A big `<global>` and many `<group>`s: each group re-applied every
    /// global opcode, so the work grew with their product.
    #[test]
    fn each_inherited_opcode_is_applied_once() {
        let mut items = vec!["<global>"];
        items.extend(["lokey=1"; 1000]);
        for _ in 0..1000 {
            items.extend(["<group>", "lovel=2", "<region>", "sample=a.wav"]);
        }
        let mut b = Builder::new();
        let mut diag = Diag::default();
        feed(&mut b, &items, &mut diag);
        let applied = b.applied;
        let built = b.finish("dir/a.sfz", &mut diag).unwrap();
        assert_eq!((built.regions.len(), built.regions[999].key_lo, built.regions[999].vel_lo), (1000, 1, 2));
        assert!(applied <= 1000 + 1000, "{applied} opcodes applied");
    }

    #[test]
    fn no_regions_is_an_error() {
        let (b, _) = run(&["<group>", "lokey=1", "<region>", "lokey=3"]);
        assert_eq!(b.unwrap_err(), SfzError::NoRegions { file: "dir/a.sfz".into(), headers: 1 });
    }

    #[test]
    fn control_only_opcodes_elsewhere_warn() {
        let (b, diag) = run(&["<group>", "default_path=x/", "<region>", "sample=a.wav", "<control>", "lokey=5"]);
        assert_eq!(b.unwrap().samples, ["dir/a.wav"]);
        assert_eq!(diag.len(), 2);
    }
}
