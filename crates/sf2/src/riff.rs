//! RIFF chunk reading with bounds checks.
//!
//! A SoundFont 2 file is one `RIFF` chunk of form type `sfbk` holding three
//! `LIST` chunks: `INFO` (metadata), `sdta` (sample data: `smpl`, optional
//! `sm24`) and `pdta` (the "hydra": presets, instruments, sample headers).
//! Every chunk is a 4-byte id, a little-endian u32 size and that many bytes,
//! plus a pad byte when the size is odd.
//!
//! Nothing here allocates more than a small fixed amount per 8 bytes of
//! input (one [`Chunk`] per chunk header read): sizes are checked against the
//! bytes actually present before anything is sliced.

use crate::error::Fail;

/// One chunk: its id and its body, borrowed from the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Chunk<'a> {
    pub id: [u8; 4],
    pub data: &'a [u8],
    /// Offset of `data` in the file, for messages.
    pub offset: usize,
}

/// A four-character code as text, with unprintable bytes escaped.
pub(crate) fn fourcc(id: &[u8]) -> String {
    id.iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                char::from(b).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}

/// The chunks of a SoundFont's three lists.
#[derive(Debug, Default)]
pub(crate) struct SfbkChunks<'a> {
    pub info: Vec<Chunk<'a>>,
    pub sdta: Vec<Chunk<'a>>,
    pub pdta: Vec<Chunk<'a>>,
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Splits the body of a RIFF or LIST chunk (after its form type) into
/// subchunks. `base` is the body's offset in the file; `context` names the
/// list in messages.
pub(crate) fn subchunks<'a>(
    body: &'a [u8],
    base: usize,
    context: &str,
) -> Result<Vec<Chunk<'a>>, Fail> {
    let mut chunks = Vec::new();
    let mut pos = 0usize;
    while pos < body.len() {
        let left = body.len() - pos;
        if left < 8 {
            return Err(Fail::Truncated(format!(
                "{context}: {left} bytes at offset {} are too few for a chunk header (8 bytes)",
                base + pos
            )));
        }
        let id = [body[pos], body[pos + 1], body[pos + 2], body[pos + 3]];
        let size = u32_at(body, pos + 4).unwrap_or(0) as usize;
        let available = left - 8;
        if size > available {
            return Err(Fail::Truncated(format!(
                "{context}: chunk '{}' at offset {} claims {size} bytes but only {available} remain",
                fourcc(&id),
                base + pos
            )));
        }
        let start = pos + 8;
        chunks.push(Chunk {
            id,
            data: &body[start..start + size],
            offset: base + start,
        });
        // Odd sizes are followed by a pad byte; a missing final pad is tolerated.
        pos = start
            .saturating_add(size)
            .saturating_add(size & 1)
            .min(body.len());
    }
    Ok(chunks)
}

/// Reads the RIFF header and the three lists. Unknown chunks are ignored;
/// of repeated lists the first is used. Missing `INFO` or `sdta` lists are
/// reported through `warn` (a file of ROM samples only may lack sample
/// data); a missing `pdta` is an error.
pub(crate) fn read_sfbk<'a>(
    bytes: &'a [u8],
    warn: &mut dyn FnMut(String),
) -> Result<SfbkChunks<'a>, Fail> {
    if bytes.len() < 12 {
        return Err(Fail::NotSoundFont(format!(
            "the file is {} bytes, too short for a RIFF header",
            bytes.len()
        )));
    }
    if &bytes[0..4] != b"RIFF" {
        return Err(Fail::NotSoundFont(format!(
            "it starts with '{}', expected 'RIFF'",
            fourcc(&bytes[0..4])
        )));
    }
    if &bytes[8..12] != b"sfbk" {
        return Err(Fail::NotSoundFont(format!(
            "the RIFF form type is '{}', expected 'sfbk'",
            fourcc(&bytes[8..12])
        )));
    }
    let size = u32_at(bytes, 4).unwrap_or(0) as usize;
    if size < 4 {
        return Err(Fail::Malformed(format!(
            "RIFF chunk size {size} is too small to hold its form type"
        )));
    }
    let available = bytes.len() - 8;
    if size > available {
        return Err(Fail::Truncated(format!("the RIFF chunk claims {size} bytes but the file holds only {available} after its header")));
    }
    let body = &bytes[12..8 + size];
    let mut out = SfbkChunks::default();
    let (mut have_info, mut have_sdta, mut have_pdta) = (false, false, false);
    for chunk in subchunks(body, 12, "RIFF sfbk")? {
        if &chunk.id != b"LIST" {
            continue;
        }
        if chunk.data.len() < 4 {
            return Err(Fail::Malformed(format!(
                "LIST chunk at offset {} is {} bytes, too short for its list type",
                chunk.offset,
                chunk.data.len()
            )));
        }
        let kind = &chunk.data[..4];
        let (slot, seen, name) = match kind {
            b"INFO" => (&mut out.info, &mut have_info, "LIST INFO"),
            b"sdta" => (&mut out.sdta, &mut have_sdta, "LIST sdta"),
            b"pdta" => (&mut out.pdta, &mut have_pdta, "LIST pdta"),
            _ => continue,
        };
        if *seen {
            warn(format!(
                "a second {name} chunk at offset {} was ignored",
                chunk.offset
            ));
            continue;
        }
        *seen = true;
        *slot = subchunks(&chunk.data[4..], chunk.offset + 4, name)?;
    }
    if !have_pdta {
        return Err(Fail::Missing("LIST pdta".into()));
    }
    if !have_info {
        warn("the LIST INFO chunk is missing".into());
    }
    if !have_sdta {
        warn("the LIST sdta chunk is missing: there is no sample data".into());
    }
    Ok(out)
}

/// The first chunk with `id` in `chunks`.
pub(crate) fn find<'a, 'b>(chunks: &'b [Chunk<'a>], id: &[u8; 4]) -> Option<&'b Chunk<'a>> {
    chunks.iter().find(|c| &c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut v = id.to_vec();
        v.extend((data.len() as u32).to_le_bytes());
        v.extend(data);
        if data.len() % 2 == 1 {
            v.push(0);
        }
        v
    }

    fn list(kind: &[u8; 4], parts: &[Vec<u8>]) -> Vec<u8> {
        let mut body = kind.to_vec();
        for p in parts {
            body.extend(p);
        }
        chunk(b"LIST", &body)
    }

    fn riff(parts: &[Vec<u8>]) -> Vec<u8> {
        let mut body = b"sfbk".to_vec();
        for p in parts {
            body.extend(p);
        }
        chunk(b"RIFF", &body)
    }

    #[test]
    fn reads_lists_and_pads_odd_chunks() {
        let file = riff(&[
            list(
                b"INFO",
                &[chunk(b"INAM", b"abc"), chunk(b"ifil", &[2, 0, 4, 0])],
            ),
            list(b"sdta", &[chunk(b"smpl", &[1, 0, 2, 0])]),
            list(b"pdta", &[chunk(b"phdr", &[9; 38])]),
        ]);
        let mut warnings = Vec::new();
        let c = read_sfbk(&file, &mut |w| warnings.push(w)).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(c.info.len(), 2);
        assert_eq!(&c.info[0].id, b"INAM");
        assert_eq!(c.info[0].data, b"abc");
        // The pad byte after "abc" is skipped.
        assert_eq!(c.info[1].data, &[2, 0, 4, 0]);
        assert_eq!(find(&c.sdta, b"smpl").unwrap().data, &[1, 0, 2, 0]);
        assert_eq!(c.pdta[0].data.len(), 38);
        // RIFF(8) sfbk(4) LIST(8) INFO(4) INAM header(8): "abc" is at 32.
        assert_eq!(c.info[0].offset, 32);
    }

    #[test]
    fn rejects_wrong_magic_and_short_files() {
        let mut warn = |_| {};
        assert_eq!(
            read_sfbk(b"RIFF", &mut warn).unwrap_err(),
            Fail::NotSoundFont("the file is 4 bytes, too short for a RIFF header".into())
        );
        let mut wave = riff(&[]);
        wave[8..12].copy_from_slice(b"WAVE");
        assert_eq!(
            read_sfbk(&wave, &mut warn).unwrap_err(),
            Fail::NotSoundFont("the RIFF form type is 'WAVE', expected 'sfbk'".into())
        );
        let mut ogg = riff(&[]);
        ogg[0..4].copy_from_slice(b"OggS");
        assert_eq!(
            read_sfbk(&ogg, &mut warn).unwrap_err(),
            Fail::NotSoundFont("it starts with 'OggS', expected 'RIFF'".into())
        );
    }

    #[test]
    fn sizes_past_the_end_are_truncation_errors() {
        let mut file = riff(&[list(b"pdta", &[chunk(b"phdr", &[0; 38])])]);
        let n = file.len();
        file.truncate(n - 10);
        let e = read_sfbk(&file, &mut |_| {}).unwrap_err();
        assert_eq!(
            e,
            Fail::Truncated(format!(
                "the RIFF chunk claims {} bytes but the file holds only {} after its header",
                n - 8,
                n - 18
            ))
        );
        // Fix the RIFF size; now the LIST chunk inside is too long.
        let riff_size = (file.len() - 8) as u32;
        file[4..8].copy_from_slice(&riff_size.to_le_bytes());
        let e = read_sfbk(&file, &mut |_| {}).unwrap_err();
        assert_eq!(
            e,
            Fail::Truncated(format!(
                "RIFF sfbk: chunk 'LIST' at offset 12 claims {} bytes but only {} remain",
                n - 20,
                n - 30
            ))
        );
    }

    #[test]
    fn missing_lists_are_reported() {
        let file = riff(&[list(b"INFO", &[])]);
        assert_eq!(
            read_sfbk(&file, &mut |_| {}).unwrap_err(),
            Fail::Missing("LIST pdta".into())
        );
        let file = riff(&[list(b"pdta", &[])]);
        let mut warnings = Vec::new();
        read_sfbk(&file, &mut |w| warnings.push(w)).unwrap();
        assert_eq!(
            warnings,
            vec![
                "the LIST INFO chunk is missing".to_string(),
                "the LIST sdta chunk is missing: there is no sample data".to_string()
            ]
        );
    }

    #[test]
    fn stray_bytes_and_short_lists_are_errors() {
        let e = subchunks(&[1, 2, 3], 100, "LIST pdta").unwrap_err();
        assert_eq!(
            e,
            Fail::Truncated(
                "LIST pdta: 3 bytes at offset 100 are too few for a chunk header (8 bytes)".into()
            )
        );
        let file = riff(&[chunk(b"LIST", b"pd")]);
        let e = read_sfbk(&file, &mut |_| {}).unwrap_err();
        assert_eq!(
            e,
            Fail::Malformed(
                "LIST chunk at offset 20 is 2 bytes, too short for its list type".into()
            )
        );
        assert_eq!(fourcc(&[0, b'a', 0xff, b'b']), "\\x00a\\xffb");
    }
}
