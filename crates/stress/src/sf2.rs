//! A parsed SoundFont → one instrument per preset, as the web loader builds
//! them (`SoundFontFile::instrument` in `sampler-wasm`): the preset's
//! layout, its PCM samples from the font, and for SF3 a
//! [`stand-in`](crate::stand_in::decoded) for each decoded Ogg Vorbis range.

use sampler_core::Instrument;
use sampler_sf2::{SampleRef, SoundFont};

use crate::mix;

/// The lengths a "decoder" reports for compressed samples.
const DECODED_FRAMES: [u32; 4] = [1, 64, 1000, 4096];

/// A preset's instrument, or the error (as text) a loader would report.
pub struct Preset {
    pub name: String,
    pub instrument: Result<Instrument, String>,
    pub warnings: Vec<String>,
}

/// Builds the first `max_presets` presets (in listing order). Presets
/// without compressed samples are also built by the native
/// `SoundFont::instrument` (which must agree that they load), though only
/// the layout-built instrument is returned.
pub fn presets(font: &SoundFont, max_presets: usize, seed: u64) -> Vec<Preset> {
    let decoded_frames = |id: usize| Some(DECODED_FRAMES[(mix(seed, id as u64) & 3) as usize]);
    font.presets()
        .into_iter()
        .take(max_presets)
        .map(|p| {
            let mut warnings = Vec::new();
            let instrument = font.layout(p.index, &decoded_frames).map_err(|e| e.to_string()).and_then(|layout| {
                warnings = layout.warnings;
                let samples = layout
                    .samples
                    .iter()
                    .map(|r| match *r {
                        SampleRef::Decoded { start, end, rate, sample } => {
                            crate::stand_in::decoded(end.saturating_sub(start) as usize, rate as f32, mix(seed, sample as u64))
                        }
                        SampleRef::Pcm { .. } => font.pcm_sample(r).expect("a PCM reference"),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| e.to_string())?;
                Instrument::new(samples, layout.regions).map_err(|e| e.to_string())
            });
            if font.compressed_samples(p.index).is_empty() {
                let native = font.instrument(p.index);
                assert_eq!(native.is_ok(), instrument.is_ok(), "preset {}: native and layout builds disagree", p.name);
            }
            Preset { name: p.name, instrument, warnings }
        })
        .collect()
}
