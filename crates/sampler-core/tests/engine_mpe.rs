//! MIDI Polyphonic Expression: per-note pitch bend, pressure and timbre on
//! member channels; zone-wide bend, volume and pedals from the master.

mod common;
use common::*;
mod unclipped;
use unclipped::unclipped_rig;
use sampler_core::region::FilterParams;

const SR: f32 = 48_000.0;

/// RPN 6 (MPE Configuration Message) on `master` with `members` channels.
fn configure(rig: &mut Rig, master: u8, members: u8) {
    for (cc, v) in [(101u8, 0u8), (100, 6), (6, members)] {
        rig.send(0, 0xB0 | master, cc, v);
    }
}

fn bend(rig: &mut Rig, channel: u8, value: i32) {
    let raw = (value + 8192) as u16;
    rig.send(0, 0xE0 | channel, (raw & 0x7F) as u8, (raw >> 7) as u8);
}

fn pitch_cents(rig: &mut Rig) -> f64 {
    let out = rig.render(24_000);
    cents(frequency(&out[2000..], SR), 440.0)
}

#[test]
fn the_configuration_message_sets_zones_and_bend_ranges() {
    let mut rig = unclipped_rig(SR, 16, single(sine(440.0, SR, 2.0), 69));
    configure(&mut rig, 0, 7);
    configure(&mut rig, 15, 5);
    rig.render(128);
    let zones = rig.host.engine.mpe_zones();
    assert_eq!((zones.lower, zones.upper), (7, 5));
    assert_eq!(zones.master_of(3), Some(0));
    assert_eq!(zones.master_of(12), Some(15));
    assert_eq!(zones.master_of(9), None);
    assert_eq!(rig.host.engine.channel(3).bend_range, 48.0);
    assert_eq!(rig.host.engine.channel(0).bend_range, 2.0);
    assert_eq!(rig.host.engine.channel(10).bend_range, 48.0);
    assert_eq!(rig.host.engine.channel(9).bend_range, 2.0, "not in a zone");
    // A lower zone of 14 leaves no room for the upper one.
    configure(&mut rig, 0, 14);
    rig.render(128);
    assert_eq!(rig.host.engine.mpe_zones().upper, 0);
}

#[test]
fn each_member_channel_bends_only_its_own_note() {
    // Channel 3 bent up a quarter of 48 semitones (12); channel 4 unbent.
    for (channel, expected) in [(3u8, 1200.0), (4, 0.0)] {
        let mut rig = unclipped_rig(SR, 16, single(sine(440.0, SR, 2.0), 69));
        configure(&mut rig, 0, 15);
        bend(&mut rig, 3, 2048);
        rig.send(0, 0x90 | channel, 69, 100);
        let c = pitch_cents(&mut rig);
        assert!((c - expected).abs() < 0.1, "note on channel {channel}: {c:.3} cents");
    }
}

#[test]
fn the_master_bend_adds_to_every_note_in_the_zone() {
    let mut rig = unclipped_rig(SR, 16, single(sine(440.0, SR, 2.0), 69));
    configure(&mut rig, 0, 15);
    bend(&mut rig, 3, 2048); // +12 semitones on the member
    bend(&mut rig, 0, 8191); // +2 semitones (master range) on the zone
    rig.send(0, 0x93, 69, 100);
    let c = pitch_cents(&mut rig);
    let expected = 1200.0 + 200.0 * 8191.0 / 8192.0;
    assert!((c - expected).abs() < 0.1, "{c:.3} cents, expected {expected:.3}");
}

#[test]
fn master_volume_and_sustain_apply_to_member_notes() {
    let level = |master_volume: u8| {
        let mut rig = unclipped_rig(SR, 16, dc_layers(&[0.2], |_, r| r.amp_env.release = 0.01));
        configure(&mut rig, 0, 15);
        rig.send(0, 0xB0, 7, master_volume);
        rig.send(0, 0xB0, 64, 127); // master sustain down
        rig.send(0, 0x92, 60, 100);
        rig.send(1000, 0x82, 60, 0); // key up on the member: held by the master pedal
        let out = rig.render(4800);
        rig.send(rig.frame, 0xB0, 64, 0);
        rig.render(4800);
        (out[4000], rig.host.engine.active_voices())
    };
    let (loud, voices_after) = level(100);
    let (soft, _) = level(50);
    assert!(loud > 0.0, "held by the master's pedal");
    assert_eq!(voices_after, 0, "released when the master's pedal lifts");
    assert!((soft / loud - 0.25).abs() < 1e-4, "master volume 50 vs 100: {}", soft / loud);
}

#[test]
fn timbre_moves_the_cutoff_of_its_own_note() {
    let level = |timbre_channel: u8, note_channel: u8| {
        let inst = with_region(sine(2000.0, SR, 1.0), 60, |r| {
            r.keytrack_cents = 0.0;
            r.filter = Some(FilterParams::low_pass(500.0));
        });
        let mut rig = unclipped_rig(SR, 16, inst);
        configure(&mut rig, 0, 15);
        rig.send(0, 0xB0 | timbre_channel, 74, 127); // +2 octaves of cutoff: 2 kHz
        rig.send(0, 0x90 | note_channel, 60, 127);
        rms(&rig.render(24_000)[4000..])
    };
    let bright = level(5, 5);
    let dark = level(6, 5);
    let db = 20.0 * (bright / dark).log10();
    // At 2 kHz a 500 Hz 12 dB/octave lowpass is about -24 dB; moved to 2 kHz, -3 dB.
    assert!((18.0..24.0).contains(&db), "timbre opened the filter by {db:.1} dB");
}

#[test]
fn per_note_pressure_adds_vibrato_to_its_note_only() {
    let swing = |pressure_channel: u8| {
        let mut rig = unclipped_rig(SR, 16, single(sine(440.0, SR, 3.0), 69));
        configure(&mut rig, 0, 15);
        rig.send(0, 0xD0 | pressure_channel, 127, 0);
        rig.send(0, 0x93, 69, 100);
        let out = rig.render(48_000);
        let (lo, hi) = pitch_range_cents(&out[480..], SR, 440.0);
        hi - lo
    };
    assert!(swing(3) > 80.0, "full pressure on the note's channel: ±50 cents");
    assert!(swing(4) < 0.5, "pressure on another member does nothing to it");
}
