//! The backward pass of a convolution layer in one sweep over the batch: for each image,
//! while its output gradient is in cache, the (Leaky)ReLU mask, the bias gradient, the kernel
//! gradient (G·colsᵀ, summed over images) and the input gradient (Wᵀ·G folded back with
//! col2im). Images are shared out among the threads, each summing its own kernel and
//! bias gradients; the sums are added at the end. The shares do not depend on the
//! number of threads ([`BACKWARD_SHARES`]), so neither does the order of those sums:
//! training is bit-identical on any number of threads.

use super::gemm::{MatRef, matmul};
use super::im2col::{Geometry, col2im, im2col};
use super::scratch::with_scratch;
use super::{keep_if, threads, winograd};
use candle_core::{Device, Result, Tensor};
use rayon::prelude::*;
use std::ops::Range;

/// Which gradients are wanted (a tensor that needs none is skipped: no input gradient
/// for the images themselves, none at all for a frozen layer).
#[derive(Debug, Clone, Copy)]
pub(super) struct Needs {
    pub input: bool,
    pub kernel: bool,
    pub bias: bool,
}

/// What the backward pass reads, all contiguous, channels first.
pub(super) struct Inputs<'a> {
    /// The layer's input, `[batch, channels, height, width]`.
    pub x: &'a [f32],
    /// The kernel, `[filters, channels, kh, kw]`.
    pub kernel: &'a [f32],
    /// The layer's output and the negative slope when a ReLU (slope 0) or LeakyReLU was
    /// applied (the output's sign is the mask), else `None`.
    pub activation: Option<(&'a [f32], f32)>,
    /// The gradient of the loss with respect to the output, `[batch, filters, oh, ow]`.
    pub grad: &'a [f32],
    pub batch: usize,
    pub filters: usize,
}

/// The gradients asked for in [`Needs`], flat and contiguous.
pub(super) struct Gradients {
    pub input: Option<Vec<f32>>,
    pub kernel: Option<Vec<f32>>,
    pub bias: Option<Vec<f32>>,
}

impl Gradients {
    /// The gradients as CPU tensors shaped like `x`, `kernel` and `bias` (what
    /// `CustomOp3::bwd` returns).
    pub(super) fn into_tensors(
        self,
        x: &Tensor,
        kernel: &Tensor,
        bias: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let tensor = |values: Option<Vec<f32>>, like: &Tensor| {
            values
                .map(|v| Tensor::from_vec(v, like.shape(), &Device::Cpu))
                .transpose()
        };
        Ok((
            tensor(self.input, x)?,
            tensor(self.kernel, kernel)?,
            tensor(self.bias, bias)?,
        ))
    }
}

/// Computes the gradients of a convolution (+ bias, + optional (Leaky)ReLU) layer.
pub(super) fn backward(g: &Geometry, inputs: &Inputs, needs: Needs) -> Gradients {
    if winograd::applies(g) {
        let u = match needs.input {
            true => winograd::transform_kernel(inputs.kernel, inputs.filters, g.channels),
            false => Vec::new(),
        };
        let (input, du, bias) = over_workers(
            inputs.batch,
            g.image_len(),
            needs.input,
            |images, dx, threads| winograd::sweep(g, inputs, needs, &u, images, dx, threads),
        );
        return Gradients {
            input,
            kernel: needs
                .kernel
                .then(|| winograd::kernel_gradient(&du, inputs.filters, g.channels)),
            bias: needs.bias.then_some(bias),
        };
    }
    let (input, kernel, bias) = over_workers(
        inputs.batch,
        g.image_len(),
        needs.input,
        |images, dx, threads| sweep(g, inputs, needs, images, dx, threads),
    );
    let patch = g.patch_len();
    Gradients {
        input,
        kernel: needs
            .kernel
            .then(|| transpose(&kernel, patch, inputs.filters)),
        bias: needs.bias.then_some(bias),
    }
}

/// Shares of a batch in the backward pass: a fixed number (fewer for a smaller batch),
/// not a number per thread, so that the kernel and bias gradients are summed in the
/// same order, bit for bit, whatever `RAYON_NUM_THREADS` is. 32 keeps at least the
/// forward pass's four shares per thread (balancing a loaded machine) up to 8 threads;
/// each share costs one more kernel-sized sum, small beside its GEMMs.
const BACKWARD_SHARES: usize = 32;

/// Shares `batch` images out among the threads, in [`BACKWARD_SHARES`] runs of
/// contiguous images:
/// `sweep(images, dx, gemm_threads)` writes those images' input gradients into `dx` (their
/// part of the whole input gradient, `image_len` values per image; empty when `input` is
/// false) and returns its sums of the kernel and bias gradients. Returns the input gradient
/// (when `input`) and the kernel and bias sums added over the runs. With a single run (a
/// batch of one) the GEMMs get every thread instead.
pub(super) fn over_workers(
    batch: usize,
    image_len: usize,
    input: bool,
    sweep: impl Fn(Range<usize>, &mut [f32], usize) -> (Vec<f32>, Vec<f32>) + Sync,
) -> (Option<Vec<f32>>, Vec<f32>, Vec<f32>) {
    let threads = threads();
    let workers = BACKWARD_SHARES.min(batch).max(1);
    let per_worker = batch.div_ceil(workers);
    let gemm_threads = if workers == 1 { threads } else { 1 };
    let mut dx = input.then(|| vec![0f32; batch * image_len]);
    let chunks: Vec<&mut [f32]> = match dx.as_mut() {
        Some(dx) => dx.chunks_mut((per_worker * image_len).max(1)).collect(),
        None => (0..batch.div_ceil(per_worker.max(1)).max(1))
            .map(|_| Default::default())
            .collect(),
    };
    let sums: Vec<(Vec<f32>, Vec<f32>)> = chunks
        .into_par_iter()
        .enumerate()
        .map(|(w, dx)| {
            let images = w * per_worker..((w + 1) * per_worker).min(batch);
            sweep(images, dx, gemm_threads)
        })
        .collect();
    let mut sums = sums.into_iter();
    let (mut kernel, mut bias) = sums.next().unwrap_or_default();
    for (k, b) in sums {
        kernel.iter_mut().zip(&k).for_each(|(a, b)| *a += b);
        bias.iter_mut().zip(&b).for_each(|(a, b)| *a += b);
    }
    (dx, kernel, bias)
}

/// One worker's share: the images in `images`, their input gradients written to `dx`
/// (empty when not needed); returns this share's kernel gradient sum, transposed
/// (`[channels·kh·kw, filters]`), and bias gradient sum.
fn sweep(
    g: &Geometry,
    inputs: &Inputs,
    needs: Needs,
    images: Range<usize>,
    dx: &mut [f32],
    gemm_threads: usize,
) -> (Vec<f32>, Vec<f32>) {
    let (filters, patch, positions) = (inputs.filters, g.patch_len(), g.positions());
    let out_len = filters * positions;
    let mut kernel_sum_t = vec![0f32; if needs.kernel { filters * patch } else { 0 }];
    let mut bias_sum = vec![0f32; if needs.bias { filters } else { 0 }];
    let masked_len = if inputs.activation.is_some() {
        out_len
    } else {
        0
    };
    with_scratch(masked_len, patch * positions, |masked, cols| {
        for (n, i) in images.enumerate() {
            let raw = &inputs.grad[i * out_len..][..out_len];
            let activation = inputs
                .activation
                .map(|(y, slope)| (&y[i * out_len..][..out_len], slope));
            let gi = through_relu(raw, activation, masked);
            add_bias_gradient(&mut bias_sum, gi);
            let gi = MatRef::row_major(gi, filters, positions);
            if needs.kernel {
                // Summed transposed, cols·Gᵀ: the GEMM runs ~25% faster with the long
                // side (patch) as rows of the result.
                im2col(g, &inputs.x[i * g.image_len()..][..g.image_len()], cols);
                let cols = MatRef::row_major(cols, patch, positions);
                matmul(&mut kernel_sum_t, cols, gi.t(), true, gemm_threads);
            }
            if needs.input {
                let kernel_t = MatRef::row_major(inputs.kernel, filters, patch).t();
                matmul(cols, kernel_t, gi, false, gemm_threads);
                col2im(g, cols, &mut dx[n * g.image_len()..][..g.image_len()]);
            }
        }
    });
    (kernel_sum_t, bias_sum)
}

/// Adds each filter's sum of one image's output gradient `grad` (`[filters][positions]`)
/// to `bias_sum` (nothing when the bias needs no gradient: `bias_sum` is empty).
pub(super) fn add_bias_gradient(bias_sum: &mut [f32], grad: &[f32]) {
    if bias_sum.is_empty() {
        return;
    }
    let positions = grad.len() / bias_sum.len();
    for (b, row) in bias_sum.iter_mut().zip(grad.chunks_exact(positions)) {
        *b += sum(row);
    }
}

/// The gradient `grad` of a layer's output taken back through its ReLU or LeakyReLU,
/// given that activation's output and negative slope (0 for ReLU): `grad` where the
/// output is positive, `slope·grad` elsewhere, written into `masked`; `grad` itself when
/// there was no activation.
pub(super) fn through_relu<'a>(
    grad: &'a [f32],
    activation: Option<(&[f32], f32)>,
    masked: &'a mut [f32],
) -> &'a [f32] {
    let Some((y, slope)) = activation else {
        return grad;
    };
    let pairs = masked.iter_mut().zip(grad).zip(y);
    if slope == 0.0 {
        pairs.for_each(|((m, g), y)| *m = keep_if(*y > 0.0, *g));
    } else {
        pairs.for_each(|((m, g), y)| *m = if *y > 0.0 { *g } else { slope * *g });
    }
    masked
}

/// The `cols`×`rows` transpose of a row-major `rows`×`cols` matrix.
pub(super) fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0f32; values.len()];
    for (r, row) in values.chunks_exact(cols).enumerate() {
        for (c, v) in row.iter().enumerate() {
            out[c * rows + r] = *v;
        }
    }
    out
}

/// The sum of `values`, in 16 independent lanes: the compiler keeps them in one vector
/// register, where a plain `iter().sum()` is a chain of dependent scalar additions.
pub(super) fn sum(values: &[f32]) -> f32 {
    let mut lanes = [0f32; 16];
    let chunks = values.chunks_exact(16);
    let tail: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_lane_sum_adds_everything() {
        let values: Vec<f32> = (1..=37).map(|v| v as f32).collect();
        assert_eq!(super::sum(&values), 703.0);
    }
}
