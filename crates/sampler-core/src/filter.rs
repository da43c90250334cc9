//! A resonant 2-pole (12 dB/octave) stereo filter for the voice path.
//!
//! The topology is the trapezoidal ("topology-preserving transform") state
//! variable filter with `tan()` prewarping, as published by Andrew Simper
//! (Cytomic technical papers) and Vadim Zavalishin ("The Art of VA Filter
//! Design"). Its state is the two integrator outputs, not past samples, so
//! jumping the coefficients at control rate does not inject energy the way it
//! does in a direct-form biquad: sweeping the cutoff every block stays stable.
//! Prewarping places the -3 dB point of the Butterworth setting exactly at the
//! requested cutoff at any sample rate.
//!
//! Per sample, with `g = tan(pi * fc / fs)` and `k = 1 / Q`:
//! ```text
//! a1 = 1 / (1 + g (g + k)),  a2 = g a1,  a3 = g a2
//! v3 = x - s2
//! v1 = a1 s1 + a2 v3            (band-pass)
//! v2 = s2 + a2 s1 + a3 v3       (low-pass)
//! s1 = 2 v1 - s1,  s2 = 2 v2 - s2
//! y  = m0 x + m1 v1 + m2 v2     (high-pass: x - k v1 - v2)
//! ```
//!
//! # Resonance
//! `resonance_db` (SFZ `resonance`, 0..=40 dB) is the exact peak gain of the
//! low- and high-pass responses. With `G = 10^(dB/20)`:
//! ```text
//! Q = sqrt((G^2 + G sqrt(G^2 - 1)) / 2),   k = 1 / Q
//! ```
//! This inverts the analog 2-pole peak magnitude `Q / sqrt(1 - 1/(4 Q^2))`
//! (valid for `Q >= 1/sqrt(2)`). The bilinear transform maps magnitudes
//! unchanged onto warped frequencies, so the digital peak is `G` as well.
//! 0 dB gives `Q = 1/sqrt(2)` (Butterworth, no peak), 12 dB gives Q ≈ 3.95 with
//! the peak at ≈ 0.984·fc, and 40 dB gives Q ≈ 100.
//!
//! The band-pass is normalised to 0 dB at the cutoff (`m1 = k`): resonance
//! narrows its bandwidth (fc / Q) instead of raising its level, so turning up
//! resonance on a band-pass patch cannot blow up the mix.

#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterKind {
    LowPass,
    HighPass,
    BandPass,
}

/// Lower cutoff limit in Hz.
const MIN_CUTOFF_HZ: f32 = 10.0;
/// Upper cutoff limit as a fraction of the sample rate; `tan` grows without
/// bound towards Nyquist, and 0.45 keeps `g` below ~6.3.
const MAX_CUTOFF_RATIO: f32 = 0.45;
const MAX_RESONANCE_DB: f32 = 40.0;
/// States below this are inaudible (-400 dB) and are flushed to zero before
/// they become denormals, which are very slow on x86.
const FLUSH_BELOW: f32 = 1e-20;

#[derive(Clone, Copy, Debug)]
pub struct Filter {
    kind: FilterKind,
    /// Last accepted resonance, cached so cutoff-only updates skip `powf`/`sqrt`.
    resonance_db: f32,
    /// The last `set` call's cutoff and sample rate, to skip repeats.
    cutoff_hz: f32,
    sample_rate: f32,
    g: f32,
    k: f32,
    a1: f32,
    a2: f32,
    a3: f32,
    m0: f32,
    m1: f32,
    m2: f32,
    /// Integrator states `[left, right]`.
    s1: [f32; 2],
    s2: [f32; 2],
}

impl Default for Filter {
    fn default() -> Filter {
        Filter::new()
    }
}

impl Filter {
    /// A Butterworth low-pass at a quarter of the sample rate (`g = 1`), which
    /// is valid at every sample rate and mostly transparent; call [`Filter::set`]
    /// before use. The constants are `a1 = a2 = a3 = 1 / (2 + sqrt(2))`.
    pub const fn new() -> Filter {
        const A: f32 = 0.292_893_22;
        Filter {
            kind: FilterKind::LowPass,
            resonance_db: 0.0,
            cutoff_hz: f32::NAN,
            sample_rate: f32::NAN,
            g: 1.0,
            k: std::f32::consts::SQRT_2,
            a1: A,
            a2: A,
            a3: A,
            m0: 0.0,
            m1: 0.0,
            m2: 1.0,
            s1: [0.0; 2],
            s2: [0.0; 2],
        }
    }

    /// Recomputes coefficients; cheap enough for control rate (one `tan`, plus
    /// `powf`/`sqrt` only when the resonance changes) and never allocates.
    ///
    /// `cutoff_hz` is clamped to `[10 Hz, 0.45 * sample_rate]` and
    /// `resonance_db` to `[0, 40]` (see the module docs for the Q mapping).
    /// Infinities clamp. A NaN cutoff or resonance, or a sample rate that is
    /// NaN, infinite or not positive, leaves the previous value in force, so a
    /// glitch in a modulation source cannot poison the filter state.
    pub fn set(&mut self, kind: FilterKind, cutoff_hz: f32, resonance_db: f32, sample_rate: f32) {
        // Voices call this every control period, mostly with unchanged
        // settings: skip the `tan` then. (NaN never compares equal, so it
        // still takes the path below that ignores it.)
        let same_resonance = resonance_db.clamp(0.0, MAX_RESONANCE_DB) == self.resonance_db;
        if kind == self.kind && cutoff_hz == self.cutoff_hz && sample_rate == self.sample_rate && same_resonance {
            return;
        }
        (self.cutoff_hz, self.sample_rate) = (cutoff_hz, sample_rate);
        if !resonance_db.is_nan() {
            let r = resonance_db.clamp(0.0, MAX_RESONANCE_DB);
            if r != self.resonance_db {
                self.resonance_db = r;
                self.k = 1.0 / q_for_peak_db(r);
            }
        }
        if !cutoff_hz.is_nan() && sample_rate.is_finite() && sample_rate > 0.0 {
            // Clamped as a ratio so extreme sample rates cannot overflow.
            let min_ratio = (MIN_CUTOFF_HZ / sample_rate).min(MAX_CUTOFF_RATIO);
            let ratio = (cutoff_hz / sample_rate).clamp(min_ratio, MAX_CUTOFF_RATIO);
            self.g = (std::f32::consts::PI * ratio).tan();
        }
        let (g, k) = (self.g, self.k);
        self.kind = kind;
        self.a1 = 1.0 / (1.0 + g * (g + k));
        self.a2 = g * self.a1;
        self.a3 = g * self.a2;
        (self.m0, self.m1, self.m2) = match kind {
            FilterKind::LowPass => (0.0, 0.0, 1.0),
            FilterKind::HighPass => (1.0, -k, -1.0),
            FilterKind::BandPass => (0.0, k, 0.0),
        };
    }

    pub fn reset(&mut self) {
        self.s1 = [0.0; 2];
        self.s2 = [0.0; 2];
    }

    #[inline]
    pub fn process(&mut self, left: f32, right: f32) -> (f32, f32) {
        (self.tick(0, left), self.tick(1, right))
    }

    /// `[a1, a2, a3, m0, m1, m2]`, for running this filter in a SIMD lane
    /// (`render.rs`), with the same operations as [`Filter::process`].
    pub(crate) fn coefficients(&self) -> [f32; 6] {
        [self.a1, self.a2, self.a3, self.m0, self.m1, self.m2]
    }

    /// The integrator states `(s1, s2)` of channel `ch` (0 left, 1 right).
    pub(crate) fn lane_state(&self, ch: usize) -> (f32, f32) {
        (self.s1[ch], self.s2[ch])
    }

    /// Stores channel `ch`'s states after a run of samples in a lane. They
    /// are flushed here, once per run, instead of per sample: that keeps the
    /// flush's compare off the per-sample dependency chain, and a run (a
    /// control period) is too short for a state to decay from audible into
    /// the denormal range.
    pub(crate) fn set_lane_state(&mut self, ch: usize, s1: f32, s2: f32) {
        self.s1[ch] = flush(s1);
        self.s2[ch] = flush(s2);
    }

    /// Processes a block in place. The slices should have the same length; if
    /// they do not, only the common prefix is processed (no panic on the audio
    /// thread).
    pub fn process_block(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            (*l, *r) = self.process(*l, *r);
        }
    }

    #[inline(always)]
    fn tick(&mut self, ch: usize, x: f32) -> f32 {
        let (s1, s2) = (self.s1[ch], self.s2[ch]);
        let v3 = x - s2;
        let v1 = self.a1 * s1 + self.a2 * v3;
        let v2 = s2 + self.a2 * s1 + self.a3 * v3;
        self.s1[ch] = flush(2.0 * v1 - s1);
        self.s2[ch] = flush(2.0 * v2 - s2);
        self.m0 * x + self.m1 * v1 + self.m2 * v2
    }

    #[cfg(test)]
    fn state(&self) -> [f32; 4] {
        [self.s1[0], self.s1[1], self.s2[0], self.s2[1]]
    }
}

/// Zeroes tiny states (denormal avoidance) and also non-finite ones, so a
/// single NaN or infinite input sample costs one bad output sample instead of
/// silencing the voice for good. NaN fails the range check.
#[inline(always)]
fn flush(s: f32) -> f32 {
    if (FLUSH_BELOW..=f32::MAX).contains(&s.abs()) {
        s
    } else {
        0.0
    }
}

/// The Q whose 2-pole low-pass peaks at `peak_db` (>= 0); see the module docs.
fn q_for_peak_db(peak_db: f32) -> f32 {
    let g = 10f32.powf(peak_db / 20.0).max(1.0);
    ((g * g + g * (g * g - 1.0).sqrt()) * 0.5).sqrt()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const FS: f32 = 48_000.0;

    /// Gain in dB of a sine at `freq` through `f` (state reset first): runs
    /// 0.5 s, discards the first half as settling, amplitude = RMS * sqrt(2).
    fn gain_db(f: &mut Filter, freq: f64, fs: f32) -> f64 {
        f.reset();
        let n = (fs * 0.5) as usize;
        let w = std::f64::consts::TAU * freq / fs as f64;
        let (mut sum_l, mut sum_r) = (0.0f64, 0.0f64);
        for i in 0..n {
            let x = (w * i as f64).sin() as f32;
            let (l, r) = f.process(x, x);
            if i >= n / 2 {
                sum_l += (l as f64).powi(2);
                sum_r += (r as f64).powi(2);
            }
        }
        assert_eq!(sum_l, sum_r, "channels must be identical");
        let amp = (sum_l / (n - n / 2) as f64).sqrt() * std::f64::consts::SQRT_2;
        20.0 * amp.log10()
    }

    fn filter(kind: FilterKind, cutoff: f32, res: f32, fs: f32) -> Filter {
        let mut f = Filter::new();
        f.set(kind, cutoff, res, fs);
        f
    }

    fn near(what: &str, got: f64, want: f64, tol: f64) {
        eprintln!("{what}: {got:+.3} dB (want {want:+.2} ±{tol})");
        assert!((got - want).abs() <= tol, "{what}: got {got:.3} dB, want {want:.3} ±{tol}");
    }

    /// Xorshift32 white noise in [-1, 1) (also used by `render_tests`).
    pub(crate) struct Noise(pub(crate) u32);
    impl Noise {
        pub(crate) fn next(&mut self) -> f32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 17;
            self.0 ^= self.0 << 5;
            (self.0 as f32 / u32::MAX as f32) * 2.0 - 1.0
        }
    }

    #[test]
    fn lowpass_butterworth_response() {
        let mut f = filter(FilterKind::LowPass, 1000.0, 0.0, FS);
        near("LP1k @100", gain_db(&mut f, 100.0, FS), 0.0, 0.1);
        near("LP1k @1k", gain_db(&mut f, 1000.0, FS), -3.0103, 0.2);
        near("LP1k @4k", gain_db(&mut f, 4000.0, FS), -24.0, 1.5);
        let gains: Vec<f64> = [500.0, 1000.0, 2000.0, 4000.0, 8000.0].iter().map(|&hz| gain_db(&mut f, hz, FS)).collect();
        eprintln!("LP1k @500,1k,2k,4k,8k: {gains:.2?}");
        assert!(gains.windows(2).all(|w| w[1] < w[0]), "not monotonic: {gains:?}");
    }

    #[test]
    fn highpass_butterworth_response() {
        let mut f = filter(FilterKind::HighPass, 1000.0, 0.0, FS);
        near("HP1k @10k", gain_db(&mut f, 10_000.0, FS), 0.0, 0.1);
        near("HP1k @1k", gain_db(&mut f, 1000.0, FS), -3.0103, 0.2);
        near("HP1k @250", gain_db(&mut f, 250.0, FS), -24.0, 1.5);
    }

    #[test]
    fn bandpass_peaks_at_cutoff() {
        for res in [0.0, 12.0] {
            let mut f = filter(FilterKind::BandPass, 1000.0, res, FS);
            let (lo, mid, hi) = (gain_db(&mut f, 500.0, FS), gain_db(&mut f, 1000.0, FS), gain_db(&mut f, 2000.0, FS));
            eprintln!("BP1k res {res}: 500 {lo:+.2}, 1k {mid:+.2}, 2k {hi:+.2} dB");
            assert!(mid > lo && mid > hi);
            // Documented normalisation: 0 dB at the centre whatever the resonance.
            near("BP1k @1k", mid, 0.0, 0.1);
        }
    }

    #[test]
    fn resonance_sets_peak_gain() {
        // The mapping makes the peak gain exactly the resonance in dB.
        for kind in [FilterKind::LowPass, FilterKind::HighPass] {
            let mut f = filter(kind, 1000.0, 12.0, FS);
            let (peak_hz, peak) = (800..=1200)
                .step_by(10)
                .map(|hz| (hz, gain_db(&mut f, hz as f64, FS)))
                .fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
            eprintln!("{kind:?} 1k res 12 dB: peak at {peak_hz} Hz");
            near("resonant peak", peak, 12.0, 1.5);
        }
        let q = q_for_peak_db(12.0) as f64;
        eprintln!("Q(12 dB) = {q:.4}, Q(0) = {:.5}, Q(40) = {:.2}", q_for_peak_db(0.0), q_for_peak_db(40.0));
        assert!((q_for_peak_db(0.0) - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
    }

    #[test]
    fn cutoff_accurate_at_common_sample_rates() {
        for fs in [44_100.0, 48_000.0, 96_000.0] {
            let mut f = filter(FilterKind::LowPass, 5000.0, 0.0, fs);
            near(&format!("LP5k @5k, fs {fs}"), gain_db(&mut f, 5000.0, fs), -3.0103, 0.2);
            // Bisect for the measured -3.01 dB frequency.
            let (mut lo, mut hi) = (4000.0, 6000.0);
            for _ in 0..20 {
                let mid = 0.5 * (lo + hi);
                if gain_db(&mut f, mid, fs) > -3.0103 {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let err = (lo / 5000.0 - 1.0) * 100.0;
            eprintln!("fs {fs}: -3 dB point at {lo:.2} Hz ({err:+.4} %)");
            assert!(err.abs() < 1.0);
        }
    }

    #[test]
    fn stable_under_fast_modulation() {
        for kind in [FilterKind::LowPass, FilterKind::HighPass, FilterKind::BandPass] {
            let mut f = Filter::new();
            let mut noise = Noise(0x1234_5678);
            let mut max = 0.0f32;
            // Phase 0: exponential triangle sweep 20 Hz..20 kHz..20 Hz, one
            // step per 32 frames, 1 s each way. Phase 1: hard jumps between
            // 20 Hz and 20 kHz every 32 frames. 10 s each.
            for phase in 0..2 {
                for block in 0..(10 * 48_000 / 32) {
                    let cutoff = if phase == 0 {
                        let t = (block % 3000) as f32 / 1500.0;
                        let tri = if t < 1.0 { t } else { 2.0 - t };
                        20.0 * 1000f32.powf(tri)
                    } else if block % 2 == 0 {
                        20.0
                    } else {
                        20_000.0
                    };
                    f.set(kind, cutoff, 40.0, FS);
                    for _ in 0..32 {
                        let (l, r) = f.process(noise.next(), noise.next());
                        assert!(l.is_finite() && r.is_finite() && l.abs() < 1e3 && r.abs() < 1e3, "{kind:?}: {l} {r}");
                        max = max.max(l.abs()).max(r.abs());
                    }
                }
            }
            eprintln!("{kind:?} modulated at 40 dB resonance: max |y| = {max:.2}");
        }
    }

    #[test]
    fn state_flushes_to_exact_zero() {
        let mut f = filter(FilterKind::LowPass, 1000.0, 12.0, FS);
        let mut noise = Noise(42);
        for _ in 0..48_000 {
            f.process(noise.next(), noise.next());
        }
        assert!(f.state().iter().any(|&s| s != 0.0));
        let mut zero_at = None;
        for i in 0..480_000 {
            let (l, r) = f.process(0.0, 0.0);
            if l == 0.0 && r == 0.0 && f.state() == [0.0; 4] {
                zero_at.get_or_insert(i);
            } else {
                assert!(zero_at.is_none(), "state came back after flushing");
            }
        }
        eprintln!("state exactly zero after {zero_at:?} frames of silence");
        assert_eq!(f.state(), [0.0; 4]);
        assert!(zero_at.is_some_and(|i| i < 240_000));
    }

    #[test]
    fn non_finite_parameters_never_give_nan() {
        let bad = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -1.0, f32::MAX, f32::MIN_POSITIVE, 1e-45];
        for kind in [FilterKind::LowPass, FilterKind::HighPass, FilterKind::BandPass] {
            for &cutoff in bad.iter().chain(&[1000.0]) {
                for &res in bad.iter().chain(&[6.0]) {
                    for &fs in bad.iter().chain(&[FS]) {
                        // From a fresh filter and from a configured one.
                        for mut f in [Filter::new(), filter(kind, 500.0, 3.0, FS)] {
                            f.set(kind, cutoff, res, fs);
                            for i in 0..64 {
                                let x = (i as f32 * 0.3).sin();
                                let (l, r) = f.process(x, -x);
                                assert!(l.is_finite() && r.is_finite(), "{kind:?} {cutoff} {res} {fs}: {l} {r}");
                            }
                        }
                    }
                }
            }
        }
        // NaN parameters are ignored rather than applied.
        let mut f = filter(FilterKind::LowPass, 1000.0, 0.0, FS);
        f.set(FilterKind::LowPass, f32::NAN, f32::NAN, f32::NAN);
        near("LP1k after NaN set @1k", gain_db(&mut f, 1000.0, FS), -3.0103, 0.2);
        // A non-finite input sample costs one output sample, not the voice.
        f.process(f32::NAN, f32::INFINITY);
        assert_eq!(f.state(), [0.0; 4]);
        assert!(f.process(0.5, 0.5).0.is_finite());
    }

    #[test]
    fn block_matches_per_frame() {
        let mut noise = Noise(7);
        let input: Vec<(f32, f32)> = (0..1000).map(|_| (noise.next(), noise.next())).collect();
        for kind in [FilterKind::LowPass, FilterKind::HighPass, FilterKind::BandPass] {
            let (mut a, mut b) = (filter(kind, 700.0, 18.0, FS), filter(kind, 700.0, 18.0, FS));
            let mut left: Vec<f32> = input.iter().map(|p| p.0).collect();
            let mut right: Vec<f32> = input.iter().map(|p| p.1).collect();
            for (chunk, (l, r)) in left.chunks_mut(37).zip(right.chunks_mut(37)).enumerate() {
                a.set(kind, 300.0 + chunk as f32 * 200.0, 18.0, FS);
                b.set(kind, 300.0 + chunk as f32 * 200.0, 18.0, FS);
                let start = chunk * 37;
                b.process_block(l, r);
                for (i, (&yl, &yr)) in l.iter().zip(r.iter()).enumerate() {
                    let (xl, xr) = input[start + i];
                    let (el, er) = a.process(xl, xr);
                    assert_eq!((el.to_bits(), er.to_bits()), (yl.to_bits(), yr.to_bits()));
                }
            }
            assert_eq!(a.state().map(f32::to_bits), b.state().map(f32::to_bits));
        }
    }
}
