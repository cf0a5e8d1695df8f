//! Run-time choice of AVX2: the course's crate is compiled for baseline x86-64 (4-lane
//! SSE2), so the kernels' own element-wise loops are compiled a second time for AVX2 + FMA
//! (8 lanes) and pick that copy at run time when the CPU has it, as the `gemm` crate does
//! for its micro-kernels.

/// Whether this CPU runs the AVX2 copies.
#[inline(always)]
pub(super) fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Defines `pub(super) fn $name(args)` running `$body` compiled for AVX2 when the CPU has
/// it, else for the baseline target.
macro_rules! with_avx2 {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$doc])*
        pub(super) fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn body($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn avx2($($arg: $ty),*) {
                body($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            if super::simd::has_avx2() {
                // SAFETY: the CPU was just checked to have AVX2 and FMA.
                return unsafe { avx2($($arg),*) };
            }
            body($($arg),*)
        }
    };
}
