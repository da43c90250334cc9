//! Period-major rendering: every voice's control period, then the filters
//! and the mix of several voices at once, side by side in SIMD lanes.
//!
//! A voice's filter is a recursion: each sample needs the previous one's
//! state, so one voice's filter runs at the latency of a chain of about
//! five dependent operations per sample, whatever the machine's width.
//! Independent voices have independent chains: putting them in the lanes of
//! a vector (four a vector, two vectors interleaved) does eight voices'
//! steps for the latency of one. The mix rides along in the same loop.
//!
//! Each voice still updates its modulation, envelope and sample read on its
//! own (that work branches per voice: loops, stages, stereo) and hands the
//! period's samples and gains to a [`Batch`], one lane per sample channel.
//! Voices whose region has no filter go to a second batch that skips the
//! filter. Lanes add into per-lane accumulators; the lanes are summed into
//! the output once per period.

use crate::filter::Filter;
use crate::simd::F32x4;
use crate::voice::{RenderContext, Voice, CONTROL_FRAMES};

/// Vectors of four lanes in a batch: two, so two independent filter chains
/// interleave and hide each other's latency. (Measured on x86_64, one and
/// four did about as well as two: the out-of-order core also overlaps a
/// batch with the voices' own work around it.)
const GROUPS: usize = 2;
pub(crate) const LANES: usize = 4 * GROUPS;

/// One value per lane.
type Row = [[f32; 4]; GROUPS];
const ZERO_ROW: Row = [[0.0; 4]; GROUPS];

/// How a voice's lanes mix for one period (the lanes' samples and envelope
/// are already in place, see [`Batch::buffers`]).
pub(crate) struct LaneParams<'a> {
    pub stereo: bool,
    /// The voice sounds in rows `start..start + produced` of the period;
    /// before, it is in its delay stage, after, its sample has ended.
    pub start: usize,
    pub produced: usize,
    /// Gain to each output side at row `start - 1`, and its step per row.
    pub gain_left: (f32, f32),
    pub gain_right: (f32, f32),
    /// The voice's filter with this period's coefficients, if it has one.
    pub filter: Option<&'a Filter>,
}

/// A period of one lane: `CONTROL_FRAMES` values, in fours for loading.
type Column = [[f32; 4]; CONTROL_FRAMES / 4];

/// Up to [`LANES`] sample channels of voices for one control period. Each
/// lane's samples are contiguous (the voice writes them as it reads); the
/// flush transposes four rows at a time into vectors across lanes.
pub(crate) struct Batch {
    filtered: bool,
    used: usize,
    /// Input samples of each lane.
    x: [Column; LANES],
    envelope: [Column; LANES],
    /// Gain ramps: at row `r` the gain is `base + step * (r + 1 - start)`,
    /// the same expression the voice used when it mixed by itself.
    base_left: Row,
    step_left: Row,
    base_right: Row,
    step_right: Row,
    start: Row,
    /// Filter coefficients `[a1, a2, a3, m0, m1, m2]` and integrator states.
    coefficients: [Row; 6],
    s1: Row,
    s2: Row,
    /// Which voice (index in the pool) and sample channel each lane carries.
    owner: [(u32, usize); LANES],
}

/// Per-lane sums of every flushed batch, for one period.
pub(crate) struct Accumulator {
    left: [Row; CONTROL_FRAMES],
    right: [Row; CONTROL_FRAMES],
}

impl Accumulator {
    pub(crate) const fn new() -> Accumulator {
        Accumulator { left: [ZERO_ROW; CONTROL_FRAMES], right: [ZERO_ROW; CONTROL_FRAMES] }
    }

    /// Adds the lanes' sums into `left`/`right` (at most a period long) and
    /// clears those rows for the next period.
    pub(crate) fn drain_into(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (rows, out) in [(&mut self.left, left), (&mut self.right, right)] {
            for (row, o) in rows.iter_mut().zip(out.iter_mut()) {
                *o += row.iter().flatten().sum::<f32>();
                *row = ZERO_ROW;
            }
        }
    }
}

#[inline(always)]
fn lane(row: &mut Row, j: usize) -> &mut f32 {
    &mut row[j / 4][j % 4]
}

impl Batch {
    pub(crate) const fn new(filtered: bool) -> Batch {
        Batch {
            filtered,
            used: 0,
            x: [[[0.0; 4]; CONTROL_FRAMES / 4]; LANES],
            envelope: [[[0.0; 4]; CONTROL_FRAMES / 4]; LANES],
            base_left: ZERO_ROW,
            step_left: ZERO_ROW,
            base_right: ZERO_ROW,
            step_right: ZERO_ROW,
            start: ZERO_ROW,
            coefficients: [ZERO_ROW; 6],
            s1: ZERO_ROW,
            s2: ZERO_ROW,
            owner: [(0, 0); LANES],
        }
    }

    pub(crate) fn free_lanes(&self) -> usize {
        LANES - self.used
    }

    /// Takes one lane (two for a stereo sample; the caller made room) for
    /// the voice at `voice` in the pool and returns the first.
    pub(crate) fn claim(&mut self, voice: u32, stereo: bool) -> usize {
        let j = self.used;
        self.owner[j] = (voice, 0);
        if stereo {
            self.owner[j + 1] = (voice, 1);
        }
        self.used += 1 + usize::from(stereo);
        j
    }

    /// The sample buffers of lane `j` (and of `j + 1`, the right channel,
    /// for a stereo sample) and the envelope buffer of lane `j`.
    pub(crate) fn buffers(&mut self, j: usize, stereo: bool) -> (&mut [f32], Option<&mut [f32]>, &mut [f32]) {
        let (left, rest) = self.x[j..].split_first_mut().expect("claimed lane");
        let right = rest.first_mut().filter(|_| stereo).map(|r| r.as_flattened_mut());
        (left.as_flattened_mut(), right, self.envelope[j].as_flattened_mut())
    }

    /// Completes lanes claimed at `j` once their buffers hold rows
    /// `start..start + produced`: silences the other rows of the period's
    /// `frames` and takes the gains and filter.
    pub(crate) fn finish(&mut self, j: usize, p: &LaneParams, frames: usize) {
        let end = p.start + p.produced;
        let lanes = 1 + usize::from(p.stereo);
        for column in self.x[j..j + lanes].iter_mut().chain([&mut self.envelope[j]]) {
            let column = column.as_flattened_mut();
            column[..p.start].fill(0.0);
            column[end..frames].fill(0.0);
        }
        if p.stereo {
            self.envelope[j + 1] = self.envelope[j];
        }
        for (ch, lane_j) in (j..j + lanes).enumerate() {
            // A mono channel goes to both sides; a stereo pair's left lane
            // only to the left, its right lane only to the right.
            let (to_left, to_right) = (!p.stereo || ch == 0, !p.stereo || ch == 1);
            let (bl, sl) = if to_left { p.gain_left } else { (0.0, 0.0) };
            let (br, sr) = if to_right { p.gain_right } else { (0.0, 0.0) };
            for (row, v) in [(&mut self.base_left, bl), (&mut self.step_left, sl), (&mut self.base_right, br), (&mut self.step_right, sr)] {
                *lane(row, lane_j) = v;
            }
            *lane(&mut self.start, lane_j) = p.start as f32;
            if let Some(f) = p.filter {
                for (row, c) in self.coefficients.iter_mut().zip(f.coefficients()) {
                    *lane(row, lane_j) = c;
                }
                let (s1, s2) = f.lane_state(ch);
                (*lane(&mut self.s1, lane_j), *lane(&mut self.s2, lane_j)) = (s1, s2);
            }
        }
    }

    /// Filters (if this is the filtered batch) and mixes the lanes in use
    /// into `acc`, writes the filter states back to their voices, and
    /// empties the batch.
    pub(crate) fn flush<V: F32x4>(&mut self, voices: &mut [Voice], acc: &mut Accumulator, frames: usize) {
        if self.used == 0 {
            return;
        }
        // Lanes left over from an earlier flush keep finite values; zero
        // gains make them add nothing, and zero states keep them bounded.
        for j in self.used..LANES {
            for row in [&mut self.base_left, &mut self.step_left, &mut self.base_right, &mut self.step_right, &mut self.s1, &mut self.s2] {
                *lane(row, j) = 0.0;
            }
        }
        if self.filtered {
            self.run::<V, true>(acc, frames);
            for j in 0..self.used {
                let (voice, ch) = self.owner[j];
                voices[voice as usize].filter.set_lane_state(ch, *lane(&mut self.s1, j), *lane(&mut self.s2, j));
            }
        } else {
            self.run::<V, false>(acc, frames);
        }
        self.used = 0;
    }

    /// Every vector of lanes through the period, the vectors interleaved
    /// row by row: the filter step (see `filter.rs` for the equations,
    /// computed in the same order as `Filter::process`), then the gain ramp
    /// and the accumulation.
    #[inline(always)]
    fn run<V: F32x4, const FILTER: bool>(&mut self, acc: &mut Accumulator, frames: usize) {
        let per_group = |row: &Row| -> [V; GROUPS] { std::array::from_fn(|g| V::load(&row[g])) };
        let [a1, a2, a3, m0, m1, m2] = self.coefficients.each_ref().map(per_group);
        let (mut s1, mut s2) = (per_group(&self.s1), per_group(&self.s2));
        let (bl, sl, br, sr) = (per_group(&self.base_left), per_group(&self.step_left), per_group(&self.base_right), per_group(&self.step_right));
        let start = per_group(&self.start);
        let two = V::splat(2.0);
        for q in 0..frames.div_ceil(4) {
            // Four rows of every lane, turned into vectors across lanes.
            let across = |columns: &[Column; LANES], g: usize| V::transpose(std::array::from_fn(|i| V::load(&columns[4 * g + i][q])));
            let x: [[V; 4]; GROUPS] = std::array::from_fn(|g| across(&self.x, g));
            let env: [[V; 4]; GROUPS] = std::array::from_fn(|g| across(&self.envelope, g));
            for k in 0..(frames - 4 * q).min(4) {
                let r = 4 * q + k;
                let ramp_row = V::splat((r + 1) as f32);
                for g in 0..GROUPS {
                    let x = x[g][k];
                    let y = if FILTER {
                        let v3 = x - s2[g];
                        let v1 = a1[g] * s1[g] + a2[g] * v3;
                        let v2 = s2[g] + a2[g] * s1[g] + a3[g] * v3;
                        s1[g] = two * v1 - s1[g];
                        s2[g] = two * v2 - s2[g];
                        m0[g] * x + m1[g] * v1 + m2[g] * v2
                    } else {
                        x
                    };
                    let ramp = ramp_row - start[g];
                    let (al, ar) = (env[g][k] * (bl[g] + sl[g] * ramp), env[g][k] * (br[g] + sr[g] * ramp));
                    (V::load(&acc.left[r][g]) + y * al).store(&mut acc.left[r][g]);
                    (V::load(&acc.right[r][g]) + y * ar).store(&mut acc.right[r][g]);
                }
            }
        }
        for g in 0..GROUPS {
            s1[g].store(&mut self.s1[g]);
            s2[g].store(&mut self.s2[g]);
        }
    }
}

/// Renders every active voice into `left`/`right` (added to what is there),
/// period by period. `context` gives a voice's instrument data and
/// channels, or `None` if its instrument is gone (the voice is then cut).
/// Returns how many voices were cut because what they would mix was not
/// finite.
pub(crate) fn render_voices<'a, V: F32x4>(
    voices: &mut [Voice],
    context: impl Fn(&Voice) -> Option<RenderContext<'a>>,
    left: &mut [f32],
    right: &mut [f32],
) -> u32 {
    let mut batches = [Batch::new(true), Batch::new(false)];
    let mut acc = Accumulator::new();
    let mut done = 0;
    let mut cut = 0;
    while done < left.len() {
        let frames = CONTROL_FRAMES.min(left.len() - done);
        for i in 0..voices.len() {
            if !voices[i].is_active() {
                continue;
            }
            let Some(ctx) = context(&voices[i]) else {
                voices[i].kill();
                continue;
            };
            let batch = &mut batches[usize::from(ctx.region.filter.is_none())];
            let lanes = if ctx.sample.is_stereo() { 2 } else { 1 };
            if batch.free_lanes() < lanes {
                batch.flush::<V>(voices, &mut acc, frames);
            }
            if !voices[i].render_period(&ctx, frames, i as u32, batch) {
                cut += 1;
            }
        }
        for batch in &mut batches {
            batch.flush::<V>(voices, &mut acc, frames);
        }
        acc.drain_into(&mut left[done..done + frames], &mut right[done..done + frames]);
        done += frames;
    }
    cut
}
