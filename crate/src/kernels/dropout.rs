//! Dropout as one op: the mask is a hash of (seed, element index), drawn while the
//! values are scaled and drawn again for the backward pass, so it is never stored and
//! costs one pass each way (instead of a generator loop, a mask tensor and a multiply).

use super::{fast_path, keep_if, storage};
use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};
use rayon::prelude::*;

/// Zeroes each element of `x` with probability `rate` and scales the others by
/// 1 / (1 − `rate`), so the expected value is unchanged (inverted dropout, as Keras).
/// The mask depends only on `seed` and the element's index: the same seed drops the
/// same elements, on any device and thread count.
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> candle_core::Result<()> {
/// let x = Tensor::ones(10_000, candle_core::DType::F32, &Device::Cpu)?;
/// let y: Vec<f32> = dlcourse::kernels::dropout(&x, 0.25, 7)?.to_vec1()?;
/// let kept = y.iter().filter(|v| **v != 0.0).count();
/// assert!((7_300..7_700).contains(&kept));
/// assert!(y.iter().all(|v| *v == 0.0 || (*v - 4.0 / 3.0).abs() < 1e-6));
/// # Ok(()) }
/// ```
pub fn dropout(x: &Tensor, rate: f32, seed: u64) -> Result<Tensor> {
    if !(0.0..1.0).contains(&rate) {
        candle_core::bail!("dropout: the rate must be in [0, 1), got {rate}")
    }
    let op = Dropout::new(rate, seed);
    if !fast_path(&[x]) {
        let mask: Vec<f32> = (0..x.elem_count()).map(|i| op.factor(i)).collect();
        let mask = Tensor::from_vec(mask, x.shape(), x.device())?.to_dtype(x.dtype())?;
        return x.mul(&mask);
    }
    x.contiguous()?.apply_op1(op)
}

/// Values per parallel task.
const CHUNK: usize = 1 << 14;

/// The op; its backward pass applies the same mask to the gradient.
#[derive(Clone, Copy)]
pub(super) struct Dropout {
    seed: u64,
    /// An element is kept when the top 32 bits of its hash are below this.
    threshold: u64,
    scale: f32,
}

impl Dropout {
    pub(super) fn new(rate: f32, seed: u64) -> Self {
        let keep = 1.0 - rate as f64;
        Dropout {
            seed,
            threshold: (keep * (1u64 << 32) as f64) as u64,
            scale: (1.0 / keep) as f32,
        }
    }

    /// The factor element `i` is multiplied by: 0 or the scale.
    #[inline(always)]
    pub(super) fn factor(&self, i: usize) -> f32 {
        let hash = splitmix64(self.seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        keep_if(hash >> 32 < self.threshold, self.scale)
    }

    /// `values` (element `offset` onwards) times their factors, into `out`.
    fn apply(&self, values: &[f32], offset: usize, out: &mut [f32]) {
        for (i, (o, v)) in out.iter_mut().zip(values).enumerate() {
            *o = v * self.factor(offset + i);
        }
    }
}

/// SplitMix64's finaliser: a well-mixed 64-bit hash of `x`.
#[inline(always)]
fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl CustomOp1 for Dropout {
    fn name(&self) -> &'static str {
        "dlcourse-dropout"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let x = storage::values(s, l, "dropout input")?;
        let mut out = vec![0f32; x.len()];
        out.par_chunks_mut(CHUNK)
            .zip(x.par_chunks(CHUNK))
            .enumerate()
            .for_each(|(c, (out, x))| self.apply(x, c * CHUNK, out));
        Ok((CpuStorage::F32(out), l.shape().clone()))
    }

    fn bwd(&self, _x: &Tensor, _y: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(grad.contiguous()?.apply_op1_no_bwd(self)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    #[test]
    fn the_gradient_goes_through_the_kept_elements_only() -> Result<()> {
        let x = Var::from_tensor(&Tensor::ones(4096, candle_core::DType::F32, &Device::Cpu)?)?;
        let y = dropout(&x, 0.5, 11)?;
        let grads = y.sum_all()?.backward()?;
        let g: Vec<f32> = grads.get(&x).expect("a gradient").to_vec1()?;
        assert_eq!(g, y.to_vec1::<f32>()?, "d(Σy)/dx is the mask itself");
        let f64_mask: Vec<f64> =
            dropout(&x.to_dtype(candle_core::DType::F64)?, 0.5, 11)?.to_vec1()?;
        assert!(
            f64_mask.iter().zip(&g).all(|(a, b)| *a as f32 == *b),
            "same mask off the fast path"
        );
        Ok(())
    }
}
