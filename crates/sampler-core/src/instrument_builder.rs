//! Building an [`Instrument`] in bounded steps.
//!
//! An instrument's checks and per-key region lists take time in proportion
//! to its regions (and to the keys each covers): about half a millisecond
//! for a piano's 200 regions, tens of milliseconds for the SFZ parser's
//! limit of 100,000. The worklet builds instruments on the audio thread,
//! between render quanta, so it does this work a budget at a time
//! ([`InstrumentBuilder::step`]); [`Instrument::new`] runs the same steps
//! without a budget.
//!
//! A step's work is counted in units of about the same cost: one list
//! entry counted, zeroed or filled; checking a region counts as 16. A step does at most its budget plus one region's entries
//! (at most 128), and a few fixed passes over the 128 keys.

use crate::instrument::{Instrument, InstrumentError, Selector};
use crate::region::{Region, Trigger};
use crate::sample::Sample;

/// Region indices per key for one trigger, built once so that a note-on
/// examines only its key's regions (as sfizz does). Each key's list is a
/// span of one shared vector; neighbouring keys with the same regions (no
/// range starts or ends between them) share a span, so a region spanning
/// the keyboard costs 4 bytes, not 128 × 4. The worst case (ranges ending
/// at every key) is 512 bytes a region.
#[derive(Clone, Debug)]
pub(crate) struct KeyIndex {
    spans: [(u32, u32); 128],
    pub(crate) regions: Vec<u32>,
}

impl KeyIndex {
    pub(crate) fn get(&self, key: u8) -> &[u32] {
        let (start, end) = self.spans[usize::from(key & 127)];
        &self.regions[start as usize..end as usize]
    }
}

/// One trigger's [`KeyIndex`] under construction. Segments are runs of keys
/// with the same regions, split where a range starts or ends; a region
/// covers whole segments. The lists are counted, then zeroed, then filled:
/// work and memory in proportion to the lists.
#[derive(Default)]
struct KeyIndexBuilder {
    starts_segment: Vec<bool>,
    segment_of: Vec<usize>,
    /// Per segment: entries counted, then the end of its part of `list`.
    ends: Vec<usize>,
    /// Per segment: where its next entry goes.
    next: Vec<usize>,
    list: Vec<u32>,
    total: usize,
}

impl KeyIndexBuilder {
    fn new() -> KeyIndexBuilder {
        let mut starts_segment = vec![false; 128];
        starts_segment[0] = true;
        KeyIndexBuilder { starts_segment, ..KeyIndexBuilder::default() }
    }

    fn mark(&mut self, r: &Region) {
        self.starts_segment[usize::from(r.key_lo & 127)] = true;
        if let Some(above) = self.starts_segment.get_mut(usize::from(r.key_hi) + 1) {
            *above = true;
        }
    }

    /// After every region is marked: numbers the segments.
    fn segment(&mut self) {
        let mut segments = 0;
        self.segment_of = (0..128)
            .map(|key| {
                segments += usize::from(self.starts_segment[key]);
                segments - 1
            })
            .collect();
        self.ends = vec![0; segments];
        self.next = vec![0; segments];
    }

    fn covered(&self, r: &Region) -> std::ops::RangeInclusive<usize> {
        self.segment_of[usize::from(r.key_lo & 127)]..=self.segment_of[usize::from(r.key_hi & 127)]
    }

    /// Counts `r`'s entries; returns how many.
    fn count(&mut self, r: &Region) -> usize {
        let covered = self.covered(r);
        let n = covered.clone().count();
        for s in covered {
            self.ends[s] += 1;
        }
        n
    }

    /// After every region is counted: where each segment's entries go, and
    /// room for them (not yet zeroed).
    fn place(&mut self) -> Result<(), InstrumentError> {
        let mut total = 0;
        for s in 0..self.ends.len() {
            self.next[s] = total;
            total += self.ends[s];
            self.ends[s] = total;
        }
        self.total = total;
        self.list.try_reserve_exact(total).map_err(|_| InstrumentError::TooLarge { entries: total })
    }

    /// Zeroes up to `max` more entries; returns how many.
    fn zero_some(&mut self, max: usize) -> usize {
        let n = max.min(self.total - self.list.len());
        // Within the capacity reserved in `place`: no reallocation.
        self.list.resize(self.list.len() + n, 0);
        n
    }

    fn is_zeroed(&self) -> bool {
        self.list.len() == self.total
    }

    /// Fills region `i`'s entries; returns how many.
    fn fill(&mut self, i: usize, r: &Region) -> usize {
        let covered = self.covered(r);
        let n = covered.clone().count();
        for s in covered {
            // Fits u32: at most MAX_REGIONS regions.
            self.list[self.next[s]] = i as u32;
            self.next[s] += 1;
        }
        n
    }

    fn finish(self) -> KeyIndex {
        let mut spans = [(0, 0); 128];
        for (key, span) in spans.iter_mut().enumerate() {
            let s = self.segment_of[key];
            let start = if s == 0 { 0 } else { self.ends[s - 1] };
            // Fits u32: at most 128 entries for each of MAX_REGIONS regions.
            *span = (start as u32, self.ends[s] as u32);
        }
        KeyIndex { spans, regions: self.list }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Check each region, mark its key range, take its selector.
    Check,
    Count,
    Zero,
    Fill,
    Done,
}

/// An [`Instrument`] being built a bounded amount of work at a time.
pub struct InstrumentBuilder {
    samples: Vec<Sample>,
    regions: Vec<Region>,
    selectors: Vec<Selector>,
    attack: KeyIndexBuilder,
    release: KeyIndexBuilder,
    phase: Phase,
    /// The next region of the current phase.
    cursor: usize,
}

impl InstrumentBuilder {
    /// Takes the parts; does no work yet beyond reserving the selectors.
    pub fn new(samples: Vec<Sample>, regions: Vec<Region>) -> Result<InstrumentBuilder, InstrumentError> {
        if regions.len() > Instrument::MAX_REGIONS {
            return Err(InstrumentError::TooManyRegions(regions.len()));
        }
        let mut selectors = Vec::new();
        selectors.try_reserve_exact(regions.len()).map_err(|_| InstrumentError::TooLarge { entries: regions.len() })?;
        Ok(InstrumentBuilder {
            samples,
            regions,
            selectors,
            attack: KeyIndexBuilder::new(),
            release: KeyIndexBuilder::new(),
            phase: Phase::Check,
            cursor: 0,
        })
    }

    /// Does about `budget` units of the remaining work (at least one
    /// region's); returns the units done. The first region that fails a
    /// check ends the build with its error.
    pub fn step(&mut self, budget: usize) -> Result<usize, InstrumentError> {
        let mut done = 0;
        while done < budget.max(1) && self.phase != Phase::Done {
            done += self.step_once()?;
        }
        Ok(done)
    }

    /// The samples, giving up the build (for freeing them a few at a time).
    pub fn into_samples(self) -> Vec<Sample> {
        self.samples
    }

    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// The instrument, once [`InstrumentBuilder::is_done`]; else the builder back.
    pub fn finish(self) -> Result<Instrument, Box<InstrumentBuilder>> {
        if !self.is_done() {
            return Err(Box::new(self));
        }
        Ok(Instrument::from_built(self.samples, self.regions, self.attack.finish(), self.release.finish(), self.selectors))
    }

    /// One region of the current phase (or one chunk of zeroing, or a
    /// phase change); returns the units done.
    fn step_once(&mut self) -> Result<usize, InstrumentError> {
        const ZERO_CHUNK: usize = 128;
        // Checking a region (its 39 numbers, its ranges and loop) costs
        // about as much as handling 16 list entries (measured in wasm).
        const CHECK_UNITS: usize = 16;
        let i = self.cursor;
        let Self { samples, regions, selectors, attack, release, phase, .. } = self;
        let units = match (*phase, regions.get(i)) {
            (Phase::Check, Some(r)) => {
                Instrument::check_region(i, r, |s| samples.get(s).map(Sample::frames))?;
                selectors.push(Selector::of(r));
                pick(attack, release, r.trigger).mark(r);
                CHECK_UNITS
            }
            (Phase::Count, Some(r)) => 1 + pick(attack, release, r.trigger).count(r),
            (Phase::Fill, Some(r)) => 1 + pick(attack, release, r.trigger).fill(i, r),
            (Phase::Zero, _) if !(attack.is_zeroed() && release.is_zeroed()) => {
                let n = attack.zero_some(ZERO_CHUNK);
                return Ok(n + release.zero_some(ZERO_CHUNK - n));
            }
            _ => {
                self.next_phase()?;
                return Ok(128);
            }
        };
        self.cursor += 1;
        Ok(units)
    }

    fn next_phase(&mut self) -> Result<(), InstrumentError> {
        self.cursor = 0;
        self.phase = match self.phase {
            Phase::Check => {
                self.attack.segment();
                self.release.segment();
                Phase::Count
            }
            Phase::Count => {
                self.attack.place()?;
                self.release.place()?;
                Phase::Zero
            }
            Phase::Zero => Phase::Fill,
            Phase::Fill | Phase::Done => Phase::Done,
        };
        Ok(())
    }
}

/// The list builder of `trigger`'s regions.
fn pick<'a>(attack: &'a mut KeyIndexBuilder, release: &'a mut KeyIndexBuilder, trigger: Trigger) -> &'a mut KeyIndexBuilder {
    match trigger {
        Trigger::Attack => attack,
        Trigger::Release => release,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` regions with pseudo-random key ranges, velocities and triggers.
    fn regions(n: usize, seed: u32) -> Vec<Region> {
        let mut x = seed | 1;
        let mut next = move |m: u32| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x % m
        };
        (0..n)
            .map(|_| {
                let mut r = Region::new(0, 60);
                let (a, b) = (next(128) as u8, next(128) as u8);
                (r.key_lo, r.key_hi) = (a.min(b), a.max(b));
                r.vel_lo = 1 + next(127) as u8;
                r.trigger = if next(4) == 0 { Trigger::Release } else { Trigger::Attack };
                r
            })
            .collect()
    }

    fn sample() -> Sample {
        Sample::new(vec![vec![0.0; 100]], 44_100.0).unwrap()
    }

    fn lists(inst: &Instrument) -> Vec<Vec<u32>> {
        [Trigger::Attack, Trigger::Release].into_iter().flat_map(|t| (0..128u8).map(move |k| inst.regions_on_key(t, k).to_vec())).collect()
    }

    #[test]
    fn small_steps_build_the_same_instrument_and_each_stays_within_its_budget() {
        for (n, seed) in [(0, 1), (1, 2), (37, 3), (500, 4)] {
            let whole = Instrument::new(vec![sample()], regions(n, seed)).unwrap();
            for budget in [1, 7, 100, 1000] {
                let mut builder = InstrumentBuilder::new(vec![sample()], regions(n, seed)).unwrap();
                let mut steps = 0;
                while !builder.is_done() {
                    let done = builder.step(budget).unwrap();
                    // At most one region's entries (128) past the budget.
                    assert!(done < budget + 129, "a step of budget {budget} did {done} units");
                    steps += 1;
                }
                let built = builder.finish().unwrap_or_else(|_| panic!("done"));
                assert_eq!(lists(&built), lists(&whole), "{n} regions in steps of {budget}");
                assert_eq!(built.selectors(), whole.selectors());
                if budget == 1 && n > 0 {
                    assert!(steps > 3 * n, "{n} regions took {steps} steps");
                }
            }
        }
    }

    #[test]
    fn a_bad_region_ends_the_build_with_its_error_whatever_the_steps() {
        let mut regions = regions(300, 9);
        regions[201].volume_db = f32::NAN;
        let mut builder = InstrumentBuilder::new(vec![sample()], regions).unwrap();
        let error = loop {
            match builder.step(16) {
                Ok(_) => assert!(!builder.is_done(), "a NaN volume was accepted"),
                Err(e) => break e,
            }
        };
        assert!(matches!(error, InstrumentError::BadValue { region: 201, .. }), "{error:?}");
        let builder = InstrumentBuilder::new(vec![sample()], vec![Region::new(0, 60)]).unwrap();
        assert!(builder.finish().is_err(), "an unfinished build is not an instrument");
    }
}
