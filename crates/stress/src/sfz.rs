//! A parsed SFZ → the instrument the web loader would build, with
//! [`stand_in`](crate::stand_in) samples for the files it names.

use sampler_core::instrument::InstrumentError;
use sampler_core::{Instrument, LoopMode};
use sampler_sfz::SfzInstrument;

use crate::stand_in::{stand_in, StandIn};

/// Applies what the stand-in "files" give, as `applySampleInfo` in
/// `web/instrument-loader.js` does (root key, loop mode and points), and
/// checks the result with `Instrument::new`.
///
/// One difference, for coverage: the web loader refuses an SFZ whose loop
/// lies past its sample's end; here such a region plays unlooped (as the
/// loader does for other instruments), so the engine still gets the rest
/// of the file. `Err` is an instrument `Instrument::new` refused.
pub fn instrument(parsed: &SfzInstrument, seed: u64) -> Result<Instrument, InstrumentError> {
    let files: Vec<StandIn> = (0..parsed.samples.len()).map(|i| stand_in(i, seed)).collect();
    let mut regions = parsed.regions.clone();
    for (r, want) in regions.iter_mut().zip(&parsed.from_sample) {
        let Some(file) = files.get(r.sample) else { continue };
        if want.root_key {
            if let Some(key) = file.root_key {
                r.root_key = key;
            }
        }
        if want.loop_mode && file.loop_points.is_some() {
            r.loop_mode = LoopMode::Continuous;
        }
        let looping = matches!(r.loop_mode, LoopMode::Continuous | LoopMode::Sustain);
        if looping && (want.loop_points || r.loop_end == 0) {
            match file.loop_points {
                Some((start, end)) => (r.loop_start, r.loop_end) = (start, end),
                None => r.loop_mode = LoopMode::NoLoop,
            }
        }
        if looping && !r.loops(file.sample.frames()) {
            r.loop_mode = LoopMode::NoLoop;
        }
    }
    let mut instrument = Instrument::new(files.into_iter().map(|f| f.sample).collect(), regions)?;
    instrument.polyphony = parsed.polyphony;
    instrument.note_polyphony = parsed.note_polyphony;
    instrument.keyswitch_range = parsed.keyswitch_range;
    instrument.keyswitch_default = parsed.keyswitch_default;
    Ok(instrument)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> SfzInstrument {
        sampler_sfz::parse("t.sfz", text, &mut |_| None).unwrap()
    }

    #[test]
    fn loops_past_a_short_sample_play_unlooped_and_file_loops_apply() {
        let parsed = parse("<region> sample=a.wav loop_mode=loop_continuous loop_start=0 loop_end=99999999\n<region> sample=b.wav");
        for seed in 0..64 {
            let inst = instrument(&parsed, seed).unwrap();
            let (a, b) = (&inst.regions()[0], &inst.regions()[1]);
            assert_eq!(a.loop_mode, LoopMode::NoLoop, "no stand-in has 10^8 frames");
            let file = stand_in(1, seed);
            match file.loop_points {
                Some((s, e)) => assert_eq!((b.loop_mode, b.loop_start, b.loop_end), (LoopMode::Continuous, s, e)),
                None => assert_eq!(b.loop_mode, LoopMode::NoLoop),
            }
        }
    }
}
