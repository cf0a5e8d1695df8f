//! Fast CPU kernels for the course's models, as Candle custom ops with forward and
//! backward passes.
//!
//! Candle's CPU backward pass of a convolution runs a direct (unblocked) transposed
//! convolution, its max-pool backward takes five whole-tensor passes, and a matmul always
//! computes the gradient of both operands — even of the input images, which nothing needs.
//! These ops do the same maths the way Keras' CPU kernels do:
//!
//! - [`conv2d`], [`conv2d_bias`], [`conv2d_bias_relu`], [`conv2d_bias_leaky_relu`]: im2col + one well-blocked GEMM per image (the
//!   `gemm` crate Candle itself uses, with its AVX-512 kernels), images spread over the
//!   thread pool, bias and (Leaky)ReLU applied while each image's output is in cache; the
//!   backward pass is two GEMMs and a col2im, and skips the input gradient when the input
//!   needs none. 3×3 kernels with stride 1 over 8 channels or more (the course CNN's
//!   second layer) take Winograd's F(2×2, 3×3) instead: 16 GEMMs per image on transformed
//!   4×4 tiles, 2.25× fewer multiply-adds forward and backward.
//! - [`conv_transpose2d`]: the transposed convolution (decoders, generators) built from
//!   the same pieces the other way round — forward one GEMM and a col2im per image,
//!   backward an im2col and two GEMMs — with bias and ReLU or LeakyReLU fused likewise.
//! - [`max_pool2d`]: one pass forward, one pass backward routing each gradient to its
//!   window's maximum (the first one on ties, as TensorFlow does). Off the CPU it runs
//!   [`max_pool2d_with_candle_ops`], not Candle's `max_pool2d`, whose 0.11 backward pass
//!   scales that gradient by 1/k² by mistake.
//! - [`dropout`]: the mask hashed from a seed and the element index, applied in one
//!   pass forward and recomputed backward (no generator loop, no mask tensor).
//! - [`recurrence`]: an LSTM's or simple RNN's recurrence over a batch of sequences as
//!   one op: a block of sequences per thread steps through time with one small GEMM per
//!   step and fused gates; back-propagation through time written out, the recurrent
//!   kernel's gradient as one GEMM over all steps; recurrent dropout hashed like
//!   [`dropout`]'s.
//! - [`leaky_relu`]: one pass forward and one backward, where candle-nn's takes about
//!   twenty whole-tensor passes and allocations backward.
//! - [`linear`]: `x·wᵀ`, whose backward pass skips the input gradient when the input
//!   needs none (the first layer of every network); [`linear_bias`]: a whole Dense layer,
//!   bias and (Leaky)ReLU fused like the convolutions'.
//!
//! Each function falls back to Candle's own op for anything but contiguous f32 tensors on
//! the CPU (a GPU, f64, f16), so callers never branch. `tests/kernels.rs` checks values and
//! gradients against Candle's reference ops on random inputs.
//!
//! On the CPU, results do not depend on the number of threads (`RAYON_NUM_THREADS`):
//! work is split over images, sequences or output blocks (the `gemm` crate splits a
//! product's output among threads, never its sums), and every sum over a batch is cut
//! into shares that depend on the batch size only, so the same seed trains
//! bit-identical weights on any thread count. `tests/determinism.rs` checks it for
//! dense, convolutional and LSTM models on 1, 2 and 4 threads.

#[macro_use]
mod simd;
mod conv;
mod conv_backward;
mod conv_transpose;
mod conv_transpose_backward;
mod dense;
mod dropout;
mod fast_math;
mod gates;
mod gemm;
mod im2col;
pub(crate) use im2col::output_len;
mod inplace;
mod leaky_relu;
mod linear;
mod memory;
mod pool;
mod recurrent;
mod scratch;
mod storage;
mod winograd;

pub use conv::{ConvParams, conv2d, conv2d_bias, conv2d_bias_leaky_relu, conv2d_bias_relu};
pub use conv_transpose::{ConvTranspose, conv_transpose2d, conv_transpose2d_with_candle_ops};
pub use dense::linear_bias;
pub use dropout::dropout;
pub(crate) use inplace::{map_in_place, map_in_place2};
pub use leaky_relu::leaky_relu;
pub use linear::linear;
pub use memory::keep_freed_memory;
pub use pool::{max_pool2d, max_pool2d_with_candle_ops};
pub use recurrent::{Cell, Recurrence, recurrence, recurrence_with_candle_ops};

use candle_core::{DType, Device, Tensor};

/// Whether the fast kernels handle these tensors: f32 on the CPU.
fn fast_path(tensors: &[&Tensor]) -> bool {
    #[cfg(feature = "keep-freed-memory")]
    memory::keep_freed_memory_if_alone();
    tensors
        .iter()
        .all(|t| t.dtype() == DType::F32 && matches!(t.device(), Device::Cpu))
}

/// Shares of a batch per thread when images are spread over the thread pool: several, so
/// that a thread the OS pauses (a loaded machine) does not leave the others waiting for
/// its half at the end — rayon hands its remaining shares to whoever is free.
const SHARES_PER_THREAD: usize = 4;

/// Threads the kernels may use: Candle's setting (`RAYON_NUM_THREADS`, else every core).
fn threads() -> usize {
    candle_core::utils::get_num_threads().max(1)
}

/// `value` when `keep`, else 0, by masking its bits: no branch, which matters where
/// `keep` is a coin toss (ReLU masks and max-pool routing on real data), and the loops
/// around it vectorise.
#[inline(always)]
fn keep_if(keep: bool, value: f32) -> f32 {
    f32::from_bits(value.to_bits() & (keep as u32).wrapping_neg())
}
