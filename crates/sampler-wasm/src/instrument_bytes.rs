//! An instrument's regions and options as bytes.
//!
//! The main thread turns the region objects into bytes ([`encode`], called
//! by `loader::encode_instrument` after checking them), so the worklet
//! receives one transferred buffer instead of structured-cloning (and then
//! deserialising) thousands of objects on the audio thread. The worklet
//! decodes a bounded number of regions per step ([`RegionDecoder`]).
//!
//! Format: postcard (a compact, non-self-describing serde format with a
//! stable wire specification). A [`Header`] (the options and the region
//! count), then each region, one after another. Both ends are the same
//! wasm build, so the `Region` layout always agrees.

use sampler_core::Region;
use serde::{Deserialize, Serialize};

/// What an instrument sets besides its regions (see `Instrument`).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Header {
    pub polyphony: Option<usize>,
    pub note_polyphony: Option<usize>,
    pub keyswitch_range: Option<(u8, u8)>,
    pub keyswitch_default: Option<u8>,
    pub regions: u32,
}

impl Header {
    /// Sets the instrument's voice limits and keyswitches.
    pub fn apply(&self, instrument: &mut sampler_core::Instrument) {
        instrument.polyphony = self.polyphony;
        instrument.note_polyphony = self.note_polyphony;
        instrument.keyswitch_range = self.keyswitch_range;
        instrument.keyswitch_default = self.keyswitch_default;
    }
}

/// Why bytes could not be decoded.
#[derive(Debug, PartialEq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "corrupt instrument bytes: {}", self.0)
    }
}

/// The header (its `regions` field is set from `regions`), then the regions.
pub fn encode(header: &Header, regions: &[Region]) -> Result<Vec<u8>, postcard::Error> {
    let header = Header { regions: regions.len() as u32, ..header.clone() };
    let mut out = postcard::to_allocvec(&header)?;
    for r in regions {
        out = postcard::to_extend(r, out)?;
    }
    Ok(out)
}

/// Reads the regions of encoded bytes a few at a time.
#[derive(Debug)]
pub struct RegionDecoder {
    pub header: Header,
    /// Where the next region starts.
    at: usize,
    left: u32,
}

impl RegionDecoder {
    pub fn new(bytes: &[u8]) -> Result<RegionDecoder, DecodeError> {
        let (header, rest) = postcard::take_from_bytes::<Header>(bytes).map_err(|e| DecodeError(format!("header: {e}")))?;
        Ok(RegionDecoder { left: header.regions, header, at: bytes.len() - rest.len() })
    }

    /// Regions not yet decoded.
    pub fn left(&self) -> u32 {
        self.left
    }

    /// Decodes up to `max` regions of `bytes` (the same bytes as `new`)
    /// into `out`, which the caller has reserved room in (decoding itself
    /// allocates nothing). Returns true once every region is decoded.
    pub fn decode_some(&mut self, bytes: &[u8], max: usize, out: &mut Vec<Region>) -> Result<bool, DecodeError> {
        for _ in 0..max {
            if self.left == 0 {
                break;
            }
            let index = self.header.regions - self.left;
            let rest = bytes.get(self.at..).ok_or_else(|| DecodeError("truncated".into()))?;
            let (region, rest) =
                postcard::take_from_bytes::<Region>(rest).map_err(|e| DecodeError(format!("region {index}: {e}")))?;
            self.at = bytes.len() - rest.len();
            out.push(region);
            self.left -= 1;
        }
        if self.left == 0 && self.at != bytes.len() {
            return Err(DecodeError(format!("{} bytes after the last region", bytes.len() - self.at)));
        }
        Ok(self.left == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sampler_core::filter::FilterKind;
    use sampler_core::region::{EnvelopeParams, FilterParams, LoopMode};

    fn regions() -> Vec<Region> {
        (0..100)
            .map(|i| {
                let mut r = Region::new(i % 7, (i % 128) as u8);
                r.tune_cents = i as f32 * 0.5 - 20.0;
                r.loop_mode = if i % 2 == 0 { LoopMode::Continuous } else { LoopMode::NoLoop };
                r.loop_end = i as u32 * 1000;
                r.sw_last = (i % 3 == 0).then_some(24);
                r.filter = (i % 5 == 0).then(|| FilterParams {
                    kind: FilterKind::BandPass,
                    cutoff_hz: 100.0 * i as f32,
                    resonance_db: 3.0,
                    keytrack_cents: 0.0,
                    keycenter: 60,
                    veltrack_cents: 1200.0,
                    envelope: EnvelopeParams::amplitude(),
                    envelope_depth_cents: -600.0,
                });
                r
            })
            .collect()
    }

    #[test]
    fn regions_come_back_as_they_went_in_a_few_at_a_time() {
        let header = Header { polyphony: Some(12), keyswitch_range: Some((24, 30)), ..Header::default() };
        let regions = regions();
        let bytes = encode(&header, &regions).unwrap();
        let mut decoder = RegionDecoder::new(&bytes).unwrap();
        assert_eq!(decoder.header, Header { regions: 100, ..header });
        let mut out = Vec::with_capacity(100);
        let mut steps = 0;
        while !decoder.decode_some(&bytes, 7, &mut out).unwrap() {
            steps += 1;
            assert_eq!(out.len(), 7 * steps, "at most 7 a step");
        }
        assert_eq!(out, regions);
        assert!(bytes.len() < 100 * std::mem::size_of::<Region>(), "{} bytes for 100 regions", bytes.len());
    }

    #[test]
    fn corrupt_bytes_are_an_error_not_a_panic() {
        let bytes = encode(&Header::default(), &regions()).unwrap();
        let mut out = Vec::with_capacity(100);
        let mut truncated = RegionDecoder::new(&bytes[..bytes.len() / 2]).unwrap();
        let err = truncated.decode_some(&bytes[..bytes.len() / 2], 100, &mut out).unwrap_err();
        assert!(err.to_string().starts_with("corrupt instrument bytes: region "), "{err}");
        let mut longer = bytes.clone();
        longer.push(0);
        out.clear();
        let err = RegionDecoder::new(&longer).unwrap().decode_some(&longer, 1000, &mut out).unwrap_err();
        assert_eq!(err.to_string(), "corrupt instrument bytes: 1 bytes after the last region");
        assert!(RegionDecoder::new(&[]).is_err());
    }
}
