//! The reader against a plain reference: random sample lengths, loops,
//! crossfades, start positions and steps, both interpolations, i16 and f32,
//! mono and stereo. The fast runs must give exactly the reference's frames,
//! which reads every frame with checked indexing; so every unchecked read
//! in `read_run` is a read the reference makes inside the sample.

use super::*;
use crate::sample::{Sample, SampleData};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Frame `f` of channel `ch`, zero outside the sample (the guard frames).
fn value(sample: &Sample, ch: usize, f: i64) -> f32 {
    if f < 0 || f >= sample.frames() as i64 {
        0.0
    } else {
        sample.value(ch, f as usize)
    }
}

/// Reads every frame the plain way: what the reader is meant to do.
fn reference(cursor: &mut Cursor, layout: &Layout, mode: Interpolation, step: u64, sample: &Sample, ch: usize, n: usize) -> Vec<f32> {
    let looping = cursor.looping && layout.loop_fits();
    cursor.looping = looping;
    let (loop_start, loop_end) = (i64::from(layout.loop_start), i64::from(layout.loop_end));
    let fade_start = (u64::from(layout.loop_end) - u64::from(layout.crossfade)) << 32;
    let window = |index: i64| -> [f32; 4] {
        std::array::from_fn(|k| {
            let mut f = index + k as i64 - 1;
            if looping && f >= loop_end {
                f -= loop_end - loop_start;
            }
            value(sample, ch, f)
        })
    };
    let mut out = Vec::new();
    while out.len() < n {
        if looping && cursor.position >= (loop_end as u64) << 32 {
            cursor.position = ((loop_start as u64) << 32) + (cursor.position - ((loop_end as u64) << 32)) % (((loop_end - loop_start) as u64) << 32);
        } else if !looping && cursor.position >= (sample.frames() as u64) << 32 {
            break;
        }
        let index = (cursor.position >> 32) as i64;
        let frac = fraction(cursor.position);
        let mut y = interpolate(mode, window(index), frac);
        if looping && cursor.position >= fade_start {
            let there = interpolate(mode, window(index - (loop_end - loop_start)), frac);
            let t = (cursor.position - fade_start) as f64 / (((loop_end as u64) << 32) - fade_start) as f64;
            let angle = t as f32 * std::f32::consts::FRAC_PI_2;
            y = y * angle.cos() + there * angle.sin();
        }
        out.push(y);
        cursor.position += step;
    }
    out
}

fn random_sample(rng: &mut Rng) -> Sample {
    let frames = match rng.below(4) {
        0 => 1 + rng.below(6) as usize,
        1 => 1 + rng.below(64) as usize,
        _ => 1 + rng.below(3000) as usize,
    };
    let channels = 1 + rng.below(2) as usize;
    if rng.below(2) == 0 {
        let data = (0..channels).map(|_| (0..frames).map(|_| rng.next() as i16).collect()).collect();
        Sample::from_i16(data, 44_100.0).unwrap()
    } else {
        let data = (0..channels).map(|_| (0..frames).map(|_| rng.unit() as f32 * 2.0 - 1.0).collect()).collect();
        Sample::new(data, 44_100.0).unwrap()
    }
}

fn random_layout(rng: &mut Rng, frames: usize) -> (Layout, bool) {
    if rng.below(3) == 0 {
        return (Layout::new(frames, 0, 0, 0), false);
    }
    let end = 1 + rng.below(frames as u64) as u32;
    let start = rng.below(u64::from(end)) as u32;
    let crossfade = rng.below(u64::from(end - start) + 1) as u32;
    (Layout::new(frames, start, end, crossfade), true)
}

fn random_step(rng: &mut Rng) -> u64 {
    match rng.below(5) {
        0 => 1 << 32,
        1 => fixed_step(MAX_STEP),
        2 => fixed_step(MIN_STEP) + rng.below(1000),
        _ => fixed_step((2f64).powf(rng.unit() * 24.0 - 16.0)),
    }
}

/// Runs the reader and the reference side by side from the same state over
/// several reads of random lengths, releasing the loop at random.
fn compare<T: Frame>(rng: &mut Rng, sample: &Sample, channels: &[Box<[T]>]) -> usize {
    let (layout, looping) = random_layout(rng, sample.frames());
    let mode = if rng.below(2) == 0 { Interpolation::Linear } else { Interpolation::Hermite };
    let step = random_step(rng);
    let start = (rng.below(sample.frames() as u64 + 3) << 32) | rng.below(1 << 32);
    let mut cursor = Cursor { position: start, looping };
    let mut want = cursor;
    let mut frames = 0;
    for _ in 0..1 + rng.below(12) {
        if rng.below(8) == 0 {
            cursor.looping = false;
            want.looping = false;
        }
        let n = 1 + rng.below(32) as usize;
        let (mut left, mut right) = (vec![f32::NAN; n], vec![f32::NAN; n]);
        let stereo = channels.len() == 2;
        let produced = read(&mut cursor, &layout, mode, step, &channels[0], stereo.then(|| &channels[1][..]), &mut left, stereo.then_some(&mut right[..]));
        let before = want;
        let expect_left = reference(&mut want, &layout, mode, step, sample, 0, n);
        let case = format!("{layout:?} {mode:?} step {step} from {start}, {} channels", channels.len());
        assert_eq!(produced, expect_left.len(), "{case}");
        assert_eq!(left[..produced], expect_left[..], "{case}");
        assert!(left[produced..].iter().all(|x| x.is_nan()), "nothing written past the end");
        if stereo {
            let expect_right = reference(&mut before.clone(), &layout, mode, step, sample, 1, n);
            assert_eq!(right[..produced], expect_right[..], "right: {case}");
        }
        assert_eq!(cursor, want, "{case}");
        frames += produced;
        if produced < n {
            break;
        }
    }
    frames
}

#[test]
fn fast_runs_read_exactly_what_the_reference_reads() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut frames = 0;
    for _ in 0..20_000 {
        let sample = random_sample(&mut rng);
        frames += match sample.data() {
            SampleData::F32(c) => compare(&mut rng, &sample, c),
            SampleData::I16(c) => compare(&mut rng, &sample, c),
        };
    }
    assert!(frames > 500_000, "the trials read {frames} frames");
}

#[test]
fn a_run_past_the_data_is_refused_without_reading() {
    let src = [0.5f32; 10]; // 6 frames and the guards
    let mut out = [f32::NAN; 4];
    // A step of 3 reaches frame 9, whose window [8, 11] ends past the data.
    assert_eq!(read_run::<true, f32>(&src, 0, 3 << 32, &mut out), None);
    assert!(out.iter().all(|x| x.is_nan()), "nothing read");
    // A step of 2 reaches frame 6, whose window [5, 8] ends in the guard frames.
    assert_eq!(read_run::<true, f32>(&src, 0, 2 << 32, &mut out), Some(8 << 32));
    assert_eq!(read_run::<false, f32>(&src, 0, 1 << 32, &mut out), Some(4 << 32));
    assert_eq!(read_run::<false, f32>(&src, u64::MAX - 10, 1 << 32, &mut out), None, "no wrap past 2^64");
    assert_eq!(read_run::<false, f32>(&src, 1 << 62, 1 << 32, &mut out), None);
    assert_eq!(read_run::<false, f32>(&src, 0, 1 << 32, &mut []), Some(0));
}

#[test]
fn a_layout_that_does_not_fit_its_data_ends_the_read() {
    let sample = Sample::new(vec![vec![0.25; 8]], 44_100.0).unwrap();
    let SampleData::F32(c) = sample.data() else { unreachable!() };
    let mut out = [0.0; 32];
    let mut cursor = Cursor { position: 0, looping: false };
    // Claims more frames than the data has.
    assert_eq!(read(&mut cursor, &Layout::new(100, 0, 0, 0), Interpolation::Linear, 1 << 32, &c[0], None, &mut out, None), 0);
    // A loop past the sample end does not loop.
    let mut cursor = Cursor { position: 0, looping: true };
    assert_eq!(read(&mut cursor, &Layout::new(8, 2, 9, 0), Interpolation::Hermite, 1 << 32, &c[0], None, &mut out, None), 8);
    assert!(!cursor.looping);
    // Positions near 2^64 end the read instead of wrapping to the start.
    let mut cursor = Cursor { position: u64::MAX - 5, looping: true };
    let produced = read(&mut cursor, &Layout::new(8, 2, 6, 0), Interpolation::Linear, fixed_step(MAX_STEP), &c[0], None, &mut out, None);
    assert_eq!(produced, 32, "wrapped into the loop");
}

#[test]
fn steps_are_held_within_the_documented_range() {
    assert_eq!(fixed_step(1.0), 1 << 32);
    assert_eq!(fixed_step(2f64.powi(27)), fixed_step(MAX_STEP));
    assert_eq!(fixed_step(f64::INFINITY), 1 << 40);
    assert_eq!(fixed_step(f64::NAN), 1 << 16);
    assert_eq!(fixed_step(0.0), 1 << 16);
    assert_eq!(fixed_step(-3.0), 1 << 16);
}
