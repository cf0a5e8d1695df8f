//! `x·wᵀ` for a batch of rows, whose backward pass skips the gradient of an input that
//! needs none.

use super::gemm::{MatRef, matmul};
use super::{fast_path, storage, threads};
use candle_core::{CpuStorage, CustomOp2, Layout, Result, Shape, Tensor, bail};

/// `x·wᵀ` for `x` of `[batch, inputs]` and `w` of `[outputs, inputs]` (the layout of
/// candle-nn's `Linear`): the same result as `x.matmul(&w.t()?)`. Candle's matmul always
/// computes the gradient of both operands; this one leaves out the input's when the
/// input is data (nothing upstream to train), a third of a first layer's backward work.
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> candle_core::Result<()> {
/// let x = Tensor::new(&[[1f32, 2.]], &Device::Cpu)?;
/// let w = Tensor::new(&[[1f32, 0.], [1., 1.], [0., -1.]], &Device::Cpu)?;
/// assert_eq!(dlcourse::kernels::linear(&x, &w)?.to_vec2::<f32>()?, [[1., 3., -2.]]);
/// # Ok(()) }
/// ```
pub fn linear(x: &Tensor, w: &Tensor) -> Result<Tensor> {
    if !fast_path(&[x, w]) || x.rank() != 2 {
        return x.broadcast_matmul(&w.t()?);
    }
    x.contiguous()?.apply_op2(&w.contiguous()?, Linear)
}

/// The sizes of `x·wᵀ`: `(batch, inputs, outputs)`.
pub(super) type Sizes = (usize, usize, usize);

/// How an op that computes `x·wᵀ` names itself and its two operands in errors (fixed
/// strings, so a forward pass formats nothing).
pub(super) struct Names {
    /// The op.
    pub op: &'static str,
    /// Its input `x`.
    pub input: &'static str,
    /// Its weight `w`.
    pub weight: &'static str,
}

/// The values of an op's `x` (`[batch, inputs]`) and `w` (`[outputs, inputs]`) and their
/// sizes `(batch, inputs, outputs)`, or an error in the op's `names` when they do not fit.
pub(super) fn operands<'a>(
    xs: &'a CpuStorage,
    xl: &Layout,
    ws: &'a CpuStorage,
    wl: &Layout,
    names: &Names,
) -> Result<(&'a [f32], &'a [f32], Sizes)> {
    let (batch, inputs) = xl.shape().dims2()?;
    let (outputs, w_inputs) = wl.shape().dims2()?;
    if inputs != w_inputs {
        bail!(
            "{}: rows of {inputs} values, weights for {w_inputs} inputs",
            names.op
        )
    }
    let x = storage::values(xs, xl, names.input)?;
    let w = storage::values(ws, wl, names.weight)?;
    Ok((x, w, (batch, inputs, outputs)))
}

/// `out = x·wᵀ` (or `out += x·wᵀ` when `accumulate`) on every thread, sizes as
/// [`operands`] returns them.
pub(super) fn x_times_wt(
    out: &mut [f32],
    x: &[f32],
    w: &[f32],
    (batch, inputs, outputs): Sizes,
    accumulate: bool,
) {
    matmul(
        out,
        MatRef::row_major(x, batch, inputs),
        MatRef::row_major(w, outputs, inputs).t(),
        accumulate,
        threads(),
    );
}

/// The op: forward by GEMM, backward by Candle's matmul.
struct Linear;

impl CustomOp2 for Linear {
    fn name(&self) -> &'static str {
        "dlcourse-linear"
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        xl: &Layout,
        ws: &CpuStorage,
        wl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let names = Names {
            op: "linear",
            input: "linear input",
            weight: "linear weight",
        };
        let (x, w, sizes) = operands(xs, xl, ws, wl, &names)?;
        let (batch, _, outputs) = sizes;
        let mut out = vec![0f32; batch * outputs];
        x_times_wt(&mut out, x, w, sizes, false);
        Ok((CpuStorage::F32(out), Shape::from((batch, outputs))))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _output: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let x_grad = if x.track_op() {
            Some(grad.matmul(w)?)
        } else {
            None
        };
        let w_grad = if w.track_op() {
            Some(grad.t()?.matmul(x)?)
        } else {
            None
        };
        Ok((x_grad, w_grad))
    }
}
