//! The `pdta` records (the "hydra"): preset headers, bags, modulators,
//! generators, instrument headers and sample headers.
//!
//! Each of the nine sub-chunks is an array of fixed-size little-endian
//! records ending with a terminal record. A header's bag index and the next
//! header's bag index delimit its zones; a bag's generator and modulator
//! indices and the next bag's delimit the zone's records. [`Hydra::parse`]
//! checks sizes and that every index chain is non-decreasing and in range,
//! so the zone accessors can never index out of bounds.

use crate::error::Fail;
use crate::riff::{find, Chunk};

pub(crate) const PHDR_SIZE: usize = 38;
pub(crate) const BAG_SIZE: usize = 4;
pub(crate) const MOD_SIZE: usize = 10;
pub(crate) const GEN_SIZE: usize = 4;
pub(crate) const INST_SIZE: usize = 22;
pub(crate) const SHDR_SIZE: usize = 46;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PresetHeader {
    pub name: String,
    pub program: u16,
    pub bank: u16,
    pub bag: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InstHeader {
    pub name: String,
    pub bag: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bag {
    pub gen: u16,
    pub modu: u16,
}

/// A generator: its operator and its raw 16-bit amount (signed, unsigned
/// or a lo/hi byte range depending on the operator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GenRecord {
    pub oper: u16,
    pub amount: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ModRecord {
    pub src: u16,
    pub dest: u16,
    pub amount: i16,
    pub amt_src: u16,
    pub transform: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SampleHeader {
    pub name: String,
    /// Sample points from the start of `smpl`; `end` and `loop_end` are
    /// the first points after the sample and after the loop.
    pub start: u32,
    pub end: u32,
    pub loop_start: u32,
    pub loop_end: u32,
    pub rate: u32,
    pub original_pitch: u8,
    pub pitch_correction: i8,
    pub link: u16,
    pub kind: u16,
}

/// `sfSampleType` bits.
pub(crate) const SAMPLE_ROM: u16 = 0x8000;
/// Ogg Vorbis compressed data (SF3), not part of SF2.04.
pub(crate) const SAMPLE_COMPRESSED: u16 = 0x10;

/// The records of one zone.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ZoneRecords<'a> {
    pub gens: &'a [GenRecord],
    pub mods: &'a [ModRecord],
}

#[derive(Debug, Default)]
pub(crate) struct Hydra {
    /// All records including the terminal ones.
    pub phdr: Vec<PresetHeader>,
    pub pbag: Vec<Bag>,
    pub pmod: Vec<ModRecord>,
    pub pgen: Vec<GenRecord>,
    pub inst: Vec<InstHeader>,
    pub ibag: Vec<Bag>,
    pub imod: Vec<ModRecord>,
    pub igen: Vec<GenRecord>,
    pub shdr: Vec<SampleHeader>,
}

fn u16_at(r: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([r[at], r[at + 1]])
}

fn u32_at(r: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([r[at], r[at + 1], r[at + 2], r[at + 3]])
}

/// A 20-byte name: up to the first NUL, Latin-1, trailing spaces trimmed.
pub(crate) fn name20(r: &[u8]) -> String {
    let n = &r[..20.min(r.len())];
    let end = n.iter().position(|&b| b == 0).unwrap_or(n.len());
    n[..end]
        .iter()
        .map(|&b| char::from(b))
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// The records of sub-chunk `id`, checked to be whole records and at least
/// `min` of them.
fn records<'a>(
    chunks: &[Chunk<'a>],
    id: &[u8; 4],
    size: usize,
    min: usize,
) -> Result<std::slice::ChunksExact<'a, u8>, Fail> {
    let name = crate::riff::fourcc(id);
    let chunk = find(chunks, id).ok_or_else(|| Fail::Missing(format!("pdta {name}")))?;
    let len = chunk.data.len();
    if len % size != 0 {
        return Err(Fail::Malformed(format!(
            "pdta: {name} chunk size {len} is not a multiple of {size}"
        )));
    }
    if len / size < min {
        return Err(Fail::Malformed(format!(
            "pdta: {name} chunk has {} records; at least {min} are required (the last is the terminal record)",
            len / size
        )));
    }
    Ok(chunk.data.chunks_exact(size))
}

fn bags(chunks: &[Chunk<'_>], id: &[u8; 4]) -> Result<Vec<Bag>, Fail> {
    Ok(records(chunks, id, BAG_SIZE, 1)?
        .map(|r| Bag {
            gen: u16_at(r, 0),
            modu: u16_at(r, 2),
        })
        .collect())
}

fn mods(chunks: &[Chunk<'_>], id: &[u8; 4]) -> Result<Vec<ModRecord>, Fail> {
    Ok(records(chunks, id, MOD_SIZE, 0)?
        .map(|r| ModRecord {
            src: u16_at(r, 0),
            dest: u16_at(r, 2),
            amount: u16_at(r, 4) as i16,
            amt_src: u16_at(r, 6),
            transform: u16_at(r, 8),
        })
        .collect())
}

fn gens(chunks: &[Chunk<'_>], id: &[u8; 4]) -> Result<Vec<GenRecord>, Fail> {
    Ok(records(chunks, id, GEN_SIZE, 0)?
        .map(|r| GenRecord {
            oper: u16_at(r, 0),
            amount: u16_at(r, 2),
        })
        .collect())
}

/// Checks that `indices` (one per record, terminal included) never
/// decrease and that the last is at most `limit`.
fn check_chain(
    owner: &str,
    what: &str,
    target: &str,
    indices: impl Iterator<Item = u16>,
    limit: usize,
    label: &dyn Fn(usize) -> String,
) -> Result<(), Fail> {
    let mut previous = 0u16;
    let mut last = None;
    for (i, index) in indices.enumerate() {
        if index < previous {
            return Err(Fail::Malformed(format!(
                "pdta: {owner} record {i}{} has {what} index {index}, below the previous record's {previous} (indices must not decrease)",
                label(i)
            )));
        }
        previous = index;
        last = Some(index);
    }
    if let Some(last) = last {
        if usize::from(last) > limit {
            return Err(Fail::Malformed(format!(
                "pdta: the terminal {owner} record has {what} index {last}, past the {limit} usable {target} records"
            )));
        }
    }
    Ok(())
}

impl Hydra {
    /// Reads and cross-checks the nine sub-chunks. Broken modulator index
    /// chains only drop the modulators (with a warning); everything else
    /// inconsistent is an error.
    pub fn parse(chunks: &[Chunk<'_>], warn: &mut dyn FnMut(String)) -> Result<Hydra, Fail> {
        let phdr = records(chunks, b"phdr", PHDR_SIZE, 1)?
            .map(|r| PresetHeader {
                name: name20(r),
                program: u16_at(r, 20),
                bank: u16_at(r, 22),
                bag: u16_at(r, 24),
            })
            .collect::<Vec<_>>();
        let inst = records(chunks, b"inst", INST_SIZE, 1)?
            .map(|r| InstHeader {
                name: name20(r),
                bag: u16_at(r, 20),
            })
            .collect::<Vec<_>>();
        let shdr = records(chunks, b"shdr", SHDR_SIZE, 1)?
            .map(|r| SampleHeader {
                name: name20(r),
                start: u32_at(r, 20),
                end: u32_at(r, 24),
                loop_start: u32_at(r, 28),
                loop_end: u32_at(r, 32),
                rate: u32_at(r, 36),
                original_pitch: r[40],
                pitch_correction: r[41] as i8,
                link: u16_at(r, 42),
                kind: u16_at(r, 44),
            })
            .collect::<Vec<_>>();
        let mut h = Hydra {
            pbag: bags(chunks, b"pbag")?,
            pmod: mods(chunks, b"pmod")?,
            pgen: gens(chunks, b"pgen")?,
            ibag: bags(chunks, b"ibag")?,
            imod: mods(chunks, b"imod")?,
            igen: gens(chunks, b"igen")?,
            phdr,
            inst,
            shdr,
        };
        let preset_label = |i: usize| {
            h.phdr
                .get(i)
                .map_or(String::new(), |p| format!(" ('{}')", p.name))
        };
        let inst_label = |i: usize| {
            h.inst
                .get(i)
                .map_or(String::new(), |p| format!(" ('{}')", p.name))
        };
        let none = |_: usize| String::new();
        // A zone j spans bags j and j + 1, so header bag indices stop at the
        // terminal bag: at most len - 1.
        check_chain(
            "phdr",
            "bag",
            "pbag",
            h.phdr.iter().map(|p| p.bag),
            h.pbag.len() - 1,
            &preset_label,
        )?;
        check_chain(
            "inst",
            "bag",
            "ibag",
            h.inst.iter().map(|p| p.bag),
            h.ibag.len() - 1,
            &inst_label,
        )?;
        check_chain(
            "pbag",
            "generator",
            "pgen",
            h.pbag.iter().map(|b| b.gen),
            h.pgen.len(),
            &none,
        )?;
        check_chain(
            "ibag",
            "generator",
            "igen",
            h.ibag.iter().map(|b| b.gen),
            h.igen.len(),
            &none,
        )?;
        if let Err(Fail::Malformed(m)) = check_chain(
            "pbag",
            "modulator",
            "pmod",
            h.pbag.iter().map(|b| b.modu),
            h.pmod.len(),
            &none,
        ) {
            warn(format!("{m}; preset modulators ignored"));
            h.pmod.clear();
            h.pbag.iter_mut().for_each(|b| b.modu = 0);
        }
        if let Err(Fail::Malformed(m)) = check_chain(
            "ibag",
            "modulator",
            "imod",
            h.ibag.iter().map(|b| b.modu),
            h.imod.len(),
            &none,
        ) {
            warn(format!("{m}; instrument modulators ignored"));
            h.imod.clear();
            h.ibag.iter_mut().for_each(|b| b.modu = 0);
        }
        Ok(h)
    }

    /// Presets, instruments and samples without the terminal records.
    pub fn preset_count(&self) -> usize {
        self.phdr.len().saturating_sub(1)
    }

    pub fn instrument_count(&self) -> usize {
        self.inst.len().saturating_sub(1)
    }

    pub fn sample_count(&self) -> usize {
        self.shdr.len().saturating_sub(1)
    }

    /// The zones of preset `p`, in file order.
    pub fn preset_zones(&self, p: usize) -> Vec<ZoneRecords<'_>> {
        match (self.phdr.get(p), self.phdr.get(p + 1)) {
            (Some(a), Some(b)) => zones(a.bag, b.bag, &self.pbag, &self.pgen, &self.pmod),
            _ => Vec::new(),
        }
    }

    /// The zones of instrument `i`, in file order.
    pub fn instrument_zones(&self, i: usize) -> Vec<ZoneRecords<'_>> {
        match (self.inst.get(i), self.inst.get(i + 1)) {
            (Some(a), Some(b)) => zones(a.bag, b.bag, &self.ibag, &self.igen, &self.imod),
            _ => Vec::new(),
        }
    }
}

/// Zones of bags `first..end`; out-of-range indices (impossible after
/// [`Hydra::parse`]) give empty slices rather than panics.
fn zones<'a>(
    first: u16,
    end: u16,
    bags: &[Bag],
    gens: &'a [GenRecord],
    mods: &'a [ModRecord],
) -> Vec<ZoneRecords<'a>> {
    (usize::from(first)..usize::from(end))
        .filter_map(|j| {
            let (a, b) = (bags.get(j)?, bags.get(j + 1)?);
            Some(ZoneRecords {
                gens: gens
                    .get(usize::from(a.gen)..usize::from(b.gen))
                    .unwrap_or(&[]),
                mods: mods
                    .get(usize::from(a.modu)..usize::from(b.modu))
                    .unwrap_or(&[]),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::riff::read_sfbk;
    use crate::testutil::{gen, Builder, TSample, TZone};

    fn parse_pdta(file: &[u8]) -> (Result<Hydra, Fail>, Vec<String>) {
        let mut warnings = Vec::new();
        let chunks = read_sfbk(file, &mut |w| warnings.push(w)).unwrap();
        let h = Hydra::parse(&chunks.pdta, &mut |w| warnings.push(w));
        (h, warnings)
    }

    fn small() -> Builder {
        let mut b = Builder::new(vec![0; 200]);
        b.sample(TSample::new("s1", 0, 100, 60));
        b.instrument(
            "inst",
            vec![
                TZone::gens(&[gen::key(0, 60), (53, 0)]),
                TZone::gens(&[(53, 0)]),
            ],
        );
        b.preset("p", 0, 0, vec![TZone::gens(&[(17, 100), (41, 0)])]);
        b
    }

    #[test]
    fn reads_records_and_zones() {
        let b = small();
        let (h, w) = parse_pdta(&b.build());
        let h = h.unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(h.preset_count(), 1);
        assert_eq!(h.instrument_count(), 1);
        assert_eq!(h.sample_count(), 1);
        assert_eq!(
            h.phdr[0],
            PresetHeader {
                name: "p".into(),
                program: 0,
                bank: 0,
                bag: 0
            }
        );
        assert_eq!(h.phdr[1].name, "EOP");
        let pz = h.preset_zones(0);
        assert_eq!(pz.len(), 1);
        assert_eq!(
            pz[0].gens,
            &[
                GenRecord {
                    oper: 17,
                    amount: 100
                },
                GenRecord {
                    oper: 41,
                    amount: 0
                }
            ]
        );
        let iz = h.instrument_zones(0);
        assert_eq!(iz.len(), 2);
        assert_eq!(
            iz[0].gens[0],
            GenRecord {
                oper: 43,
                amount: 60 << 8
            }
        );
        assert_eq!(
            iz[1].gens,
            &[GenRecord {
                oper: 53,
                amount: 0
            }]
        );
        assert_eq!(h.shdr[0].end, 100);
        assert_eq!(h.shdr[0].original_pitch, 60);
        assert!(h.preset_zones(1).is_empty());
        assert!(h.instrument_zones(7).is_empty());
    }

    #[test]
    fn record_sizes_must_be_whole() {
        let b = small();
        let mut parts = b.pdta_parts();
        parts
            .iter_mut()
            .find(|(id, _)| id == b"pbag")
            .unwrap()
            .1
            .push(0);
        let (h, _) = parse_pdta(&b.build_with_pdta(&parts));
        assert_eq!(
            h.unwrap_err(),
            Fail::Malformed("pdta: pbag chunk size 9 is not a multiple of 4".into())
        );
    }

    #[test]
    fn headers_need_their_terminal_record() {
        let b = small();
        let mut parts = b.pdta_parts();
        parts
            .iter_mut()
            .find(|(id, _)| id == b"shdr")
            .unwrap()
            .1
            .clear();
        let (h, _) = parse_pdta(&b.build_with_pdta(&parts));
        assert_eq!(
            h.unwrap_err(),
            Fail::Malformed("pdta: shdr chunk has 0 records; at least 1 are required (the last is the terminal record)".into())
        );
        let mut parts = b.pdta_parts();
        parts.retain(|(id, _)| id != b"igen");
        let (h, _) = parse_pdta(&b.build_with_pdta(&parts));
        assert_eq!(h.unwrap_err(), Fail::Missing("pdta igen".into()));
    }

    #[test]
    fn bag_indices_out_of_order_or_range_are_errors() {
        let b = small();
        let mut parts = b.pdta_parts();
        // Terminal phdr record (the second, at 38) points at bag 5 of 2.
        parts.iter_mut().find(|(id, _)| id == b"phdr").unwrap().1[38 + 24] = 5;
        let (h, _) = parse_pdta(&b.build_with_pdta(&parts));
        assert_eq!(
            h.unwrap_err(),
            Fail::Malformed(
                "pdta: the terminal phdr record has bag index 5, past the 1 usable pbag records"
                    .into()
            )
        );

        let mut parts = b.pdta_parts();
        // ibag: [0, 2, 3] generator indices; make the second 9 then 3 decreases.
        parts.iter_mut().find(|(id, _)| id == b"ibag").unwrap().1[4] = 9;
        let (h, _) = parse_pdta(&b.build_with_pdta(&parts));
        assert_eq!(
            h.unwrap_err(),
            Fail::Malformed("pdta: ibag record 2 has generator index 3, below the previous record's 9 (indices must not decrease)".into())
        );
    }

    #[test]
    fn broken_modulator_indices_only_drop_modulators() {
        let b = small();
        let mut parts = b.pdta_parts();
        parts.iter_mut().find(|(id, _)| id == b"ibag").unwrap().1[2] = 7;
        let (h, w) = parse_pdta(&b.build_with_pdta(&parts));
        let h = h.unwrap();
        assert!(h.imod.is_empty());
        assert_eq!(
            w,
            vec!["pdta: ibag record 1 has modulator index 0, below the previous record's 7 (indices must not decrease); instrument modulators ignored".to_string()]
        );
        assert_eq!(h.instrument_zones(0).len(), 2);
    }

    #[test]
    fn names_stop_at_nul_and_trim() {
        let mut r = [0u8; 20];
        r[..5].copy_from_slice(b"Pia\xe9 ");
        assert_eq!(name20(&r), "Piaé");
        assert_eq!(name20(b"ABCDEFGHIJKLMNOPQRSTUVWX"), "ABCDEFGHIJKLMNOPQRST");
    }
}
