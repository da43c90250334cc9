//! The sampler's DSP core. No browser dependencies: it is tested natively
//! and compiled to wasm by `sampler-wasm`.
//!
//! - [`midi`]: parsing raw MIDI bytes.
//! - [`sample`], [`region`], [`instrument`]: the instrument model;
//!   [`sample_builder`]: a sample written in pieces (loading in steps).
//! - [`envelope`], [`filter`], [`interpolation`], [`voice`]: one sounding note.
//! - `render`, `simd`: voices' filters and mix run side by side in SIMD lanes.
//! - [`channel`]: per-channel MIDI state; [`note_input`]: transpose and velocity curve.
//! - [`engine`]: the voice pool, MIDI handling and the mix; `allocate`:
//!   starting a note's voices with bounded work.
//! - [`host`]: the ring → engine bridge that applies events at exact frames,
//!   with its bounded queue of future events (`event_queue`).
//! - [`alloc_guard`]: the debug-build check that `Host::process` never allocates.

pub mod alloc_guard;
mod allocate;
pub mod channel;
pub mod engine;
pub mod envelope;
mod event_queue;
pub mod filter;
pub mod host;
pub mod instrument;
pub mod instrument_builder;
pub mod interpolation;
pub mod midi;
pub mod note_input;
mod read;
pub mod region;
mod render;
#[cfg(test)]
mod render_tests;
pub mod sample;
pub mod sample_builder;
#[cfg(feature = "test-util")]
#[doc(hidden)]
pub mod testing;
mod simd;
pub mod voice;

pub use engine::{Engine, EngineCounters, MpeZones};
pub use read::{MAX_STEP, MIN_STEP};
pub use host::{Host, HostStats};
pub use instrument::Instrument;
pub use instrument_builder::InstrumentBuilder;
pub use interpolation::Interpolation;
pub use note_input::{NoteInput, VelocityCurve};
pub use region::{LoopMode, Region, Trigger};
pub use sample::Sample;
pub use sample_builder::{SampleBuilder, SampleFormat};
