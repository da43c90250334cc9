//! The engine and host measured through their audio output.

mod common;
use common::*;
mod unclipped;
use unclipped::unclipped_rig;
use midi_ring::layout::FLAG_IMMEDIATE;
use midi_ring::MidiEvent;

#[test]
fn notes_start_at_their_exact_frame() {
    for target in [0u64, 1, 127, 128, 129, 1000, 1129, 5000] {
        let mut rig = unclipped_rig(48_000.0, 64, single(dc(48_000.0, 1.0), 60));
        rig.send(target, 0x90, 60, 100);
        let out = rig.render(8192);
        assert_eq!(onset(&out), Some(target as usize), "note scheduled at frame {target}");
    }
}

#[test]
fn onsets_are_exact_for_any_block_size() {
    for block in [1usize, 7, 64, 128, 500] {
        let mut rig = unclipped_rig(44_100.0, 64, single(dc(44_100.0, 1.0), 60));
        rig.send(1129, 0x90, 60, 100);
        let out = rig.render_blocks(4096, block);
        assert_eq!(onset(&out), Some(1129), "block size {block}");
    }
}

#[test]
fn note_off_at_its_frame_starts_the_release() {
    let mut rig = unclipped_rig(48_000.0, 64, single(dc(48_000.0, 2.0), 60));
    rig.send(100, 0x90, 60, 127);
    rig.send(3000, 0x80, 60, 0);
    let out = rig.render(48_000);
    // Flat sustain up to the note-off frame, falling from the frame after.
    assert_eq!(out[2999], out[1000]);
    assert!(out[3000] < out[2999]);
    assert!(out[3001] < out[3000]);
    // Released: silent from the last frame of the 0.35 s (16800-frame) release.
    assert!(out[3000 + 16_798] > 0.0);
    assert_eq!(peak(&out[3000 + 16_799..]), 0.0);
}

#[test]
fn pitch_follows_the_key_at_every_output_rate() {
    // A 440 Hz sine recorded at 44.1 kHz, root A4; played at several keys
    // and output rates, including sample rate conversion.
    for output_rate in [44_100.0f32, 48_000.0, 96_000.0] {
        for (note, expected) in [(69u8, 440.0f64), (81, 880.0), (70, 466.1638), (57, 220.0), (60, 261.6256)] {
            let mut rig = unclipped_rig(output_rate, 64, single(sine(440.0, 44_100.0, 2.0), 69));
            rig.send(0, 0x90, note, 100);
            let out = rig.render(output_rate as usize / 2);
            let measured = frequency(&out[1000..], output_rate);
            let error = cents(measured, expected);
            assert!(error.abs() < 0.5, "note {note} at {output_rate} Hz: {measured:.3} Hz, {error:.3} cents");
        }
    }
}

#[test]
fn velocity_sets_level() {
    let level = |velocity: u8| {
        let mut rig = unclipped_rig(48_000.0, 64, single(dc(48_000.0, 1.0), 60));
        rig.send(0, 0x90, 60, velocity);
        let out = rig.render(4800);
        out[4000]
    };
    let (loud, soft) = (level(127), level(64));
    let expected = (64.0f32 / 127.0).powi(2);
    assert!((soft / loud - expected).abs() < 1e-4, "soft/loud = {}", soft / loud);
}

#[test]
fn sustain_pedal_holds_released_notes_until_lifted() {
    let mut rig = unclipped_rig(48_000.0, 64, single(dc(48_000.0, 3.0), 60));
    rig.send(0, 0xB0, 64, 127); // pedal down
    rig.send(0, 0x90, 60, 100);
    rig.send(1000, 0x80, 60, 0); // key up: pedal holds it
    rig.send(20_000, 0xB0, 64, 0); // pedal up: release starts
    let out = rig.render(60_000);
    assert_eq!(out[19_999], out[2000], "held flat by the pedal");
    assert!(out[20_100] < out[19_999]);
    assert_eq!(peak(&out[20_000 + 16_799..]), 0.0);
}

#[test]
fn stealing_fades_instead_of_clicking() {
    // Constant (DC) samples at 0.2: each voice contributes a flat 0.2 ×
    // UNITY, so the output only moves during attacks (1/48 of that per
    // frame) and fades (1/240). A voice cut dead would jump by all of it.
    // Four voices stay under the clip guard's knee.
    let quiet = sampler_core::Sample::new(vec![vec![0.2; 96_000]], 48_000.0).unwrap();
    let mut rig = unclipped_rig(48_000.0, 4, single(quiet, 60));
    for (i, note) in [60u8, 61, 62, 63, 64, 65, 66].iter().enumerate() {
        rig.send(1000 + i as u64 * 1237, 0x90, *note, 127);
    }
    let out = rig.render(24_000);
    // Seven notes in four voices: three were stolen, and four still sound.
    let voice = 0.2 * UNITY;
    assert!((out[20_000] - 4.0 * voice).abs() < 1e-4, "level {}", out[20_000]);
    assert_eq!(rig.host.engine.active_voices(), 4);
    let attack_step = voice / 48.0;
    let fade_step = voice / 240.0;
    let jump = max_jump(&out);
    assert!(jump <= attack_step + fade_step + 1e-5, "largest jump {jump}");
}

#[test]
fn polyphony_cap_is_respected() {
    let mut rig = unclipped_rig(48_000.0, 8, single(dc(48_000.0, 2.0), 60));
    for note in 40..80 {
        rig.send(0, 0x90, note, 100);
    }
    rig.render(128);
    let sounding = rig.host.engine.active_voices();
    assert!(sounding <= 8 + 8 / 4 + 4, "{sounding} voices in the pool");
    rig.render(48_00); // fades finish within 5 ms
    assert_eq!(rig.host.engine.active_voices(), 8);
}

#[test]
fn late_events_play_at_the_start_of_the_quantum_and_are_counted() {
    let mut rig = unclipped_rig(48_000.0, 64, single(dc(48_000.0, 1.0), 60));
    rig.render(1024); // now at frame 1024
    rig.send(10, 0x90, 60, 100); // long past
    let out = rig.render(256);
    assert_eq!(onset(&out), Some(0));
    assert_eq!(rig.host.stats().late, 1);
}

#[test]
fn immediate_events_play_at_the_next_quantum_and_are_not_late() {
    let mut rig = unclipped_rig(48_000.0, 64, single(dc(48_000.0, 1.0), 60));
    rig.render(1024);
    let mut e = MidiEvent::new(0, 0x90, 60, 100);
    e.flags = FLAG_IMMEDIATE;
    assert!(rig.tx.try_send(e));
    let out = rig.render(256);
    assert_eq!(onset(&out), Some(0));
    assert_eq!(rig.host.stats().late, 0);
    assert_eq!(rig.host.stats().received, 1);
}

#[test]
fn immediate_events_count_as_late_only_once_their_deadline_has_passed() {
    let mut rig = Rig::new(48_000.0, 64, single(dc(48_000.0, 1.0), 60));
    rig.render(1024); // the next quantum starts at frame 1024
    let immediate = |deadline: u64, note: u8| {
        let mut e = MidiEvent::new(deadline, 0x90, note, 100);
        e.flags = FLAG_IMMEDIATE;
        e
    };
    assert!(rig.tx.try_send(immediate(1024, 60))); // due now: in time
    assert!(rig.tx.try_send(immediate(5000, 61))); // not yet due: in time
    assert!(rig.tx.try_send(immediate(1023, 62))); // one frame too late
    let out = rig.render(128);
    assert_eq!(onset(&out), Some(0), "all play at the start of the quantum, late or not");
    assert_eq!(rig.host.engine.active_voices(), 3);
    assert_eq!(rig.host.stats().late, 1);
    assert_eq!(rig.host.queued(), 0, "a deadline is not a frame to wait for");
}

#[test]
fn future_events_wait_in_order_and_equal_frames_keep_arrival_order() {
    let mut rig = unclipped_rig(48_000.0, 64, single(dc(48_000.0, 1.0), 60));
    // Sent out of order; the note-on and note-off share a frame: arrival
    // order says on-then-off, so nothing sounds after 3000.
    rig.send(3000, 0x90, 62, 100);
    rig.send(3000, 0x80, 62, 0);
    rig.send(2000, 0x90, 60, 100);
    rig.send(2500, 0x80, 60, 0);
    let out = rig.render(1024);
    assert_eq!(onset(&out), None);
    assert_eq!(rig.host.queued(), 4);
    let out = rig.render(47_000);
    assert_eq!(onset(&out), Some(2000 - 1024));
    assert_eq!(rig.host.queued(), 0);
    assert_eq!(rig.host.engine.active_voices(), 0);
}

#[test]
fn garbage_midi_is_counted_and_harmless() {
    let mut rig = unclipped_rig(48_000.0, 64, single(dc(48_000.0, 1.0), 60));
    for (i, bytes) in [[0x12u8, 0x34, 0x56], [0x90, 0xFF, 0xFF], [0xF8, 0, 0], [0xFF, 0xFF, 0xFF]].iter().enumerate() {
        let mut e = MidiEvent::new(i as u64, bytes[0], bytes[1], bytes[2]);
        e.len = 3;
        assert!(rig.tx.try_send(e));
    }
    let mut truncated = MidiEvent::new(5, 0x90, 60, 100);
    truncated.len = 2;
    assert!(rig.tx.try_send(truncated));
    let out = rig.render(1024);
    assert_eq!(onset(&out), None);
    assert_eq!(rig.host.stats().invalid, 5);
    assert!(out.iter().all(|x| x.is_finite()));
}

#[test]
fn a_full_pending_queue_drops_the_newest_and_counts_it() {
    let mut engine = sampler_core::Engine::new(48_000.0, 8);
    engine.set_instrument(single(dc(48_000.0, 1.0), 60));
    let mut host = sampler_core::Host::new(engine, 16, 4);
    for i in 0..6 {
        host.schedule(MidiEvent::new(100_000 + i, 0x90, 60, 100), 0);
    }
    assert_eq!(host.queued(), 4);
    assert_eq!(host.stats().queue_dropped, 2);
}

#[test]
fn ring_statistics_are_published() {
    let mut rig = unclipped_rig(48_000.0, 64, single(dc(48_000.0, 1.0), 60));
    rig.send(10, 0x90, 60, 100);
    rig.send(100_000, 0x90, 62, 100);
    rig.render(256);
    use midi_ring::layout::*;
    assert_eq!(rig.rx.stat(STAT_RECEIVED), 2);
    assert_eq!(rig.rx.stat(STAT_QUANTA), 2);
    assert_eq!(rig.rx.stat(STAT_ACTIVE_VOICES), 1);
    assert_eq!(rig.rx.stat(STAT_QUEUED), 1);
    assert_eq!(rig.rx.stat(STAT_MAX_FILL), 2);
}
