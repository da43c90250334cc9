//! Reading a sample between its frames.

/// Selectable per engine. Linear is the cheapest; Hermite (4-point, 3rd
/// order, Catmull-Rom) keeps much more of the top octave clean when a sample
/// is pitched up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Interpolation {
    #[default]
    Linear,
    Hermite,
}

/// `w` holds the frames at offsets -1, 0, 1, 2 around the read position;
/// `frac` is the position past frame 0, in [0, 1).
#[inline(always)]
pub fn interpolate(mode: Interpolation, w: [f32; 4], frac: f32) -> f32 {
    match mode {
        Interpolation::Linear => w[1] + (w[2] - w[1]) * frac,
        Interpolation::Hermite => {
            let c1 = 0.5 * (w[2] - w[0]);
            let c2 = w[0] - 2.5 * w[1] + 2.0 * w[2] - 0.5 * w[3];
            let c3 = 0.5 * (w[3] - w[0]) + 1.5 * (w[1] - w[2]);
            ((c3 * frac + c2) * frac + c1) * frac + w[1]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_pass_through_the_frames() {
        let w = [0.3, -0.5, 0.8, 0.1];
        for mode in [Interpolation::Linear, Interpolation::Hermite] {
            assert_eq!(interpolate(mode, w, 0.0), -0.5);
            assert!((interpolate(mode, w, 0.999_999) - 0.8).abs() < 1e-4);
        }
    }

    #[test]
    fn hermite_is_exact_for_quadratics_and_linear_is_not() {
        let f = |x: f32| 0.5 * x * x - x + 0.25;
        let w = [f(-1.0), f(0.0), f(1.0), f(2.0)];
        for frac in [0.25f32, 0.5, 0.75] {
            assert!((interpolate(Interpolation::Hermite, w, frac) - f(frac)).abs() < 1e-6);
            assert!((interpolate(Interpolation::Linear, w, frac) - f(frac)).abs() > 1e-3);
        }
    }
}
