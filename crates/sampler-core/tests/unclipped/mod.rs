//! The test rig with the output clip off: level and finiteness checks must
//! see the engine's plain sum, because the soft clip maps NaN to 0 and
//! would hide a broken voice (issue 9, F2).

use crate::common::Rig;
use sampler_core::Instrument;

pub fn unclipped_rig(sample_rate: f32, polyphony: usize, instrument: Instrument) -> Rig {
    let mut rig = Rig::new(sample_rate, polyphony, instrument);
    rig.host.engine.set_output_clip(false);
    rig
}
