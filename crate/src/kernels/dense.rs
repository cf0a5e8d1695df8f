//! A whole fully connected layer as one op: `x·wᵀ + b`, then ReLU or LeakyReLU when asked.
//!
//! As separate Candle ops, a Dense layer is a matmul, a broadcast add and an activation:
//! forward, two more passes over the output and two fresh tensors; backward, Candle sums
//! the bias gradient over the batch, builds the activation's mask from comparison tensors,
//! and allocates and adds a zero gradient for every intermediate node. Fused, the bias and
//! the activation are applied to the GEMM's output in place, and the backward pass is the
//! activation mask, a column sum and two GEMMs — the input's skipped when the input is
//! data.

use super::conv_backward::through_relu;
use super::gemm::{MatRef, matmul};
use super::leaky_relu::{activate, activate_with_candle_ops};
use super::linear::{Names, operands, x_times_wt};
use super::{fast_path, linear, storage, threads};
use candle_core::{CpuStorage, CustomOp3, Device, Layout, Result, Shape, Tensor, bail};

/// A Dense layer in one op: `x·wᵀ + b` for `x` of `[batch, inputs]`, `w` of
/// `[outputs, inputs]` and `b` of `[outputs]`, then the activation `negative_slope` names:
/// `None` none, `Some(0.0)` ReLU, `Some(α)` LeakyReLU(α) (a finite α ≥ 0). The same values
/// as `x.matmul(&w.t()?)?.broadcast_add(b)?` followed by `relu` or `leaky_relu`, and the
/// same gradients.
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> candle_core::Result<()> {
/// let x = Tensor::new(&[[1f32, 2.]], &Device::Cpu)?;
/// let w = Tensor::new(&[[1f32, 0.], [1., 1.], [0., -1.]], &Device::Cpu)?;
/// let b = Tensor::new(&[0.5f32, 0., 0.], &Device::Cpu)?;
/// let y = dlcourse::kernels::linear_bias(&x, &w, &b, Some(0.0))?;
/// assert_eq!(y.to_vec2::<f32>()?, [[1.5, 3., 0.]]);
/// # Ok(()) }
/// ```
pub fn linear_bias(
    x: &Tensor,
    w: &Tensor,
    b: &Tensor,
    negative_slope: Option<f32>,
) -> Result<Tensor> {
    if let Some(slope) = negative_slope
        && !(slope.is_finite() && slope >= 0.0)
    {
        bail!(
            "linear_bias: a negative slope of {slope}, expected a finite slope ≥ 0 (0 for \
             ReLU); apply other activations after the layer"
        )
    }
    if !fast_path(&[x, w, b]) || x.rank() != 2 {
        let y = linear(x, w)?.broadcast_add(b)?;
        return activate_with_candle_ops(y, negative_slope);
    }
    x.contiguous()?.apply_op3(
        &w.contiguous()?,
        &b.contiguous()?,
        LinearBias { negative_slope },
    )
}

/// The op; `negative_slope` as in [`linear_bias`].
struct LinearBias {
    negative_slope: Option<f32>,
}

impl CustomOp3 for LinearBias {
    fn name(&self) -> &'static str {
        "dlcourse-linear-bias"
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        xl: &Layout,
        ws: &CpuStorage,
        wl: &Layout,
        bs: &CpuStorage,
        bl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let names = Names {
            op: "linear_bias",
            input: "linear_bias input",
            weight: "linear_bias weight",
        };
        let (x, w, sizes) = operands(xs, xl, ws, wl, &names)?;
        let (batch, _, outputs) = sizes;
        let bias = storage::values(bs, bl, "linear_bias bias")?;
        if bias.len() != outputs {
            bail!("linear_bias: {} biases for {outputs} outputs", bias.len())
        }
        let mut out = bias.repeat(batch);
        x_times_wt(&mut out, x, w, sizes, true);
        activate(&mut out, self.negative_slope);
        Ok((CpuStorage::F32(out), Shape::from((batch, outputs))))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        b: &Tensor,
        output: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (batch, inputs) = x.dims2()?;
        let outputs = w.dim(0)?;
        let grad = grad.contiguous()?;
        let (xs, xl) = x.storage_and_layout();
        let (ws, wl) = w.storage_and_layout();
        let (ys, yl) = output.storage_and_layout();
        let (gs, gl) = grad.storage_and_layout();
        let x_values = storage::tensor_values(&xs, xl, "linear_bias input")?;
        let w_values = storage::tensor_values(&ws, wl, "linear_bias weight")?;
        let raw = storage::tensor_values(&gs, gl, "linear_bias output gradient")?;
        let activation = match self.negative_slope {
            Some(slope) => Some((
                storage::tensor_values(&ys, yl, "linear_bias output")?,
                slope,
            )),
            None => None,
        };
        let mut masked = vec![0f32; if activation.is_some() { raw.len() } else { 0 }];
        let g = through_relu(raw, activation, &mut masked);
        let g_rows = MatRef::row_major(g, batch, outputs);
        let tensor =
            |values: Vec<f32>, like: &Tensor| Tensor::from_vec(values, like.shape(), &Device::Cpu);
        let bias_grad = if b.track_op() {
            let mut sums = vec![0f32; outputs];
            for row in g.chunks_exact(outputs) {
                sums.iter_mut().zip(row).for_each(|(s, v)| *s += v);
            }
            Some(tensor(sums, b)?)
        } else {
            None
        };
        // A GEMM's result as the gradient of `like`, when `like` needs one.
        let product = |like: &Tensor, lhs: MatRef, rhs: MatRef| -> Result<Option<Tensor>> {
            if !like.track_op() {
                return Ok(None);
            }
            let mut values = vec![0f32; like.elem_count()];
            matmul(&mut values, lhs, rhs, false, threads());
            Ok(Some(tensor(values, like)?))
        };
        let w_grad = product(w, g_rows.t(), MatRef::row_major(x_values, batch, inputs))?;
        let x_grad = product(x, g_rows, MatRef::row_major(w_values, outputs, inputs))?;
        Ok((x_grad, w_grad, bias_grad))
    }
}
