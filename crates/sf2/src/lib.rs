//! SoundFont 2 (RIFF `sfbk`) loading into the sampler core's
//! [`Instrument`](sampler_core::Instrument) model.
//!
//! ```no_run
//! let bytes = std::fs::read("font.sf2").unwrap();
//! let font = sampler_sf2::SoundFont::parse("font.sf2", &bytes).unwrap();
//! let piano = font.find_preset(0, 0).unwrap();
//! let instrument = font.instrument(piano).unwrap();
//! ```
//!
//! Modules, by responsibility:
//! - `riff`: chunk reading with bounds checks;
//! - `hydra`: the `pdta` records and their index chains;
//! - `generators`: generator enumerators, defaults, ranges, zone
//!   combination and unit conversions;
//! - `mapping`: combined generators → [`Region`](sampler_core::Region),
//!   with every unit conversion documented where it happens;
//! - `samples`: `smpl`/`sm24` data, sample header checks, f32 conversion;
//! - `convert`: preset walking, modulators, sample gathering.
//!
//! # What is mapped
//! Key and velocity ranges (intersected), root key, coarse/fine tune and
//! the sample's pitch correction, scale tuning, sample start/end/loop
//! offsets (fine + 32768 × coarse), loop modes, initial attenuation (with
//! the EMU 0.4 factor, see `mapping::ATTENUATION_FACTOR`), pan, the volume
//! envelope, the low-pass filter with the modulation envelope and the
//! velocity → cutoff modulator, both LFOs merged into the region's one,
//! exclusive classes, fixed key and velocity (baked into tuning and
//! level), keynum → hold/decay slopes (baked at the region's key-range
//! centre), and instrument/preset modulators that override or add to the
//! two default velocity modulators.
//!
//! # What is not
//! Reported in [`SoundFont::warnings`]: modEnvToPitch (no pitch envelope),
//! other modulators (CC, pitch wheel, pressure), a modulation LFO's pitch
//! depth when the vibrato LFO is also used, and differing rates of the two
//! LFOs. Silently approximated: LFOs are sines (SF2's are triangles), the
//! velocity curve is the core's square law (SF2's is concave), a release
//! starting below full level takes the whole release time. Ignored:
//! chorus and reverb sends. ROM samples are skipped.
//!
//! # SF3
//! SoundFonts with Ogg Vorbis compressed samples (version 3, sample type
//! bit 0x10, as MuseScore's sftools writes them): a compressed sample's
//! start and end are byte offsets of its Ogg stream in `smpl` (end
//! exclusive), and its loop points count frames from the start of the
//! decoded sample. This crate does not decode Vorbis: the caller lists a
//! preset's [`SoundFont::compressed_samples`], decodes their
//! [`SoundFont::compressed_bytes`] (the browser's `decodeAudioData` does it
//! in the web package) and builds the preset with [`SoundFont::layout`]
//! given the decoded lengths, cutting each [`SampleRef::Decoded`] range
//! from the decoded audio.
//! Stereo pairs play as two mono regions panned by their own generators,
//! as SF2 defines them.

mod convert;
mod error;
mod generators;
mod hydra;
mod mapping;
mod riff;
mod samples;
#[cfg(test)]
mod testutil;

pub use convert::SampleRef;
pub use error::Sf2Error;

use hydra::Hydra;
use samples::{check_sample, SampleData};
use std::collections::HashSet;

/// Warnings kept per file; more are counted in one closing line.
const MAX_WARNINGS: usize = 1000;
/// Zone pairs planned at parse time to collect warnings (FluidR3_GM has
/// about 17 000); past this, later presets are only checked when built.
const PARSE_PAIR_BUDGET: usize = 1 << 20;

/// A parsed SoundFont: its sample data and hydra. Build instruments from
/// it with [`SoundFont::instrument`].
#[derive(Debug)]
pub struct SoundFont {
    file: String,
    title: String,
    version: Option<(u16, u16)>,
    hydra: Hydra,
    data: SampleData,
    /// Per sample header (terminal excluded): passed [`check_sample`].
    sample_ok: Vec<bool>,
    warnings: Vec<String>,
}

/// One preset as listed by [`SoundFont::presets`]. `index` is what
/// [`SoundFont::instrument`] takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresetInfo {
    pub name: String,
    pub bank: u16,
    pub program: u8,
    pub index: usize,
}

/// A preset's regions and where their samples come from (see
/// [`SoundFont::layout`]).
#[derive(Clone, Debug)]
pub struct PresetLayout {
    pub regions: Vec<sampler_core::Region>,
    pub samples: Vec<SampleRef>,
    pub warnings: Vec<String>,
}

/// Collects warnings without repeats, up to [`MAX_WARNINGS`].
#[derive(Default)]
struct Warnings {
    list: Vec<String>,
    seen: HashSet<String>,
    dropped: usize,
}

impl Warnings {
    fn push(&mut self, w: String) {
        if self.seen.contains(&w) {
            return;
        }
        if self.list.len() >= MAX_WARNINGS {
            self.dropped += 1;
            return;
        }
        self.seen.insert(w.clone());
        self.list.push(w);
    }

    fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list
                .push(format!("... and {} more warnings", self.dropped));
        }
        self.list
    }
}

impl SoundFont {
    /// Parses a whole SoundFont 2 file. `name` is used in error messages.
    ///
    /// Never panics, and never allocates more than the input's size
    /// justifies: every count comes from a chunk size that was checked
    /// against the bytes present. Structural damage (bad magic, truncated
    /// chunks, partial records, missing terminal records, bag indices out
    /// of order or range) is an error; problems confined to one sample or
    /// zone become [`SoundFont::warnings`] and the affected zones are
    /// skipped.
    pub fn parse(name: &str, bytes: &[u8]) -> Result<SoundFont, Sf2Error> {
        let mut w = Warnings::default();
        let chunks = riff::read_sfbk(bytes, &mut |m| w.push(m)).map_err(|f| f.into_error(name))?;
        let version = riff::find(&chunks.info, b"ifil").and_then(|c| {
            let d = c.data;
            (d.len() >= 4).then(|| {
                (
                    u16::from_le_bytes([d[0], d[1]]),
                    u16::from_le_bytes([d[2], d[3]]),
                )
            })
        });
        let title = riff::find(&chunks.info, b"INAM").map_or(String::new(), |c| {
            let end = c.data.iter().position(|&b| b == 0).unwrap_or(c.data.len());
            c.data[..end.min(256)]
                .iter()
                .map(|&b| char::from(b))
                .collect::<String>()
                .trim()
                .to_string()
        });
        if let Some((major, _)) = version {
            if major != 2 && major != 3 {
                w.push(format!(
                    "INFO: version {major} is not SoundFont 2 or 3; reading it as 2"
                ));
            }
        }
        let data = SampleData::from_chunks(&chunks.sdta, version, &mut |m| w.push(m));
        let hydra =
            Hydra::parse(&chunks.pdta, &mut |m| w.push(m)).map_err(|f| f.into_error(name))?;
        let points = data.points();
        let sample_ok = hydra.shdr[..hydra.sample_count()]
            .iter()
            .map(|s| {
                check_sample(s, &data)
                    .map_err(|e| w.push(format!("{e}; zones using it are skipped")))
                    .is_ok()
            })
            .collect();
        for p in &hydra.phdr[..hydra.preset_count()] {
            if p.program > 127 {
                w.push(format!(
                    "preset '{}' has program {}, past 127; it is not listed",
                    p.name, p.program
                ));
            }
        }
        let mut font = SoundFont {
            file: name.to_string(),
            title,
            version,
            hydra,
            data,
            sample_ok,
            warnings: Vec::new(),
        };
        let mut pairs = 0;
        for p in 0..font.hydra.preset_count() {
            if pairs > PARSE_PAIR_BUDGET {
                w.push(format!(
                    "presets from '{}' on were not checked at parse time (the file is very large)",
                    font.hydra.phdr[p].name
                ));
                break;
            }
            let plan = convert::plan_preset(
                &font.hydra,
                &font.sample_ok,
                points,
                &|_| Some(convert::UNKNOWN_FRAMES),
                p,
            );
            pairs += plan.pairs;
            plan.notes.into_iter().for_each(|n| w.push(n));
            if plan.regions.is_empty() {
                w.push(format!(
                    "preset '{}' has no playable zones",
                    font.hydra.phdr[p].name
                ));
            }
        }
        font.warnings = w.finish();
        Ok(font)
    }

    /// The presets, sorted by (bank, program), then file order. Drum kits
    /// are in bank 128. Presets with program numbers past 127 are left out.
    pub fn presets(&self) -> Vec<PresetInfo> {
        let mut list: Vec<PresetInfo> = self.hydra.phdr[..self.hydra.preset_count()]
            .iter()
            .enumerate()
            .filter(|(_, p)| p.program <= 127)
            .map(|(index, p)| PresetInfo {
                name: p.name.clone(),
                bank: p.bank,
                program: p.program as u8,
                index,
            })
            .collect();
        list.sort_by_key(|p| (p.bank, p.program, p.index));
        list
    }

    /// The first preset (in file order) with this bank and program.
    pub fn find_preset(&self, bank: u16, program: u8) -> Option<usize> {
        self.hydra.phdr[..self.hydra.preset_count()]
            .iter()
            .position(|p| p.bank == bank && p.program == u16::from(program))
    }

    /// Builds a playable instrument for one preset: one region per (preset
    /// zone × instrument zone) pair that has a usable sample, generators
    /// combined per the spec, and each distinct sample range converted to
    /// f32 once (16-bit, or 24-bit with `sm24`).
    pub fn instrument(&self, preset: usize) -> Result<sampler_core::Instrument, Sf2Error> {
        self.instrument_with_warnings(preset).map(|(i, _)| i)
    }

    /// [`SoundFont::instrument`] and the warnings about this preset alone.
    pub fn instrument_with_warnings(
        &self,
        preset: usize,
    ) -> Result<(sampler_core::Instrument, Vec<String>), Sf2Error> {
        let count = self.hydra.preset_count();
        if preset >= count {
            return Err(Sf2Error::NoSuchPreset {
                file: self.file.clone(),
                index: preset,
                count,
            });
        }
        let pname = self.hydra.phdr[preset].name.clone();
        if !self.compressed_samples(preset).is_empty() {
            return Err(Sf2Error::Instrument {
                file: self.file.clone(),
                preset: pname,
                detail: "its samples are Ogg Vorbis compressed (SF3): decode them and use SoundFont::layout".into(),
            });
        }
        let plan = convert::plan_preset(
            &self.hydra,
            &self.sample_ok,
            self.data.points(),
            &|_| None,
            preset,
        );
        if plan.regions.is_empty() {
            return Err(Sf2Error::NoPlayableRegions {
                file: self.file.clone(),
                preset: pname,
            });
        }
        let instrument =
            convert::build_instrument(plan.regions, &self.hydra, &self.data).map_err(|detail| {
                Sf2Error::Instrument {
                    file: self.file.clone(),
                    preset: pname,
                    detail,
                }
            })?;
        Ok((instrument, plan.notes))
    }

    /// The compressed (SF3) samples that preset `preset` plays: sample
    /// header indices, in first-use order, for [`SoundFont::compressed_bytes`]
    /// and the `decoded` lengths of [`SoundFont::layout`].
    pub fn compressed_samples(&self, preset: usize) -> Vec<usize> {
        let plan = convert::plan_preset(
            &self.hydra,
            &self.sample_ok,
            self.data.points(),
            &|_| Some(convert::UNKNOWN_FRAMES),
            preset,
        );
        let mut out: Vec<usize> = Vec::new();
        for p in plan.regions {
            if self.hydra.shdr[p.sample].kind & hydra::SAMPLE_COMPRESSED != 0
                && !out.contains(&p.sample)
            {
                out.push(p.sample);
            }
        }
        out
    }

    /// The Ogg Vorbis stream of compressed sample `sample`, if it is one
    /// and passed the header checks.
    pub fn compressed_bytes(&self, sample: usize) -> Option<&[u8]> {
        let h = self.hydra.shdr.get(sample)?;
        if h.kind & hydra::SAMPLE_COMPRESSED == 0
            || !self.sample_ok.get(sample).copied().unwrap_or(false)
        {
            return None;
        }
        self.data.bytes(h.start as usize, h.end as usize)
    }

    /// A sample header's name.
    pub fn sample_name(&self, sample: usize) -> Option<&str> {
        self.hydra.shdr.get(sample).map(|s| s.name.as_str())
    }

    /// A preset's regions and the sample ranges they play, for fonts with
    /// compressed samples: `decoded(i)` gives compressed sample i's length
    /// in frames after decoding (zones of samples without one are skipped
    /// with a warning). `region.sample` indexes `samples`; build
    /// [`SampleRef::Pcm`] ones with [`SoundFont::pcm_sample`].
    pub fn layout(
        &self,
        preset: usize,
        decoded: &dyn Fn(usize) -> Option<u32>,
    ) -> Result<PresetLayout, Sf2Error> {
        let count = self.hydra.preset_count();
        if preset >= count {
            return Err(Sf2Error::NoSuchPreset {
                file: self.file.clone(),
                index: preset,
                count,
            });
        }
        let plan = convert::plan_preset(
            &self.hydra,
            &self.sample_ok,
            self.data.points(),
            decoded,
            preset,
        );
        if plan.regions.is_empty() {
            return Err(Sf2Error::NoPlayableRegions {
                file: self.file.clone(),
                preset: self.hydra.phdr[preset].name.clone(),
            });
        }
        let (regions, samples) = convert::layout(plan.regions, &self.hydra);
        Ok(PresetLayout {
            regions,
            samples,
            warnings: plan.notes,
        })
    }

    /// The sample data of a [`SampleRef::Pcm`] (None for other kinds).
    pub fn pcm_sample(
        &self,
        r: &SampleRef,
    ) -> Option<Result<sampler_core::Sample, sampler_core::sample::SampleError>> {
        match *r {
            SampleRef::Pcm { start, end, rate } => {
                Some(self.data.sample(start as usize, end as usize, rate as f32))
            }
            SampleRef::Decoded { .. } => None,
        }
    }

    /// Non-fatal oddities found while parsing and planning every preset
    /// (unknown generators, unusable samples, clamped values, features the
    /// region model lacks), without repeats.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The font's own name (INFO `INAM`), or "" when absent.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The `ifil` version (major, minor), when present.
    pub fn version(&self) -> Option<(u16, u16)> {
        self.version
    }

    /// Whether the sample data is 24-bit (a valid `sm24` chunk).
    pub fn is_24bit(&self) -> bool {
        self.data.is_24bit()
    }
}

#[cfg(test)]
mod e2e_tests;
#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod robustness_tests;
#[cfg(test)]
mod sf3_tests;
