//! The SIMD render path checked against the portable (scalar) one, and the
//! lane filter against the per-sample filter.

use crate::filter::tests::Noise;
use crate::filter::{Filter, FilterKind};
use crate::midi::MidiMessage;
use crate::region::{EnvelopeParams, FilterParams, LfoParams};
use crate::render::{Accumulator, Batch, LaneParams, LANES};
use crate::simd::{F32x4, Native, Portable};
use crate::voice::Voice;
use crate::{Engine, Instrument, Interpolation, LoopMode, Region, Sample};

fn filter_params(kind: FilterKind, cutoff_hz: f32, resonance_db: f32) -> FilterParams {
    FilterParams {
        kind,
        cutoff_hz,
        resonance_db,
        keytrack_cents: 50.0,
        keycenter: 60,
        veltrack_cents: 600.0,
        envelope: EnvelopeParams { attack: 0.02, decay: 0.1, sustain: 0.4, ..EnvelopeParams::amplitude() },
        envelope_depth_cents: 1800.0,
    }
}

/// Every kind of lane: mono and stereo, f32 and i16, filtered (three kinds,
/// with envelope and LFO) and not, loops with a crossfade, a delay stage, a
/// one-shot that ends mid-period, an offset.
fn instrument() -> Instrument {
    let rate = 44_100.0;
    let mut noise = Noise(99);
    let sine: Vec<f32> = (0..20_000).map(|i| (std::f32::consts::TAU * 440.0 * i as f32 / rate).sin()).collect();
    let stereo: Vec<Vec<i16>> = (0..2).map(|_| (0..9_001).map(|_| (noise.next() * 16_000.0) as i16).collect()).collect();
    let mono16: Vec<i16> = (0..3_000).map(|i| ((i as f32 * 0.05).sin() * 20_000.0) as i16).collect();
    let samples = vec![
        Sample::new(vec![sine], rate).unwrap(),
        Sample::from_i16(stereo, 48_000.0).unwrap(),
        Sample::from_i16(vec![mono16], 22_050.0).unwrap(),
    ];
    let mut lp = Region::new(0, 69);
    (lp.key_lo, lp.key_hi) = (0, 40);
    lp.loop_mode = LoopMode::Continuous;
    (lp.loop_start, lp.loop_end, lp.loop_crossfade) = (5_000, 15_000, 0.01);
    lp.filter = Some(filter_params(FilterKind::LowPass, 800.0, 12.0));
    lp.lfo = LfoParams { frequency_hz: 6.0, delay: 0.01, fade: 0.05, to_pitch_cents: 20.0, to_cutoff_cents: 900.0, to_volume_db: 3.0 };
    let mut hp = Region::new(1, 60);
    (hp.key_lo, hp.key_hi) = (41, 60);
    hp.loop_mode = LoopMode::Sustain;
    (hp.loop_start, hp.loop_end) = (100, 8_000);
    hp.filter = Some(filter_params(FilterKind::HighPass, 2_000.0, 6.0));
    hp.pan = -0.4;
    let mut bp = Region::new(0, 72);
    (bp.key_lo, bp.key_hi) = (61, 80);
    bp.delay = 0.0123;
    bp.filter = Some(filter_params(FilterKind::BandPass, 1_500.0, 20.0));
    let mut plain_stereo = Region::new(1, 84);
    (plain_stereo.key_lo, plain_stereo.key_hi) = (81, 100);
    plain_stereo.offset = 37;
    plain_stereo.pan = 0.7;
    let mut one_shot = Region::new(2, 110);
    (one_shot.key_lo, one_shot.key_hi) = (101, 127);
    one_shot.loop_mode = LoopMode::OneShot;
    Instrument::new(samples, vec![lp, hp, bp, plain_stereo, one_shot]).unwrap()
}

/// Plays a scene and returns the output: notes across every region, bends,
/// mod wheel, releases, in blocks of uneven sizes.
fn render_scene<V: F32x4>(interpolation: Interpolation) -> Vec<f32> {
    let mut engine = Engine::new(48_000.0, 64);
    engine.set_instrument(instrument());
    engine.set_interpolation(interpolation);
    engine.set_output_clip(false); // compare and check the plain sum
    let mut out = Vec::new();
    let blocks = [128usize, 37, 5, 64, 1, 96, 31, 33];
    for (step, &frames) in blocks.iter().cycle().take(300).enumerate() {
        let note = (step * 37 % 110 + 15) as u8;
        let channel = (step % 3) as u8;
        let message = match step % 7 {
            0 | 3 | 5 => MidiMessage::NoteOn { channel, note, velocity: (step * 13 % 120 + 7) as u8 },
            1 => MidiMessage::PitchBend { channel, value: ((step * 1_000) % 16_000) as i16 - 8_000 },
            2 => MidiMessage::ControlChange { channel, controller: 1, value: (step % 128) as u8 },
            4 => MidiMessage::ControlChange { channel, controller: 10, value: (step * 5 % 128) as u8 },
            _ => MidiMessage::NoteOff { channel, note: (note + 40) % 110 + 15, velocity: 64 },
        };
        engine.handle(message);
        let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
        engine.render_with::<V>(&mut l, &mut r);
        out.extend(l.iter().zip(&r).flat_map(|(a, b)| [*a, *b]));
    }
    out
}

#[test]
fn simd_render_matches_the_portable_render() {
    for interpolation in [Interpolation::Linear, Interpolation::Hermite] {
        let simd = render_scene::<Native>(interpolation);
        let portable = render_scene::<Portable>(interpolation);
        let energy = portable.iter().map(|x| x * x).sum::<f32>() / portable.len() as f32;
        let worst = simd.iter().zip(&portable).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        eprintln!("{interpolation:?}: {} samples, RMS {:.3}, largest difference {worst:e}", simd.len(), energy.sqrt());
        assert!(energy > 1e-3, "the scene should be audible");
        assert!(simd.iter().all(|x| x.is_finite()));
        // Both do the same IEEE operations in the same order.
        assert!(worst <= 1e-6, "SIMD and portable renders differ by {worst}");
    }
}

/// Runs `LANES` lanes of noise, each with its own filter, through one batch
/// in periods of `frames`; returns the mixed output (every lane to the
/// left side at unity gain) and the filters afterwards.
fn batch_filter<V: F32x4>(filters: &[Filter], input: &[Vec<f32>], frames: usize) -> (Vec<f32>, Vec<Filter>) {
    let mut voices = vec![Voice::idle(); LANES];
    for (v, f) in voices.iter_mut().zip(filters) {
        v.filter = *f;
    }
    let mut out = Vec::new();
    let mut batch = Batch::new(true);
    let mut acc = Accumulator::new();
    for start in (0..input[0].len()).step_by(frames) {
        for (lane, v) in voices.iter().enumerate() {
            let j = batch.claim(lane as u32, false);
            let (x, _, env) = batch.buffers(j, false);
            x[..frames].copy_from_slice(&input[lane][start..start + frames]);
            env[..frames].fill(1.0);
            let params = LaneParams { stereo: false, start: 0, produced: frames, gain_left: (1.0, 0.0), gain_right: (0.0, 0.0), filter: Some(&v.filter) };
            batch.finish(j, &params, frames);
        }
        batch.flush::<V>(&mut voices, &mut acc, frames);
        let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
        acc.drain_into(&mut l, &mut r);
        assert!(r.iter().all(|&x| x == 0.0));
        out.extend(l);
    }
    (out, voices.iter().map(|v| v.filter).collect())
}

#[test]
fn lane_filter_matches_the_per_sample_filter() {
    let mut noise = Noise(5);
    let input: Vec<Vec<f32>> = (0..LANES).map(|_| (0..32 * 40).map(|_| noise.next()).collect()).collect();
    let kinds = [FilterKind::LowPass, FilterKind::HighPass, FilterKind::BandPass];
    let filters: Vec<Filter> = (0..LANES)
        .map(|lane| {
            let mut f = Filter::new();
            f.set(kinds[lane % 3], 200.0 + 900.0 * lane as f32, 3.0 * lane as f32, 48_000.0);
            f
        })
        .collect();
    // Per sample, lane by lane; summed in lane order as the batch does.
    let mut reference = filters.clone();
    let per_lane: Vec<Vec<f32>> = (0..LANES).map(|lane| input[lane].iter().map(|&x| reference[lane].process(x, 0.0).0).collect()).collect();
    let want: Vec<f32> = (0..input[0].len()).map(|i| per_lane.iter().map(|y| y[i]).sum()).collect();
    for frames in [32, 8] {
        for (name, (out, after)) in [("native", batch_filter::<Native>(&filters, &input, frames)), ("portable", batch_filter::<Portable>(&filters, &input, frames))] {
            assert_eq!(out, want, "{name}, periods of {frames}");
            for lane in 0..LANES {
                assert_eq!(after[lane].lane_state(0), reference[lane].lane_state(0), "{name} lane {lane} state");
            }
        }
    }
}
