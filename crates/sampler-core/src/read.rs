//! Reading a sample at a moving fractional position, through loops: the
//! innermost loop of the render, and the only place that reads sample
//! memory without bounds checks.
//!
//! Positions are 32.32 fixed point (frames × 2^32), so stepping is exact
//! and never drifts. Every position computation is checked: a sample holds
//! at most [`MAX_FRAMES`] frames and a step is at most [`MAX_STEP`], so the
//! sums stay far below 2^64, and where they could not, the read ends
//! instead of wrapping.
//!
//! Most frames are read in runs ([`read_run`]) with one bounds check per
//! run; frames near a loop end, in a loop crossfade or near the sample end
//! are read one at a time with checked indexing. `read_tests.rs` compares
//! the two against a plain reference reader over random layouts.

use crate::interpolation::{interpolate, Interpolation};
use crate::sample::{Frame, GUARD_BEFORE, MAX_FRAMES};

/// The fastest a voice steps through its sample, in sample frames per
/// output frame: eight octaves above the sample's own pitch when the rates
/// are equal. Eight octaves up turns a 20 Hz fundamental into 5.1 kHz, and
/// anything recorded above 80 Hz into ultrasound, so no audible pitch is
/// lost; it is also the widest ratio of supported rates (a 768 kHz sample
/// in a 3 kHz context), so any sample plays at its own pitch. Faster
/// requests (27 octaves up from an in-range SFZ, issue 9) play at this.
pub const MAX_STEP: f64 = 256.0;
/// The slowest: sixteen octaves below, where 20 kHz becomes 0.3 Hz and
/// nothing audible remains. A voice always moves, so a one-shot ends.
pub const MIN_STEP: f64 = 1.0 / 65_536.0;

/// A pitch ratio (sample frames per output frame) as a 32.32 step, held
/// within [`MIN_STEP`, `MAX_STEP`] (NaN reads at the slowest step).
#[inline]
pub(crate) fn fixed_step(ratio: f64) -> u64 {
    let ratio = if ratio >= MIN_STEP { ratio.min(MAX_STEP) } else { MIN_STEP };
    // In 2^16..=2^40: exact in u64, no saturation.
    (ratio * 4_294_967_296.0) as u64
}

/// A voice's read position, and whether it still loops (a sustain loop
/// stops looping on release).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Cursor {
    pub position: u64,
    pub looping: bool,
}

/// The sample and loop a voice reads. [`Layout::new`] makes it consistent;
/// the reader still checks, so an inconsistent one ends the read instead of
/// reading elsewhere.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Layout {
    pub frames: usize,
    pub loop_start: u32,
    /// Exclusive.
    pub loop_end: u32,
    /// Frames before `loop_end` over which the loop crossfades into the
    /// same stretch one loop earlier.
    pub crossfade: u32,
}

impl Layout {
    /// `crossfade` is shortened to fit inside the loop and after frame 0
    /// (it fades in from material before the loop start).
    pub(crate) fn new(frames: usize, loop_start: u32, loop_end: u32, crossfade: u32) -> Layout {
        let crossfade = crossfade.min(loop_end.saturating_sub(loop_start)).min(loop_start);
        Layout { frames, loop_start, loop_end, crossfade }
    }

    /// Whether a loop fits this layout; a cursor loops only if it does.
    pub(crate) fn loop_fits(&self) -> bool {
        self.loop_start < self.loop_end
            && self.loop_end as usize <= self.frames
            && self.crossfade <= self.loop_start.min(self.loop_end - self.loop_start)
    }
}

/// Interpolated frames of one channel (`src`, padded with the sample's
/// guard frames) from `cursor`, `step` apart, into `out`; the second channel
/// of a stereo sample into `out_r` the same way. Wraps at the loop end
/// while the cursor loops and stops at the sample end otherwise. Returns
/// how many frames were produced: fewer than `out.len()` means the voice
/// has ended (its sample ran out, or the layout did not fit the data).
#[allow(clippy::too_many_arguments)]
pub(crate) fn read<T: Frame>(
    cursor: &mut Cursor,
    layout: &Layout,
    mode: Interpolation,
    step: u64,
    src: &[T],
    src_r: Option<&[T]>,
    out: &mut [f32],
    mut out_r: Option<&mut [f32]>,
) -> usize {
    // Memory safety does not rest on these (runs check their windows, the
    // careful path indexes with checks); they keep the arithmetic below
    // meaningful: `end` below 2^63, and no division by a zero step.
    if layout.frames > MAX_FRAMES || step == 0 {
        return 0;
    }
    let looping = cursor.looping && layout.loop_fits();
    cursor.looping = looping;
    // Below 2^63: frames <= MAX_FRAMES = 2^31.
    let end = (layout.frames as u64) << 32;
    let (loop_start, loop_end) = (u64::from(layout.loop_start) << 32, u64::from(layout.loop_end) << 32);
    let loop_len = loop_end - loop_start;
    let fade_start = loop_end - (u64::from(layout.crossfade) << 32);
    // Below `limit` a position's whole window [i - 1, i + 2] lies before
    // the loop end (or inside the sample and its guard frames) and before
    // the crossfade: no wrap and no fade to consider.
    let limit = if looping { loop_end.saturating_sub(3 << 32).min(fade_start) } else { end };
    let n = out.len();
    let mut done = 0;
    while done < n {
        let want = n - done;
        let last = step.checked_mul(want as u64 - 1).and_then(|d| cursor.position.checked_add(d));
        let fast = match last {
            Some(last) if last < limit => want, // the usual case, without a division
            _ if cursor.position < limit => ((limit - cursor.position).div_ceil(step) as usize).min(want),
            _ => 0,
        };
        if fast > 0 {
            let range = done..done + fast;
            let after = match (mode, src_r, out_r.as_deref_mut()) {
                (Interpolation::Linear, None, _) => read_run::<false, T>(src, cursor.position, step, &mut out[range]),
                (Interpolation::Hermite, None, _) => read_run::<true, T>(src, cursor.position, step, &mut out[range]),
                (Interpolation::Linear, Some(sr), Some(or)) => read_run::<false, T>(sr, cursor.position, step, &mut or[range.clone()])
                    .and(read_run::<false, T>(src, cursor.position, step, &mut out[range])),
                (Interpolation::Hermite, Some(sr), Some(or)) => read_run::<true, T>(sr, cursor.position, step, &mut or[range.clone()])
                    .and(read_run::<true, T>(src, cursor.position, step, &mut out[range])),
                // A stereo sample needs both outputs (the batch gives them).
                (_, Some(_), None) => None,
            };
            // A refused run means the layout promised frames the data does
            // not have: end the voice rather than read past it.
            let Some(after) = after else { return done };
            cursor.position = after;
            done += fast;
            continue;
        }
        // One careful frame: wrap at the loop end, stop at the sample end,
        // take neighbours across the loop boundary.
        if looping && cursor.position >= loop_end {
            cursor.position = loop_start + (cursor.position - loop_end) % loop_len;
        } else if !looping && cursor.position >= end {
            return done;
        }
        let Some(left) = careful_frame(cursor.position, layout, looping, fade_start, mode, src) else { return done };
        out[done] = left;
        if let (Some(sr), Some(or)) = (src_r, out_r.as_deref_mut()) {
            let Some(right) = careful_frame(cursor.position, layout, looping, fade_start, mode, sr) else { return done };
            or[done] = right;
        }
        cursor.position = cursor.position.saturating_add(step);
        done += 1;
    }
    n
}

/// The window of frames `index - 1 ..= index + 2` (padded indices
/// `index ..= index + 3`), frames past the loop end taken one loop earlier
/// while looping. None if any is outside `src`.
#[inline]
fn window<T: Frame>(src: &[T], index: usize, layout: &Layout, looping: bool) -> Option<[f32; 4]> {
    let mut w = [0.0; 4];
    for (k, x) in w.iter_mut().enumerate() {
        let mut padded = index.checked_add(k)?; // padded index of frame index + k - 1
        if looping && padded > layout.loop_end as usize {
            padded -= (layout.loop_end - layout.loop_start) as usize;
        }
        *x = src.get(padded + GUARD_BEFORE - 1)?.to_f32();
    }
    Some(w)
}

/// One interpolated frame at `position` by the careful path, crossfading
/// into the same point one loop earlier past `fade_start`.
fn careful_frame<T: Frame>(
    position: u64,
    layout: &Layout,
    looping: bool,
    fade_start: u64,
    mode: Interpolation,
    src: &[T],
) -> Option<f32> {
    let index = usize::try_from(position >> 32).ok()?;
    let frac = fraction(position);
    let here = interpolate(mode, window(src, index, layout, looping)?, frac);
    if !looping || position < fade_start {
        return Some(here);
    }
    // Past the fade start `index >= loop_end - crossfade >= loop_end -
    // loop_start`, so `earlier` is a frame; checked all the same.
    let earlier = index.checked_sub((layout.loop_end - layout.loop_start) as usize)?;
    let there = interpolate(mode, window(src, earlier, layout, looping)?, frac);
    let loop_end = u64::from(layout.loop_end) << 32;
    let t = (position - fade_start) as f64 / (loop_end - fade_start) as f64;
    let angle = t as f32 * std::f32::consts::FRAC_PI_2;
    Some(here * angle.cos() + there * angle.sin())
}

/// The fractional part of a 32.32 position as f32 in [0, 1), from its top
/// 24 bits (all an f32 holds). Through a non-negative i32 because that
/// converts in one instruction on x86 and in wasm (unsigned 64-bit to f32
/// takes several).
#[inline(always)]
pub(crate) fn fraction(position: u64) -> f32 {
    ((position as u32) >> 8) as i32 as f32 * (1.0 / 16_777_216.0)
}

/// Interpolated reads from `position`, `step` apart, into `out`. Returns
/// the position after, or None, having read nothing, if a window would
/// leave `src` or a position would pass 2^64: so a caller's mistake ends a
/// voice instead of reading outside the sample.
#[inline(always)]
pub(crate) fn read_run<const HERMITE: bool, T: Frame>(src: &[T], position: u64, step: u64, out: &mut [f32]) -> Option<u64> {
    let count = out.len() as u64;
    // The position after the run, and the run's last position.
    let after = step.checked_mul(count).and_then(|d| position.checked_add(d))?;
    let last = after - if count > 0 { step } else { 0 };
    // The last window is the furthest: positions only grow. Its padded
    // start is `(last >> 32) + GUARD_BEFORE - 1`, compared in u64 so that
    // nothing is truncated on 32-bit targets.
    if (last >> 32) + (GUARD_BEFORE as u64) - 1 + 4 > src.len() as u64 {
        return None;
    }
    let mode = if HERMITE { Interpolation::Hermite } else { Interpolation::Linear };
    let mut p = position;
    for o in out.iter_mut() {
        // Fits usize: at most `last >> 32`, which is below `src.len()`.
        let at = (p >> 32) as usize + GUARD_BEFORE - 1;
        // SAFETY: `position <= p <= last` in this loop (p grows by `step`
        // `out.len()` times in all, without overflow: `after` was checked),
        // so `at + 4 <= (last >> 32) + GUARD_BEFORE - 1 + 4 <= src.len()`
        // (checked above): the four frames `at..at + 4` are inside `src`.
        let w = unsafe { src.get_unchecked(at..at + 4) };
        *o = interpolate(mode, [w[0].to_f32(), w[1].to_f32(), w[2].to_f32(), w[3].to_f32()], fraction(p));
        p += step;
    }
    Some(p)
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
