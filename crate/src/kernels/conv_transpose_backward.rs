//! The backward pass of a transposed-convolution layer in one sweep over the batch. A
//! transposed convolution's adjoint is a plain convolution of the output gradient G: for
//! each image, while G is in cache, the (Leaky)ReLU mask, the bias gradient (G summed per
//! channel), im2col(G) once, then the kernel gradient X·im2col(G)ᵀ (summed over images)
//! and the input gradient W·im2col(G). Images are shared out among the threads as for
//! the convolution ([`over_workers`]).

use super::conv_backward::{Gradients, Needs, over_workers, sum, through_relu, transpose};
use super::gemm::{MatRef, matmul};
use super::im2col::{Geometry, im2col};
use super::scratch::with_scratch;
use std::ops::Range;

/// What the backward pass reads, all contiguous, channels first.
pub(super) struct Inputs<'a> {
    /// The layer's input, `[batch, channels, height, width]`.
    pub x: &'a [f32],
    /// The kernel, `[channels, out_channels, kh, kw]`.
    pub kernel: &'a [f32],
    /// The layer's output and the negative slope when a ReLU (slope 0) or LeakyReLU was
    /// applied (the output's sign is the mask), else `None`.
    pub activation: Option<(&'a [f32], f32)>,
    /// The gradient of the loss with respect to the output, `[batch, out_channels, oh, ow]`.
    pub grad: &'a [f32],
    pub batch: usize,
    /// The input's channels.
    pub channels: usize,
}

/// Computes the gradients of a transposed convolution (+ bias, + optional (Leaky)ReLU) layer
/// whose adjoint convolution is `g` (its image: the layer's output; its positions: the
/// layer's input pixels).
pub(super) fn backward(g: &Geometry, inputs: &Inputs, needs: Needs) -> Gradients {
    let input_len = inputs.channels * g.positions();
    let (input, kernel, bias) = over_workers(
        inputs.batch,
        input_len,
        needs.input,
        |images, dx, threads| sweep(g, inputs, needs, images, dx, threads),
    );
    Gradients {
        input,
        kernel: needs
            .kernel
            .then(|| transpose(&kernel, g.patch_len(), inputs.channels)),
        bias: needs.bias.then_some(bias),
    }
}

/// One worker's share: the images in `images`, their input gradients written to `dx`
/// (empty when not needed); returns this share's kernel gradient sum, transposed
/// (`[out_channels·kh·kw, channels]`: as for the convolution, the GEMM runs a little
/// faster with the long side as rows), and bias gradient sum.
fn sweep(
    g: &Geometry,
    inputs: &Inputs,
    needs: Needs,
    images: Range<usize>,
    dx: &mut [f32],
    gemm_threads: usize,
) -> (Vec<f32>, Vec<f32>) {
    let (channels, patch, positions) = (inputs.channels, g.patch_len(), g.positions());
    let (out_len, plane, input_len) = (g.image_len(), g.height * g.width, channels * positions);
    let weights = needs.kernel || needs.input;
    let mut kernel_sum_t = vec![0f32; if needs.kernel { channels * patch } else { 0 }];
    let mut bias_sum = vec![0f32; if needs.bias { g.channels } else { 0 }];
    let masked_len = if inputs.activation.is_some() {
        out_len
    } else {
        0
    };
    let cols_len = if weights { patch * positions } else { 0 };
    let kernel = MatRef::row_major(inputs.kernel, channels, patch);
    with_scratch(masked_len, cols_len, |masked, cols| {
        for (n, i) in images.enumerate() {
            let raw = &inputs.grad[i * out_len..][..out_len];
            let activation = inputs
                .activation
                .map(|(y, slope)| (&y[i * out_len..][..out_len], slope));
            let gi = through_relu(raw, activation, masked);
            if needs.bias {
                for (b, row) in bias_sum.iter_mut().zip(gi.chunks_exact(plane)) {
                    *b += sum(row);
                }
            }
            if !weights {
                continue;
            }
            im2col(g, gi, cols);
            let cols = MatRef::row_major(cols, patch, positions);
            if needs.kernel {
                let xi = &inputs.x[i * input_len..][..input_len];
                let xi = MatRef::row_major(xi, channels, positions);
                matmul(&mut kernel_sum_t, cols, xi.t(), true, gemm_threads);
            }
            if needs.input {
                let dxi = &mut dx[n * input_len..][..input_len];
                matmul(dxi, kernel, cols, false, gemm_threads);
            }
        }
    });
    (kernel_sum_t, bias_sum)
}
