//! LeakyReLU as one op: one pass forward, one pass backward.
//!
//! candle-nn's `leaky_relu` is `max(x, 0) + slope·min(x, 0)`: five whole-tensor passes
//! forward, and backward each `maximum`/`minimum` builds two comparison masks, converts,
//! multiplies and divides them — about twenty passes and as many fresh tensors. A GAN's
//! generator applies it to its widest layer (64 × 12,544 values per batch), so it cost
//! more than that layer's matrix product.

use super::{fast_path, storage};
use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape, Tensor, bail};
use rayon::prelude::*;

/// Values per parallel task: large enough that scheduling costs nothing.
const CHUNK: usize = 1 << 14;

/// LeakyReLU: `x` where `x > 0`, `negative_slope·x` elsewhere (TensorFlow's
/// `leaky_relu`; its gradient is 1 where `x > 0` and `negative_slope` elsewhere, at 0
/// included). Any finite slope; 0 is ReLU. Off the CPU, or for other types than f32,
/// candle-nn's `leaky_relu` computes it.
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> candle_core::Result<()> {
/// let x = Tensor::new(&[-2f32, 0.0, 3.0], &Device::Cpu)?;
/// let y = dlcourse::kernels::leaky_relu(&x, 0.2)?;
/// assert_eq!(y.to_vec1::<f32>()?, [-0.4, 0.0, 3.0]);
/// # Ok(()) }
/// ```
pub fn leaky_relu(x: &Tensor, negative_slope: f32) -> Result<Tensor> {
    if !negative_slope.is_finite() {
        bail!("leaky_relu: a negative slope of {negative_slope}, expected a finite number")
    }
    if !fast_path(&[x]) {
        return candle_nn::ops::leaky_relu(x, negative_slope as f64);
    }
    x.contiguous()?.apply_op1(LeakyRelu(negative_slope))
}

/// Applies the activation `negative_slope` names to `values` in place: `None` none,
/// `Some(0.0)` ReLU, `Some(α)` LeakyReLU(α) (what the fused convolution layers apply to
/// each image's output while it is in cache).
pub(super) fn activate(values: &mut [f32], negative_slope: Option<f32>) {
    match negative_slope {
        None => {}
        Some(0.0) => values.iter_mut().for_each(|v| *v = v.max(0.0)),
        Some(slope) => values.iter_mut().for_each(|v| *v = leaky(*v, slope)),
    }
}

/// [`activate`] on a tensor, in Candle's ops (the convolutions' fallbacks off the fast
/// path).
pub(super) fn activate_with_candle_ops(y: Tensor, negative_slope: Option<f32>) -> Result<Tensor> {
    match negative_slope {
        None => Ok(y),
        Some(0.0) => y.relu(),
        Some(slope) => candle_nn::ops::leaky_relu(&y, slope.into()),
    }
}

#[inline(always)]
fn leaky(x: f32, slope: f32) -> f32 {
    if x > 0.0 { x } else { slope * x }
}

/// The op; its parameter is the negative slope.
struct LeakyRelu(f32);

impl CustomOp1 for LeakyRelu {
    fn name(&self) -> &'static str {
        "dlcourse-leaky-relu"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let x = storage::values(s, l, "leaky_relu input")?;
        let slope = self.0;
        let y: Vec<f32> = x
            .par_chunks(CHUNK)
            .flat_map_iter(|c| c.iter().map(move |&v| leaky(v, slope)))
            .collect();
        Ok((CpuStorage::F32(y), l.shape().clone()))
    }

    fn bwd(&self, x: &Tensor, _y: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        let grad = grad.contiguous()?;
        let (xs, xl) = x.storage_and_layout();
        let (gs, gl) = grad.storage_and_layout();
        let x = storage::tensor_values(&xs, xl, "leaky_relu input")?;
        let g = storage::tensor_values(&gs, gl, "leaky_relu output gradient")?;
        if x.len() != g.len() {
            bail!(
                "leaky_relu: a gradient of {} values for {} inputs",
                g.len(),
                x.len()
            )
        }
        let slope = self.0;
        let dx: Vec<f32> = x
            .par_chunks(CHUNK)
            .zip(g.par_chunks(CHUNK))
            .flat_map_iter(|(x, g)| {
                x.iter()
                    .zip(g)
                    .map(move |(&x, &g)| if x > 0.0 { g } else { slope * g })
            })
            .collect();
        Ok(Some(Tensor::from_vec(
            dx,
            xl.shape(),
            &candle_core::Device::Cpu,
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::seeded_normal;
    use candle_core::Var;

    /// Output and input gradient of Σ f(x)·r.
    fn run(x: &Var, r: &Tensor, f: impl Fn(&Tensor) -> Result<Tensor>) -> (Vec<f32>, Vec<f32>) {
        let y = f(x.as_tensor()).unwrap();
        let grads = (&y * r).unwrap().sum_all().unwrap().backward().unwrap();
        let flat = |t: &Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        (flat(&y), flat(grads.get(x).expect("a gradient")))
    }

    #[test]
    fn matches_candle_nns_leaky_relu_values_and_gradients() {
        // Odd sizes, one larger than a parallel chunk, and every slope the layers use.
        for (i, (shape, slope)) in [
            (vec![7], 0.2f32),
            (vec![3, 5, 4], 0.01),
            (vec![2, 40_001], 0.3),
            (vec![4, 9], 0.0),
            (vec![5, 6], -0.5),
        ]
        .into_iter()
        .enumerate()
        {
            let x = seeded_normal(&shape, 0.0, 1.0, 40 + i as u64).unwrap();
            let r = seeded_normal(&shape, 0.0, 1.0, 50 + i as u64).unwrap();
            let ours = run(&x, r.as_tensor(), |x| leaky_relu(x, slope));
            let candle = run(&x, r.as_tensor(), |x| {
                candle_nn::ops::leaky_relu(x, slope as f64)
            });
            assert_eq!(ours.0, candle.0, "values, case {i}");
            // Random normal inputs are never exactly 0, where the two differ (candle-nn
            // averages the two sides there).
            for (a, b) in ours.1.iter().zip(&candle.1) {
                assert!(
                    (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                    "gradient, case {i}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn the_gradient_at_zero_is_the_slope_as_in_tensorflow() {
        let x = Var::new(&[0f32, 1.0, -1.0], &candle_core::Device::Cpu).unwrap();
        let ones = Tensor::ones(3, candle_core::DType::F32, &candle_core::Device::Cpu).unwrap();
        let (y, dx) = run(&x, &ones, |x| leaky_relu(x, 0.2));
        assert_eq!(y, [0.0, 1.0, -0.2]);
        assert_eq!(dx, [0.2, 1.0, 0.2]);
    }

    #[test]
    fn other_dtypes_fall_back_and_bad_slopes_are_refused() {
        let x = Tensor::new(&[-1f64, 2.0], &candle_core::Device::Cpu).unwrap();
        assert_eq!(
            leaky_relu(&x, 0.5).unwrap().to_vec1::<f64>().unwrap(),
            [-0.5, 2.0]
        );
        let err = leaky_relu(&x, f32::NAN).unwrap_err().to_string();
        assert!(err.contains("negative slope"), "{err}");
    }

    #[test]
    fn activate_in_place_names_none_relu_and_leaky() {
        let mut v = [-2f32, 3.0];
        activate(&mut v, None);
        assert_eq!(v, [-2.0, 3.0]);
        activate(&mut v, Some(0.5));
        assert_eq!(v, [-1.0, 3.0]);
        activate(&mut v, Some(0.0));
        assert_eq!(v, [0.0, 3.0]);
    }
}
