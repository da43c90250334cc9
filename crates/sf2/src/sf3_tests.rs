//! SF3: compressed samples are listed with their Ogg bytes, and presets
//! are laid out against the decoded lengths the caller supplies (this
//! crate does not decode Vorbis; the bytes here are stand-ins).

use crate::testutil::{gen, Builder, TSample, TZone};
use crate::{SampleRef, Sf2Error, SoundFont};
use sampler_core::LoopMode;

const FIRST: &[u8] = b"OggS first stream"; // 17 bytes: odd sizes are normal in SF3
const SECOND: &[u8] = b"OggS second";

fn sf3() -> Builder {
    let mut f = Builder::new(Vec::new());
    f.version = (3, 1);
    f.smpl_bytes = Some([FIRST, SECOND].concat());
    let n = FIRST.len() as u32;
    // Loop points count frames of the decoded sample, not bytes.
    let a = f.sample(TSample {
        kind: 0x11,
        rate: 32000,
        ..TSample::new("Flute", 0, n, 69).looped(100, 900)
    });
    let b = f.sample(TSample {
        kind: 0x11,
        ..TSample::new("Click", n, n + SECOND.len() as u32, 60)
    });
    let inst = f.instrument(
        "Mix",
        vec![
            TZone::gens(&[
                gen::key(0, 63),
                gen::i(54, 1),
                gen::i(1, -24),
                gen::sample(a),
            ]), // loops; end 24 earlier
            TZone::gens(&[gen::key(64, 127), gen::i(0, 10), gen::sample(b)]), // start offset 10
        ],
    );
    f.preset("Mix", 5, 0, vec![TZone::gens(&[gen::instrument(inst)])]);
    f
}

#[test]
fn compressed_samples_are_listed_with_their_ogg_bytes() {
    let sf = SoundFont::parse("test.sf3", &sf3().build()).unwrap();
    assert!(sf.warnings().is_empty(), "{:?}", sf.warnings());
    assert_eq!(sf.version(), Some((3, 1)));
    assert_eq!(sf.compressed_samples(0), vec![0, 1]);
    assert_eq!(sf.compressed_bytes(0), Some(FIRST));
    assert_eq!(sf.compressed_bytes(1), Some(SECOND));
    assert_eq!(sf.sample_name(1), Some("Click"));
    // instrument() cannot decode: it says so instead of building silence.
    let err = sf.instrument(0).unwrap_err().to_string();
    assert!(err.contains("Ogg Vorbis compressed (SF3)"), "{err}");
}

#[test]
fn layout_uses_the_decoded_lengths_and_relative_loops() {
    let sf = SoundFont::parse("test.sf3", &sf3().build()).unwrap();
    let l = sf
        .layout(0, &|i| Some(if i == 0 { 1000 } else { 300 }))
        .unwrap();
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    assert_eq!(
        l.samples,
        vec![
            SampleRef::Decoded {
                sample: 0,
                start: 0,
                end: 976,
                rate: 32000
            },
            SampleRef::Decoded {
                sample: 1,
                start: 0,
                end: 300,
                rate: 44100
            },
        ]
    );
    let (flute, click) = (&l.regions[0], &l.regions[1]);
    assert_eq!(
        (
            flute.sample,
            flute.loop_mode,
            flute.loop_start,
            flute.loop_end
        ),
        (0, LoopMode::Continuous, 100, 900)
    );
    assert_eq!((click.sample, click.offset, click.root_key), (1, 10, 60));
    assert!(sf.pcm_sample(&l.samples[0]).is_none());
}

#[test]
fn undecoded_or_short_samples_are_reported() {
    let sf = SoundFont::parse("test.sf3", &sf3().build()).unwrap();
    // The loop does not fit a 500-frame decode; the click was not decoded.
    let l = sf.layout(0, &|i| (i == 0).then_some(500)).unwrap();
    assert_eq!(l.regions.len(), 1);
    assert_eq!(l.regions[0].loop_mode, LoopMode::NoLoop);
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("loop 100..900 does not fit")),
        "{:?}",
        l.warnings
    );
    assert!(
        l.warnings
            .iter()
            .any(|w| w == "compressed sample 'Click' was not decoded; zones using it are skipped"),
        "{:?}",
        l.warnings
    );
    assert!(matches!(
        sf.layout(0, &|_| None),
        Err(Sf2Error::NoPlayableRegions { .. })
    ));
    assert!(matches!(
        sf.layout(0, &|_| Some(0)),
        Err(Sf2Error::NoPlayableRegions { .. })
    ));
}

#[test]
fn compressed_byte_ranges_outside_the_data_are_skipped() {
    let mut f = sf3();
    f.samples[1].end = 1000;
    let sf = SoundFont::parse("bad.sf3", &f.build()).unwrap();
    assert!(
        sf.warnings().iter().any(|w| w.contains(
            "compressed sample 'Click' bytes 17..1000 are not inside the 28-byte sample data"
        )),
        "{:?}",
        sf.warnings()
    );
    assert_eq!(sf.compressed_samples(0), vec![0]);
    assert_eq!(sf.compressed_bytes(1), None);
}
