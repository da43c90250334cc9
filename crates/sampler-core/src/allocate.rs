//! Starting the voices of one note-on (or one release trigger) in the pool,
//! with bounded work (issue 9, F8): at most [`MAX_LAYERS`] voices, and at
//! most [`MAX_POOL_SCANS`] passes over the pool however many layers start.
//!
//! One pass chokes the exclusive groups the layers name, counts the voices
//! that sound (all, this instrument's, this key's) and finds free voices.
//! The polyphony limits are then met by stealing, per limit, as many
//! voices as the new layers need in one pass that selects them all; a last
//! pass cuts fading voices if the free ones do not suffice. The new layers
//! are never stolen by each other: a limit smaller than the layers starts
//! only the first `limit` of them.

use std::cmp::Ordering;

use crate::instrument::Instrument;
use crate::voice::Voice;

/// The most voices one note-on, or one release trigger, starts. Real
/// instruments layer a handful of regions on a key (velocity crossfades,
/// stereo pairs, microphone positions, a release sample); 32 leaves room
/// for lavish ones and bounds a hostile one. Matching regions past it are
/// not played and are counted (`EngineCounters::layers_dropped`).
pub const MAX_LAYERS: usize = 32;
/// The most passes over the voice pool one note-on makes (see the module
/// docs): the first, three polyphony limits and the fallback.
pub const MAX_POOL_SCANS: usize = 5;

/// The regions, each with its gain, that one trigger starts.
pub(crate) struct Layers {
    items: [(u32, f32); MAX_LAYERS],
    len: usize,
    /// Matching regions past `MAX_LAYERS`.
    pub dropped: u32,
}

impl Layers {
    pub(crate) fn new() -> Layers {
        Layers { items: [(0, 0.0); MAX_LAYERS], len: 0, dropped: 0 }
    }

    /// Adds `region` with the gain `gain()` computes, or counts it as
    /// dropped (without computing the gain) when full.
    pub(crate) fn push(&mut self, region: u32, gain: impl FnOnce() -> f32) {
        match self.items.get_mut(self.len) {
            Some(item) => {
                *item = (region, gain());
                self.len += 1;
            }
            None => self.dropped = self.dropped.wrapping_add(1),
        }
    }

    pub(crate) fn as_slice(&self) -> &[(u32, f32)] {
        &self.items[..self.len]
    }
}

/// Who the layers play for.
pub(crate) struct Note<'a> {
    pub instrument: &'a Instrument,
    pub slot: u16,
    pub channel: u8,
    pub note: u8,
    pub velocity: u8,
    pub max_polyphony: usize,
    pub output_rate: f32,
}

/// Up to `MAX_LAYERS` voice indices, best first.
struct Picked {
    indices: [u32; MAX_LAYERS],
    len: usize,
}

/// The `k` (at most `MAX_LAYERS`) voices that `candidate` accepts and
/// `order` puts first, in one pass: a sorted buffer of the best so far.
fn pick(voices: &[Voice], k: usize, candidate: impl Fn(&Voice) -> bool, order: impl Fn(&Voice, &Voice) -> Ordering) -> Picked {
    let k = k.min(MAX_LAYERS);
    let mut best = Picked { indices: [0; MAX_LAYERS], len: 0 };
    if k == 0 {
        return best;
    }
    for (i, v) in voices.iter().enumerate() {
        if !candidate(v) {
            continue;
        }
        let beats = |indices: &[u32; MAX_LAYERS], j: usize| order(v, &voices[indices[j] as usize]) == Ordering::Less;
        if best.len == k && !beats(&best.indices, k - 1) {
            continue;
        }
        // Insert in order, dropping the last if full.
        let mut at = best.len.min(k - 1);
        while at > 0 && beats(&best.indices, at - 1) {
            best.indices[at] = best.indices[at - 1];
            at -= 1;
        }
        best.indices[at] = i as u32;
        best.len = (best.len + 1).min(k);
    }
    best
}

/// Steal order: released voices first, then the quietest, then the oldest.
fn steal_order(a: &Voice, b: &Voice) -> Ordering {
    (!a.is_released()).cmp(&!b.is_released()).then(a.level().total_cmp(&b.level())).then(a.started.cmp(&b.started))
}

/// Starts `layers` for `note` in `voices`, numbering them from `*serial +
/// 1`. Returns how many voices it looked at (pool passes × pool size).
pub(crate) fn start_layers(voices: &mut [Voice], note: &Note, layers: &[(u32, f32)], serial: &mut u64) -> u64 {
    if layers.is_empty() {
        return 0;
    }
    let Note { instrument, slot, channel, .. } = *note;
    let regions = instrument.regions();
    let mut groups = [0u32; MAX_LAYERS];
    let mut group_count = 0;
    for &(r, _) in layers {
        let group = regions.get(r as usize).map_or(0, |r| r.group);
        if group != 0 && !groups[..group_count].contains(&group) {
            groups[group_count] = group;
            group_count += 1;
        }
    }
    let groups = &groups[..group_count];
    let same_key = |v: &Voice| v.slot == slot && v.channel == channel && v.note == note.note;
    let sounding = |v: &Voice| v.is_active() && !v.is_fading();

    // Pass 1: choke the layers' groups (voices of this instrument and
    // channel whose region is `off_by` one), count, find free voices.
    let mut free = Picked { indices: [0; MAX_LAYERS], len: 0 };
    let (mut all, mut in_slot, mut on_key) = (0usize, 0usize, 0usize);
    for (i, v) in voices.iter_mut().enumerate() {
        if !v.is_active() {
            if free.len < layers.len() {
                free.indices[free.len] = i as u32;
                free.len += 1;
            }
            continue;
        }
        let choked = !groups.is_empty() && v.slot == slot && v.channel == channel;
        if choked && regions.get(v.region as usize).is_some_and(|r| groups.contains(&r.off_by)) {
            v.fade_out();
        }
        if !v.is_fading() {
            all += 1;
            in_slot += usize::from(v.slot == slot);
            on_key += usize::from(same_key(v));
        }
    }
    let mut scanned = voices.len() as u64;

    // The limits, innermost first: each steals what the new layers need.
    let mut starting = layers.len();
    let mut steal = |voices: &mut [Voice], limit: usize, count: usize, candidate: &dyn Fn(&Voice) -> bool, starting: &mut usize| {
        *starting = (*starting).min(limit);
        let wanted = (count + *starting).saturating_sub(limit);
        if wanted == 0 {
            return 0;
        }
        scanned += voices.len() as u64;
        let victims = pick(voices, wanted, candidate, steal_order);
        for &i in &victims.indices[..victims.len] {
            voices[i as usize].fade_out();
        }
        victims.len
    };
    if let Some(limit) = instrument.note_polyphony {
        let stolen = steal(voices, limit, on_key, &|v| sounding(v) && same_key(v), &mut starting);
        (in_slot, all) = (in_slot.saturating_sub(stolen), all.saturating_sub(stolen));
    }
    if let Some(limit) = instrument.polyphony {
        let stolen = steal(voices, limit, in_slot, &|v| sounding(v) && v.slot == slot, &mut starting);
        all = all.saturating_sub(stolen);
    }
    steal(voices, note.max_polyphony, all, &sounding, &mut starting);

    // Not enough free voices: cut the quietest fading ones (there are
    // enough: the pool has spares beyond the polyphony, and at most
    // `max_polyphony - starting` voices still sound).
    if free.len < starting {
        scanned += voices.len() as u64;
        let cut = pick(voices, starting - free.len, Voice::is_fading, |a, b| a.level().total_cmp(&b.level()));
        for &i in &cut.indices[..cut.len] {
            voices[i as usize].kill();
            free.indices[free.len] = i;
            free.len += 1;
        }
    }

    for (&(r, gain), &index) in layers[..starting].iter().zip(&free.indices[..free.len]) {
        let Some(region) = regions.get(r as usize) else { continue };
        let Some(sample) = instrument.samples().get(region.sample) else { continue };
        *serial += 1;
        voices[index as usize].start(slot, r, region, sample, channel, note.note, note.velocity, *serial, gain, note.output_rate);
    }
    scanned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_keeps_the_k_best_in_one_pass() {
        // Voices ordered by `started` only (all idle, equal level).
        let mut voices = vec![Voice::idle(); 50];
        for (i, v) in voices.iter_mut().enumerate() {
            v.started = ((i * 37) % 50) as u64;
        }
        let picked = pick(&voices, 5, |_| true, |a, b| a.started.cmp(&b.started));
        let started: Vec<u64> = picked.indices[..picked.len].iter().map(|&i| voices[i as usize].started).collect();
        assert_eq!(started, [0, 1, 2, 3, 4]);
        let none = pick(&voices, 0, |_| true, |a, b| a.started.cmp(&b.started));
        assert_eq!(none.len, 0);
        let few = pick(&voices, 10, |v| v.started % 25 == 0, |a, b| a.started.cmp(&b.started));
        assert_eq!(few.len, 2);
    }
}
