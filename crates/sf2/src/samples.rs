//! Sample data: the `smpl` chunk (16-bit little-endian points, or in SF3
//! concatenated Ogg Vorbis streams), the optional `sm24` chunk (the low
//! byte of each point for 24-bit sounds), validation of sample headers
//! against them, and conversion to f32.

use crate::hydra::{SampleHeader, SAMPLE_COMPRESSED, SAMPLE_ROM};
use crate::riff::{find, Chunk};

/// Rates the sampler core accepts (`Sample::new`).
pub(crate) const MIN_RATE: u32 = 1000;
pub(crate) const MAX_RATE: u32 = 768_000;

/// The file's sample points, copied once at parse time so the
/// [`SoundFont`](crate::SoundFont) owns them.
#[derive(Clone, Debug, Default)]
pub(crate) struct SampleData {
    smpl: Box<[u8]>,
    sm24: Option<Box<[u8]>>,
}

impl SampleData {
    /// `version` is the `ifil` version: `sm24` is only honoured from 2.04
    /// on, and only when it has one byte per `smpl` point (plus an optional
    /// pad byte), as the spec requires; otherwise it is ignored with a
    /// warning.
    pub fn from_chunks(
        sdta: &[Chunk<'_>],
        version: Option<(u16, u16)>,
        warn: &mut dyn FnMut(String),
    ) -> SampleData {
        let smpl = find(sdta, b"smpl").map_or(&[][..], |c| c.data);
        // SF3 keeps Ogg streams there, whose total size may well be odd.
        let sf3 = version.is_some_and(|v| v.0 == 3);
        if smpl.len() % 2 == 1 && !sf3 {
            warn(format!(
                "sdta: smpl chunk size {} is odd; the last byte is ignored",
                smpl.len()
            ));
        }
        let points = smpl.len() / 2;
        let sm24 = find(sdta, b"sm24").and_then(|c| {
            let v = version.unwrap_or((2, 1));
            if v < (2, 4) {
                warn(format!("sdta: sm24 chunk ignored: the file's version {}.{:02} predates 24-bit samples (2.04)", v.0, v.1));
                None
            } else if c.data.len() != points && c.data.len() != points + points % 2 {
                warn(format!("sdta: sm24 chunk ignored: {} bytes for {points} sample points", c.data.len()));
                None
            } else {
                Some(c.data[..points].into())
            }
        });
        SampleData {
            smpl: smpl.into(),
            sm24,
        }
    }

    /// Sample points in `smpl`.
    pub fn points(&self) -> usize {
        self.smpl.len() / 2
    }

    /// Bytes `start..end` of `smpl` (an SF3 sample's Ogg stream), if present.
    pub fn bytes(&self, start: usize, end: usize) -> Option<&[u8]> {
        self.smpl.get(start..end)
    }

    pub fn byte_len(&self) -> usize {
        self.smpl.len()
    }

    pub fn is_24bit(&self) -> bool {
        self.sm24.is_some()
    }

    /// Points `start..end` as a playable sample: kept 16-bit when the font
    /// is 16-bit (half the memory of f32), f32 when `sm24` adds a low byte.
    pub fn sample(
        &self,
        start: usize,
        end: usize,
        rate: f32,
    ) -> Result<sampler_core::Sample, sampler_core::sample::SampleError> {
        if self.sm24.is_some() {
            return sampler_core::Sample::new(vec![self.extract(start, end)], rate);
        }
        let end = end.min(self.points());
        let start = start.min(end);
        let points = self.smpl[start * 2..end * 2]
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        sampler_core::Sample::from_i16(vec![points], rate)
    }

    /// Points `start..end` as f32 in -1..1: 16-bit values / 32768, or with
    /// `sm24` the 24-bit value `(smpl << 8 | sm24)` / 8388608. Points past
    /// the data (impossible after [`check_sample`]) are left out.
    pub fn extract(&self, start: usize, end: usize) -> Vec<f32> {
        let end = end.min(self.points());
        let start = start.min(end);
        let hi = &self.smpl[start * 2..end * 2];
        // Plain index loops: this runs over every point a preset plays, and
        // stays tolerable in unoptimised test builds.
        let mut out = vec![0.0f32; end - start];
        match &self.sm24 {
            Some(lo) => {
                let lo = &lo[start..end];
                for i in 0..out.len() {
                    let v = (i32::from(i16::from_le_bytes([hi[2 * i], hi[2 * i + 1]])) << 8)
                        | i32::from(lo[i]);
                    out[i] = v as f32 / 8_388_608.0;
                }
            }
            None => {
                for i in 0..out.len() {
                    out[i] = f32::from(i16::from_le_bytes([hi[2 * i], hi[2 * i + 1]])) / 32768.0;
                }
            }
        }
        out
    }
}

/// Whether a sample header can be played from `data`; the error says why
/// not. Loop points are checked per zone (they are only needed when a zone
/// loops, and zones can move them). A compressed (SF3) sample's start and
/// end are byte offsets of its Ogg stream in `smpl`, end exclusive.
pub(crate) fn check_sample(h: &SampleHeader, data: &SampleData) -> Result<(), String> {
    let name = &h.name;
    let points = data.points();
    if h.kind & SAMPLE_ROM != 0 {
        return Err(format!(
            "sample '{name}' is a ROM sample (type 0x{:04x}), which is not in the file",
            h.kind
        ));
    }
    if h.kind & SAMPLE_COMPRESSED != 0 {
        let len = data.byte_len();
        if h.start >= h.end || h.end as usize > len {
            return Err(format!(
                "compressed sample '{name}' bytes {}..{} are not inside the {len}-byte sample data",
                h.start, h.end
            ));
        }
        if !(MIN_RATE..=MAX_RATE).contains(&h.rate) {
            return Err(format!(
                "sample '{name}' rate {} Hz is outside {MIN_RATE}..={MAX_RATE} Hz",
                h.rate
            ));
        }
        return Ok(());
    }
    if h.start > h.end {
        return Err(format!(
            "sample '{name}' start {} is after its end {}",
            h.start, h.end
        ));
    }
    if h.end as usize > points {
        return Err(format!(
            "sample '{name}' end {} is past the sample data ({points} points)",
            h.end
        ));
    }
    if h.start == h.end {
        return Err(format!(
            "sample '{name}' is empty (start = end = {})",
            h.start
        ));
    }
    if !(MIN_RATE..=MAX_RATE).contains(&h.rate) {
        return Err(format!(
            "sample '{name}' rate {} Hz is outside {MIN_RATE}..={MAX_RATE} Hz",
            h.rate
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(start: u32, end: u32) -> SampleHeader {
        SampleHeader {
            name: "Piano C4".into(),
            start,
            end,
            loop_start: 0,
            loop_end: 0,
            rate: 44100,
            original_pitch: 60,
            pitch_correction: 0,
            link: 0,
            kind: 1,
        }
    }

    fn chunk<'a>(id: &[u8; 4], data: &'a [u8]) -> Chunk<'a> {
        Chunk {
            id: *id,
            data,
            offset: 0,
        }
    }

    #[test]
    fn sixteen_bit_points_scale_to_unit_range() {
        let smpl: Vec<u8> = [0i16, 16384, -32768, 32767]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let d = SampleData::from_chunks(&[chunk(b"smpl", &smpl)], None, &mut |w| panic!("{w}"));
        assert_eq!(d.points(), 4);
        assert!(!d.is_24bit());
        assert_eq!(d.extract(0, 4), vec![0.0, 0.5, -1.0, 32767.0 / 32768.0]);
        assert_eq!(d.extract(1, 3), vec![0.5, -1.0]);
        assert_eq!(d.extract(3, 99), vec![32767.0 / 32768.0]);
    }

    #[test]
    fn sm24_adds_the_low_byte() {
        let smpl: Vec<u8> = [1i16, -1, 0x4000]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let sm24 = [0x80u8, 0xff, 0x01, 0x00]; // padded to even
        let d = SampleData::from_chunks(
            &[chunk(b"smpl", &smpl), chunk(b"sm24", &sm24)],
            Some((2, 4)),
            &mut |w| panic!("{w}"),
        );
        assert!(d.is_24bit());
        assert_eq!(
            d.extract(0, 3),
            vec![
                384.0 / 8_388_608.0,
                -1.0 / 8_388_608.0,
                (0x40_0001 as f32) / 8_388_608.0
            ]
        );
    }

    #[test]
    fn bad_sm24_is_ignored_with_a_warning() {
        let smpl = [0u8; 6];
        let mut w = Vec::new();
        let d = SampleData::from_chunks(
            &[chunk(b"smpl", &smpl), chunk(b"sm24", &[0; 5])],
            Some((2, 4)),
            &mut |m| w.push(m),
        );
        assert!(!d.is_24bit());
        let d2 = SampleData::from_chunks(
            &[chunk(b"smpl", &smpl), chunk(b"sm24", &[0; 3])],
            Some((2, 1)),
            &mut |m| w.push(m),
        );
        assert!(!d2.is_24bit());
        assert_eq!(
            w,
            vec![
                "sdta: sm24 chunk ignored: 5 bytes for 3 sample points".to_string(),
                "sdta: sm24 chunk ignored: the file's version 2.01 predates 24-bit samples (2.04)"
                    .to_string()
            ]
        );
    }

    #[test]
    fn odd_smpl_and_missing_smpl() {
        let mut w = Vec::new();
        let d = SampleData::from_chunks(&[chunk(b"smpl", &[1, 0, 7])], None, &mut |m| w.push(m));
        assert_eq!(d.points(), 1);
        assert_eq!(
            w,
            vec!["sdta: smpl chunk size 3 is odd; the last byte is ignored".to_string()]
        );
        let d = SampleData::from_chunks(&[], None, &mut |m| panic!("{m}"));
        assert_eq!(d.points(), 0);
        assert!(d.extract(5, 10).is_empty());
    }

    fn points(n: usize) -> SampleData {
        SampleData {
            smpl: vec![0; n * 2].into(),
            sm24: None,
        }
    }

    #[test]
    fn headers_are_checked_against_the_data() {
        let check_sample = |h: &SampleHeader, n: usize| super::check_sample(h, &points(n));
        assert_eq!(check_sample(&header(0, 100), 100), Ok(()));
        assert_eq!(
            check_sample(&header(10, 12_345_678), 800_000).unwrap_err(),
            "sample 'Piano C4' end 12345678 is past the sample data (800000 points)"
        );
        assert_eq!(
            check_sample(&header(50, 40), 100).unwrap_err(),
            "sample 'Piano C4' start 50 is after its end 40"
        );
        assert_eq!(
            check_sample(&header(40, 40), 100).unwrap_err(),
            "sample 'Piano C4' is empty (start = end = 40)"
        );
        let rom = SampleHeader {
            kind: 0x8001,
            ..header(0, 10)
        };
        assert_eq!(
            check_sample(&rom, 0).unwrap_err(),
            "sample 'Piano C4' is a ROM sample (type 0x8001), which is not in the file"
        );
        let slow = SampleHeader {
            rate: 0,
            ..header(0, 10)
        };
        assert_eq!(
            check_sample(&slow, 10).unwrap_err(),
            "sample 'Piano C4' rate 0 Hz is outside 1000..=768000 Hz"
        );
        // SF3: byte offsets into smpl.
        let ogg = SampleHeader {
            kind: 0x11,
            ..header(0, 20)
        };
        assert_eq!(check_sample(&ogg, 10), Ok(()));
        let ogg = SampleHeader {
            kind: 0x11,
            ..header(5, 21)
        };
        assert_eq!(
            check_sample(&ogg, 10).unwrap_err(),
            "compressed sample 'Piano C4' bytes 5..21 are not inside the 20-byte sample data"
        );
        let ogg = SampleHeader {
            kind: 0x11,
            ..header(5, 5)
        };
        assert!(check_sample(&ogg, 10).is_err());
    }
}
