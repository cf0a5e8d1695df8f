//! `exp`, the logistic sigmoid and `tanh` for f32 values, written so the compiler turns
//! loops over them into SIMD code: no branches, no calls into libm. Within a few ulp of the
//! exact values (relative error below 4e-7), which is what the recurrent cells need
//! for their gates in every step of every sequence.

/// `exp(x)` for x in −87 … 88 (f32's normal range); beyond it, the value at the bound.
#[inline(always)]
pub(super) fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split in two, so k·ln 2 is subtracted without rounding error.
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // Adding and subtracting 1.5·2²³ rounds to the nearest integer, branch-free.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let k = (x * LOG2_E + ROUND) - ROUND;
    let r = x - k * LN2_HI - k * LN2_LO;
    // exp(r) for |r| ≤ ln 2 / 2: Taylor series to r⁶ (error < 2e-8 relative).
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // Multiply by 2^k by building the float's exponent bits.
    let scale = f32::from_bits(((k as i32 + 127) as u32) << 23);
    p * scale
}

/// The logistic sigmoid 1 / (1 + e⁻ˣ).
#[inline(always)]
pub(super) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// `tanh(x)` as 1 − 2 / (e²ˣ + 1): exact limits ±1, no cancellation near ±1, an absolute
/// error below 1e-7 near 0.
#[inline(always)]
pub(super) fn tanh(x: f32) -> f32 {
    1.0 - 2.0 / (exp(2.0 * x) + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_the_standard_library() {
        let mut worst = (0f32, 0f32, 0f32);
        for i in -20_000..=20_000 {
            let x = i as f32 * 0.004;
            let e = (exp(x) - x.exp()).abs() / x.exp();
            let s = (sigmoid(x) - 1.0 / (1.0 + (-x).exp())).abs();
            let t = (tanh(x) - x.tanh()).abs();
            worst = (worst.0.max(e), worst.1.max(s), worst.2.max(t));
        }
        assert!(worst.0 < 4e-7, "exp: relative error {}", worst.0);
        assert!(worst.1 < 2e-7, "sigmoid: absolute error {}", worst.1);
        assert!(worst.2 < 3e-7, "tanh: absolute error {}", worst.2);
        assert_eq!((tanh(50.0), tanh(-50.0)), (1.0, -1.0));
        assert!(sigmoid(-100.0) < 1e-30 && sigmoid(100.0) == 1.0);
        assert!(exp(-1000.0) > 0.0 && exp(1000.0).is_finite());
    }
}
