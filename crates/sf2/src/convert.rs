//! Preset → Instrument: walks a preset's zones and their instruments'
//! zones, combines each (preset zone × instrument zone) pair that has a
//! usable sample into a region, sums the modulators the region model can
//! express, and gathers the samples the regions play.
//!
//! Planning (everything but the sample data) is cheap and deterministic;
//! the loader runs it for every preset at parse time to collect warnings,
//! and again in `instrument()` before converting sample data.

use crate::generators::{combine, described, read_zone, Level, Zone};
use crate::hydra::{Hydra, ModRecord, SampleHeader, SAMPLE_COMPRESSED};
use crate::mapping::{map_region, Mapped, VelocityMods};
use crate::samples::SampleData;
use sampler_core::Instrument;
use std::collections::{BTreeSet, HashMap};

/// A region and the sample header (shdr index) it plays.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Planned {
    pub mapped: Mapped,
    pub sample: usize,
}

/// Modulator source and destination of the spec's default velocity
/// modulators (SF2.04 section 8.4.1 and 8.4.2): note-on velocity, negative
/// unipolar, concave (0x0502) to initialAttenuation (48) and linear (0x0102)
/// to initialFilterFc (8), with no amount source.
const VEL_TO_ATTENUATION: (u16, u16, u16) = (0x0502, 48, 0);
const VEL_TO_FILTER: (u16, u16, u16) = (0x0102, 8, 0);

fn identity(m: &ModRecord) -> (u16, u16, u16) {
    (m.src, m.dest, m.amt_src)
}

/// A zone's modulators plus its global zone's, minus global ones the zone
/// replaces (the same source, destination and amount source).
fn with_global<'a>(
    global: &'a [ModRecord],
    zone: &'a [ModRecord],
) -> impl Iterator<Item = &'a ModRecord> {
    zone.iter().chain(
        global
            .iter()
            .filter(move |g| !zone.iter().any(|z| identity(z) == identity(g))),
    )
}

/// The velocity modulators of a zone pair: instrument modulators replace
/// the defaults, preset modulators add to them. Any other modulator with
/// an effect is recorded in `ignored`.
fn velocity_mods(
    inst: [&[ModRecord]; 2],
    preset: [&[ModRecord]; 2],
    ignored: &mut BTreeSet<(u16, u16, u16)>,
) -> VelocityMods {
    let mut v = VelocityMods::DEFAULT;
    for (level, (global, zone)) in [(0, (inst[0], inst[1])), (1, (preset[0], preset[1]))] {
        for m in with_global(global, zone) {
            let amount = f32::from(m.amount);
            let slot = match identity(m) {
                VEL_TO_ATTENUATION => &mut v.to_attenuation_cb,
                VEL_TO_FILTER => &mut v.to_filter_cents,
                // A source of 0 ("no controller") makes the modulator inert.
                _ => {
                    if m.amount != 0 && m.src != 0 {
                        ignored.insert(identity(m));
                    }
                    continue;
                }
            };
            *slot = if level == 0 { amount } else { *slot + amount };
        }
    }
    v
}

/// Limits that keep hostile files (every preset zone pointing at a huge
/// instrument) from costing unbounded time and memory: zone pairs visited
/// and regions made per preset, and modulators read per zone. Real fonts
/// stay far below them (FluidR3's largest drum kit has ~500 regions).
pub(crate) const MAX_PAIRS_PER_PRESET: usize = 1 << 18;
pub(crate) const MAX_REGIONS_PER_PRESET: usize = 16384;
const MAX_MODULATORS_PER_ZONE: usize = 32;

/// A preset's planned regions, the notes for the warnings, and the zone
/// pairs visited (the parse-time budget counts them).
#[derive(Debug, Default)]
pub(crate) struct PresetPlan {
    pub regions: Vec<Planned>,
    pub notes: Vec<String>,
    pub pairs: usize,
}

/// Notes without repeats (instrument zone notes recur for every preset
/// zone that uses the instrument).
#[derive(Default)]
struct Notes {
    list: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl Notes {
    fn push(&mut self, n: String) {
        if self.seen.insert(n.clone()) {
            self.list.push(n);
        }
    }
}

fn capped<'a>(mods: &'a [ModRecord], what: &str, notes: &mut Notes) -> &'a [ModRecord] {
    if mods.len() > MAX_MODULATORS_PER_ZONE {
        notes.push(format!(
            "{what} has {} modulators; only the first {MAX_MODULATORS_PER_ZONE} are read",
            mods.len()
        ));
    }
    &mods[..mods.len().min(MAX_MODULATORS_PER_ZONE)]
}

/// Frames assumed for a compressed (SF3) sample not decoded yet: planning
/// at parse time then checks everything but the sample's length.
pub(crate) const UNKNOWN_FRAMES: u32 = 1 << 30;

/// Plans the regions of preset `preset`. `sample_ok[i]` says whether
/// sample header i passed validation (zones using others are skipped; the
/// parse warnings say why). `decoded(i)` is the length in frames of
/// compressed sample i once decoded (None: not decoded, its zones are
/// skipped); SF3 positions and loops are relative to the decoded sample.
pub(crate) fn plan_preset(
    h: &Hydra,
    sample_ok: &[bool],
    points: usize,
    decoded: &dyn Fn(usize) -> Option<u32>,
    preset: usize,
) -> PresetPlan {
    let mut plan = PresetPlan::default();
    let mut notes = Notes::default();
    let Some(ph) = h.phdr.get(preset) else {
        return plan;
    };
    let pname = &ph.name;
    let mut clamped = BTreeSet::new();
    let mut ignored_mods = BTreeSet::new();
    // Region notes by kind (their first word): the first in full, and how
    // many regions had one like it.
    let mut region_notes: Vec<(String, String, usize)> = Vec::new();
    let mut pglobal = (Zone::default(), &[][..]);
    'zones: for (zi, pz) in h.preset_zones(preset).iter().enumerate() {
        let mut zn = Vec::new();
        let zone = read_zone(pz.gens, Level::Preset, &mut zn);
        zn.into_iter()
            .for_each(|n| notes.push(format!("preset '{pname}' zone {zi}: {n}")));
        let pmods = capped(pz.mods, &format!("preset '{pname}' zone {zi}"), &mut notes);
        let inst = match zone.link {
            None if zi == 0 => {
                pglobal = (zone, pmods);
                continue;
            }
            None => {
                if !pz.gens.is_empty() {
                    notes.push(format!(
                        "preset '{pname}' zone {zi} has no instrument generator; ignored"
                    ));
                }
                continue;
            }
            Some(i) if usize::from(i) >= h.instrument_count() => {
                notes.push(format!(
                    "preset '{pname}' zone {zi} refers to instrument {i}, but the file has {}; ignored",
                    h.instrument_count()
                ));
                continue;
            }
            Some(i) => usize::from(i),
        };
        let iname = &h.inst[inst].name;
        let mut iglobal = (Zone::default(), &[][..]);
        for (zj, iz) in h.instrument_zones(inst).iter().enumerate() {
            plan.pairs += 1;
            if plan.pairs > MAX_PAIRS_PER_PRESET || plan.regions.len() >= MAX_REGIONS_PER_PRESET {
                notes.push(format!(
                    "preset '{pname}' is too large (over {MAX_PAIRS_PER_PRESET} zone pairs or {MAX_REGIONS_PER_PRESET} regions); the rest is skipped"
                ));
                break 'zones;
            }
            let mut zn = Vec::new();
            let izone = read_zone(iz.gens, Level::Instrument, &mut zn);
            zn.into_iter()
                .for_each(|n| notes.push(format!("instrument '{iname}' zone {zj}: {n}")));
            let imods = capped(
                iz.mods,
                &format!("instrument '{iname}' zone {zj}"),
                &mut notes,
            );
            let sample = match izone.link {
                None if zj == 0 => {
                    iglobal = (izone, imods);
                    continue;
                }
                None => {
                    if !iz.gens.is_empty() {
                        notes.push(format!(
                            "instrument '{iname}' zone {zj} has no sampleID generator; ignored"
                        ));
                    }
                    continue;
                }
                Some(s) if usize::from(s) >= h.sample_count() => {
                    notes.push(format!(
                        "instrument '{iname}' zone {zj} refers to sample {s}, but the file has {}; ignored",
                        h.sample_count()
                    ));
                    continue;
                }
                Some(s) => usize::from(s),
            };
            if !sample_ok.get(sample).copied().unwrap_or(false) {
                continue;
            }
            let Some(c) = combine(&iglobal.0.gens, &izone.gens, &pglobal.0.gens, &zone.gens) else {
                continue;
            };
            clamped.extend(c.clamped.iter().copied());
            let vel = velocity_mods([iglobal.1, imods], [pglobal.1, pmods], &mut ignored_mods);
            let shdr = &h.shdr[sample];
            let mut rn = Vec::new();
            let mapped = if shdr.kind & SAMPLE_COMPRESSED != 0 {
                let frames = match decoded(sample) {
                    Some(f) if f > 0 => f,
                    Some(_) => {
                        notes.push(format!(
                            "compressed sample '{}' decoded to nothing; zones using it are skipped",
                            shdr.name
                        ));
                        continue;
                    }
                    None => {
                        notes.push(format!(
                            "compressed sample '{}' was not decoded; zones using it are skipped",
                            shdr.name
                        ));
                        continue;
                    }
                };
                let whole = SampleHeader {
                    start: 0,
                    end: frames,
                    ..shdr.clone()
                };
                map_region(&c, &whole, frames as usize, vel, &mut rn)
            } else {
                map_region(&c, shdr, points, vel, &mut rn)
            };
            for n in rn {
                let kind = n.split(' ').next().unwrap_or("").to_string();
                match region_notes.iter_mut().find(|(k, _, _)| *k == kind) {
                    Some(entry) => entry.2 += 1,
                    None => region_notes.push((
                        kind,
                        format!(
                            "preset '{pname}', instrument '{iname}', sample '{}': {n}",
                            shdr.name
                        ),
                        1,
                    )),
                }
            }
            plan.regions.push(Planned { mapped, sample });
        }
    }
    for (_, first, count) in region_notes {
        notes.push(match count {
            1 => first,
            n => format!("{first} (and {} more regions of this preset alike)", n - 1),
        });
    }
    if !clamped.is_empty() {
        let names: Vec<String> = clamped.into_iter().map(described).collect();
        notes.push(format!(
            "preset '{pname}': some settings are beyond what SoundFont 2 allows, so the nearest allowed values play: {}",
            names.join(", ")
        ));
    }
    if !ignored_mods.is_empty() {
        notes.push(format!(
            "preset '{pname}': {} modulators ignored (only velocity → attenuation and velocity → filter cutoff are supported)",
            ignored_mods.len()
        ));
    }
    plan.notes = notes.list;
    plan
}

/// Where a region's sample data comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SampleRef {
    /// Points `start..end` of the font's 16-bit (or 24-bit) sample data.
    Pcm { start: u32, end: u32, rate: u32 },
    /// Frames `start..end` of compressed (SF3) sample `sample` (a sample
    /// header index, as listed by `SoundFont::compressed_samples`) once the
    /// caller has decoded it.
    Decoded {
        sample: usize,
        start: u32,
        end: u32,
        rate: u32,
    },
}

/// The regions of a plan and the distinct sample ranges they play (each
/// once); `region.sample` indexes the returned list.
pub(crate) fn layout(plan: Vec<Planned>, h: &Hydra) -> (Vec<sampler_core::Region>, Vec<SampleRef>) {
    let mut refs = Vec::new();
    let mut regions = Vec::with_capacity(plan.len());
    let mut index: HashMap<SampleRef, usize> = HashMap::new();
    for p in plan {
        let Some(shdr) = h.shdr.get(p.sample) else {
            continue;
        };
        let (start, end, rate) = (p.mapped.start, p.mapped.end, shdr.rate);
        let key = if shdr.kind & SAMPLE_COMPRESSED != 0 {
            SampleRef::Decoded {
                sample: p.sample,
                start,
                end,
                rate,
            }
        } else {
            SampleRef::Pcm { start, end, rate }
        };
        let i = *index.entry(key.clone()).or_insert_with(|| {
            refs.push(key);
            refs.len() - 1
        });
        let mut region = p.mapped.region;
        region.sample = i;
        regions.push(region);
    }
    (regions, refs)
}

/// Converts the planned regions' samples (each distinct sample range once)
/// and builds the instrument. Compressed samples cannot be converted here.
pub(crate) fn build_instrument(
    plan: Vec<Planned>,
    h: &Hydra,
    data: &SampleData,
) -> Result<Instrument, String> {
    let (regions, refs) = layout(plan, h);
    let mut samples = Vec::with_capacity(refs.len());
    for r in &refs {
        match *r {
            SampleRef::Pcm { start, end, rate } => samples.push(
                data.sample(start as usize, end as usize, rate as f32)
                    .map_err(|e| format!("sample at {start}..{end}: {e}"))?,
            ),
            SampleRef::Decoded { sample, .. } => {
                let name = h.shdr.get(sample).map_or("?", |s| s.name.as_str());
                return Err(format!("sample '{name}' is Ogg Vorbis compressed (SF3): decode it and use SoundFont::layout"));
            }
        }
    }
    Instrument::new(samples, regions).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(src: u16, dest: u16, amount: i16) -> ModRecord {
        ModRecord {
            src,
            dest,
            amount,
            amt_src: 0,
            transform: 0,
        }
    }

    #[test]
    fn velocity_modulators_replace_then_add() {
        let mut ignored = BTreeSet::new();
        assert_eq!(
            velocity_mods([&[], &[]], [&[], &[]], &mut ignored),
            VelocityMods::DEFAULT
        );
        // Instrument global sets 480; the zone's own identical one wins.
        let v = velocity_mods(
            [&[m(0x0502, 48, 480)], &[m(0x0502, 48, 0)]],
            [&[], &[]],
            &mut ignored,
        );
        assert_eq!(v.to_attenuation_cb, 0.0);
        let v = velocity_mods([&[m(0x0502, 48, 480)], &[]], [&[], &[]], &mut ignored);
        assert_eq!(v.to_attenuation_cb, 480.0);
        // Preset modulators add to the instrument's.
        let v = velocity_mods(
            [&[], &[m(0x0102, 8, -1200)]],
            [&[m(0x0102, 8, 300)], &[]],
            &mut ignored,
        );
        assert_eq!((v.to_attenuation_cb, v.to_filter_cents), (960.0, -900.0));
        assert!(ignored.is_empty());
        // Others are counted once per kind; inert ones not at all.
        velocity_mods(
            [
                &[m(0x00db, 16, 200)],
                &[m(0x00db, 16, 100), m(0, 17, 5), m(0x0081, 6, 0)],
            ],
            [&[], &[]],
            &mut ignored,
        );
        assert_eq!(
            ignored.into_iter().collect::<Vec<_>>(),
            vec![(0x00db, 16, 0)]
        );
    }
}
