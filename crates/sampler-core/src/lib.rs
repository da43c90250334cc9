//! The sampler's DSP core. No browser dependencies: it is tested natively
//! and compiled to wasm by `sampler-wasm`.
//!
//! - [`midi`]: parsing raw MIDI bytes.
//! - [`sample`], [`instrument`]: the instrument model.
//! - [`envelope`], [`voice`]: one sounding note.
//! - [`engine`]: the voice pool and MIDI handling.
//! - [`host`]: the ring → engine bridge that applies events at exact frames.

pub mod engine;
pub mod envelope;
pub mod host;
pub mod instrument;
pub mod midi;
pub mod sample;
pub mod voice;

pub use engine::Engine;
pub use host::{Host, HostStats};
pub use instrument::{Instrument, Zone};
pub use sample::Sample;
