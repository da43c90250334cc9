//! Four f32 lanes, for processing four voices side by side.
//!
//! The render loop runs several voices' filters and mixes in lanes (see
//! `render.rs`): a voice's filter is a per-sample recursion whose speed is
//! bound by the latency of each step, so running independent voices
//! together is the only way to use the machine's width. The arithmetic is
//! written once, generic over [`F32x4`], and instantiated with
//! - [`Native`]: wasm `simd128` (when the build enables it) or x86_64 SSE2
//!   (always present there);
//! - [`Portable`]: plain `[f32; 4]`, the fallback on every other target and
//!   the reference the native type is tested against (`render.rs` tests).
//!
//! Both do the same IEEE operations in the same order (no fused
//! multiply-add), so they agree exactly.

use std::ops::{Add, Mul, Sub};

/// Four f32 lanes with element-wise arithmetic.
pub(crate) trait F32x4: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> {
    fn splat(x: f32) -> Self;
    fn load(a: &[f32; 4]) -> Self;
    fn store(self, a: &mut [f32; 4]);
    /// Rows become columns: lane `i` of result `j` is lane `j` of `m[i]`.
    fn transpose(m: [Self; 4]) -> [Self; 4];
}

/// The portable form: four scalars. Where a native SIMD type exists, only
/// the tests use it.
#[cfg_attr(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128")), allow(dead_code))]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Portable([f32; 4]);

impl F32x4 for Portable {
    #[inline(always)]
    fn splat(x: f32) -> Self {
        Portable([x; 4])
    }
    #[inline(always)]
    fn load(a: &[f32; 4]) -> Self {
        Portable(*a)
    }
    #[inline(always)]
    fn store(self, a: &mut [f32; 4]) {
        *a = self.0;
    }
    #[inline(always)]
    fn transpose(m: [Self; 4]) -> [Self; 4] {
        std::array::from_fn(|j| Portable(std::array::from_fn(|i| m[i].0[j])))
    }
}

/// Implements `Add`, `Sub` and `Mul` for a one-field lane type with
/// functions of two inner values.
macro_rules! lane_ops {
    ($ty:ident, $add:expr, $sub:expr, $mul:expr) => {
        impl std::ops::Add for $ty {
            type Output = $ty;
            #[inline(always)]
            fn add(self, o: $ty) -> $ty {
                $ty(($add)(self.0, o.0))
            }
        }
        impl std::ops::Sub for $ty {
            type Output = $ty;
            #[inline(always)]
            fn sub(self, o: $ty) -> $ty {
                $ty(($sub)(self.0, o.0))
            }
        }
        impl std::ops::Mul for $ty {
            type Output = $ty;
            #[inline(always)]
            fn mul(self, o: $ty) -> $ty {
                $ty(($mul)(self.0, o.0))
            }
        }
    };
}

#[cfg_attr(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128")), allow(dead_code))]
#[inline(always)]
fn each(a: [f32; 4], b: [f32; 4], f: impl Fn(f32, f32) -> f32) -> [f32; 4] {
    [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
}
lane_ops!(Portable, |a, b| each(a, b, |x, y| x + y), |a, b| each(a, b, |x, y| x - y), |a, b| each(a, b, |x, y| x * y));

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod arch {
    use core::arch::wasm32::{f32x4_add, f32x4_mul, f32x4_splat, f32x4_sub, i32x4_shuffle, v128, v128_load, v128_store};

    /// wasm `simd128`.
    #[derive(Clone, Copy, Debug)]
    pub(crate) struct Native(v128);

    impl super::F32x4 for Native {
        #[inline(always)]
        fn splat(x: f32) -> Self {
            Native(f32x4_splat(x))
        }
        #[inline(always)]
        fn load(a: &[f32; 4]) -> Self {
            // SAFETY: `a` is 16 readable bytes; v128.load has no alignment requirement.
            Native(unsafe { v128_load(a.as_ptr().cast()) })
        }
        #[inline(always)]
        fn store(self, a: &mut [f32; 4]) {
            // SAFETY: `a` is 16 writable bytes; v128.store has no alignment requirement.
            unsafe { v128_store(a.as_mut_ptr().cast(), self.0) }
        }
        #[inline(always)]
        fn transpose([a, b, c, d]: [Self; 4]) -> [Self; 4] {
            // Interleave pairs of rows, then take 64-bit halves.
            let ab_lo = i32x4_shuffle::<0, 4, 1, 5>(a.0, b.0);
            let cd_lo = i32x4_shuffle::<0, 4, 1, 5>(c.0, d.0);
            let ab_hi = i32x4_shuffle::<2, 6, 3, 7>(a.0, b.0);
            let cd_hi = i32x4_shuffle::<2, 6, 3, 7>(c.0, d.0);
            [
                Native(i32x4_shuffle::<0, 1, 4, 5>(ab_lo, cd_lo)),
                Native(i32x4_shuffle::<2, 3, 6, 7>(ab_lo, cd_lo)),
                Native(i32x4_shuffle::<0, 1, 4, 5>(ab_hi, cd_hi)),
                Native(i32x4_shuffle::<2, 3, 6, 7>(ab_hi, cd_hi)),
            ]
        }
    }

    lane_ops!(Native, f32x4_add, f32x4_sub, f32x4_mul);
}

#[cfg(target_arch = "x86_64")]
mod arch {
    use core::arch::x86_64::{
        __m128, _mm_add_ps, _mm_loadu_ps, _mm_movehl_ps, _mm_movelh_ps, _mm_mul_ps, _mm_set1_ps, _mm_storeu_ps, _mm_sub_ps,
        _mm_unpackhi_ps, _mm_unpacklo_ps,
    };

    /// x86_64 SSE2 (part of the x86_64 baseline, so always available).
    #[derive(Clone, Copy, Debug)]
    pub(crate) struct Native(__m128);

    // SAFETY (every `unsafe` below): SSE and SSE2 are part of the x86_64
    // baseline, so these instructions exist on every x86_64 CPU; the
    // compiler only asks for `unsafe` because these functions are not
    // themselves marked with the target feature.
    impl super::F32x4 for Native {
        #[inline(always)]
        fn splat(x: f32) -> Self {
            Native(unsafe { _mm_set1_ps(x) })
        }
        #[inline(always)]
        fn load(a: &[f32; 4]) -> Self {
            // SAFETY: as above, and `a` is 16 readable bytes; loadu has no
            // alignment requirement.
            Native(unsafe { _mm_loadu_ps(a.as_ptr()) })
        }
        #[inline(always)]
        fn store(self, a: &mut [f32; 4]) {
            // SAFETY: as above, and `a` is 16 writable bytes; storeu has no
            // alignment requirement.
            unsafe { _mm_storeu_ps(a.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn transpose([a, b, c, d]: [Self; 4]) -> [Self; 4] {
            // Interleave pairs of rows, then take 64-bit halves.
            unsafe {
                let (ab_lo, cd_lo) = (_mm_unpacklo_ps(a.0, b.0), _mm_unpacklo_ps(c.0, d.0));
                let (ab_hi, cd_hi) = (_mm_unpackhi_ps(a.0, b.0), _mm_unpackhi_ps(c.0, d.0));
                [
                    Native(_mm_movelh_ps(ab_lo, cd_lo)),
                    Native(_mm_movehl_ps(cd_lo, ab_lo)),
                    Native(_mm_movelh_ps(ab_hi, cd_hi)),
                    Native(_mm_movehl_ps(cd_hi, ab_hi)),
                ]
            }
        }
    }

    #[inline(always)]
    fn add(a: __m128, b: __m128) -> __m128 {
        unsafe { _mm_add_ps(a, b) }
    }
    #[inline(always)]
    fn sub(a: __m128, b: __m128) -> __m128 {
        unsafe { _mm_sub_ps(a, b) }
    }
    #[inline(always)]
    fn mul(a: __m128, b: __m128) -> __m128 {
        unsafe { _mm_mul_ps(a, b) }
    }
    lane_ops!(Native, add, sub, mul);
}

#[cfg(any(all(target_arch = "wasm32", target_feature = "simd128"), target_arch = "x86_64"))]
pub(crate) use arch::Native;

/// Without a vector unit we know of, the portable form is the native one.
#[cfg(not(any(all(target_arch = "wasm32", target_feature = "simd128"), target_arch = "x86_64")))]
pub(crate) type Native = Portable;
