//! 2-D convolution (channels first) as im2col + GEMM, forward and backward.

use super::conv_backward::{Inputs, Needs, backward};
use super::gemm::{MatRef, matmul};
use super::im2col::{Geometry, im2col};
use super::leaky_relu::{activate, activate_with_candle_ops};
use super::scratch::with_scratch;
use super::winograd::{self, Tiles};
use super::{SHARES_PER_THREAD, fast_path, storage, threads};
use candle_core::{CpuStorage, CustomOp3, Layout, Result, Shape, Tensor, bail};
use rayon::prelude::*;

/// The zero `padding` on each side of an image and the `stride` of a convolution: the
/// first two of Candle's `conv2d(kernel, padding, stride, dilation, groups)`, named so
/// that the two numbers cannot be swapped silently. The default is no padding, stride 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvParams {
    /// Zero rows and columns added on each side of every image.
    pub padding: usize,
    /// Pixels moved between two positions of the kernel (at least 1).
    pub stride: usize,
}

impl Default for ConvParams {
    fn default() -> Self {
        ConvParams {
            padding: 0,
            stride: 1,
        }
    }
}

/// Convolves `x` (`[batch, channels, height, width]`) with `kernel`
/// (`[filters, channels, kh, kw]`) with the padding and stride of `params`: the same
/// result as Candle's `x.conv2d(kernel, padding, stride, 1, 1)`, with a much faster
/// backward pass.
///
/// ```
/// use candle_core::{Device, Tensor};
/// use dlcourse::kernels::{ConvParams, conv2d};
/// # fn main() -> candle_core::Result<()> {
/// let x = Tensor::arange(0f32, 16., &Device::Cpu)?.reshape((1, 1, 4, 4))?;
/// let kernel = Tensor::ones((1, 1, 3, 3), candle_core::DType::F32, &Device::Cpu)?;
/// let y = conv2d(&x, &kernel, ConvParams::default())?;
/// assert_eq!(y.flatten_all()?.to_vec1::<f32>()?, [45., 54., 81., 90.]);
/// let same = conv2d(&x, &kernel, ConvParams { padding: 1, ..Default::default() })?;
/// assert_eq!(same.dims(), [1, 1, 4, 4]);
/// # Ok(()) }
/// ```
pub fn conv2d(x: &Tensor, kernel: &Tensor, params: ConvParams) -> Result<Tensor> {
    let bias = Tensor::zeros(kernel.dim(0)?, kernel.dtype(), kernel.device())?;
    fused(x, kernel, &bias, params, None)
}

/// A convolution layer without activation in one op: [`conv2d`] plus one `bias` per
/// filter, added to each image's output while it is still in cache.
pub fn conv2d_bias(
    x: &Tensor,
    kernel: &Tensor,
    bias: &Tensor,
    params: ConvParams,
) -> Result<Tensor> {
    fused(x, kernel, bias, params, None)
}

/// A whole convolution layer in one op: [`conv2d`], plus one `bias` per filter, then
/// ReLU. Fused, the bias and the ReLU cost nothing forward (they are applied to each
/// image's output while it is still in cache) and one pass backward, instead of four
/// whole-tensor passes and their allocations.
///
/// ```
/// use candle_core::{Device, Tensor};
/// use dlcourse::kernels::{ConvParams, conv2d_bias_relu};
/// # fn main() -> candle_core::Result<()> {
/// let x = Tensor::new(&[[[[1f32, -2.], [3., -4.]]]], &Device::Cpu)?;
/// let kernel = Tensor::new(&[[[[1f32]]], [[[-1f32]]]], &Device::Cpu)?; // two 1×1 filters
/// let bias = Tensor::new(&[0.5f32, 0.0], &Device::Cpu)?;
/// let y = conv2d_bias_relu(&x, &kernel, &bias, ConvParams::default())?;
/// assert_eq!(y.flatten_all()?.to_vec1::<f32>()?, [1.5, 0., 3.5, 0., 0., 2., 0., 4.]);
/// # Ok(()) }
/// ```
pub fn conv2d_bias_relu(
    x: &Tensor,
    kernel: &Tensor,
    bias: &Tensor,
    params: ConvParams,
) -> Result<Tensor> {
    fused(x, kernel, bias, params, Some(0.0))
}

/// [`conv2d_bias_relu`] with LeakyReLU: `y` where the convolution plus bias `y` is
/// positive, `negative_slope·y` elsewhere (a finite slope ≥ 0; 0 is ReLU). The strided
/// convolutions of a GAN's discriminator are this layer; fused, its activation costs one
/// pass backward instead of Candle's dozen whole-tensor passes for `leaky_relu`.
///
/// ```
/// use candle_core::{Device, Tensor};
/// use dlcourse::kernels::{ConvParams, conv2d_bias_leaky_relu};
/// # fn main() -> candle_core::Result<()> {
/// let x = Tensor::new(&[[[[1f32, -2.]]]], &Device::Cpu)?;
/// let kernel = Tensor::new(&[[[[1f32]]]], &Device::Cpu)?;
/// let bias = Tensor::new(&[0f32], &Device::Cpu)?;
/// let y = conv2d_bias_leaky_relu(&x, &kernel, &bias, ConvParams::default(), 0.2)?;
/// assert_eq!(y.flatten_all()?.to_vec1::<f32>()?, [1.0, -0.4]);
/// # Ok(()) }
/// ```
pub fn conv2d_bias_leaky_relu(
    x: &Tensor,
    kernel: &Tensor,
    bias: &Tensor,
    params: ConvParams,
    negative_slope: f32,
) -> Result<Tensor> {
    if !(negative_slope.is_finite() && negative_slope >= 0.0) {
        bail!(
            "conv2d_bias_leaky_relu: a negative slope of {negative_slope}, expected a finite \
             slope ≥ 0 (0 for ReLU); apply other activations after conv2d_bias"
        )
    }
    fused(x, kernel, bias, params, Some(negative_slope))
}

/// The layer with the activation `negative_slope` names: `None` none, `Some(0.0)` ReLU,
/// `Some(α)` LeakyReLU(α).
fn fused(
    x: &Tensor,
    kernel: &Tensor,
    bias: &Tensor,
    params: ConvParams,
    negative_slope: Option<f32>,
) -> Result<Tensor> {
    let ConvParams { padding, stride } = params;
    if x.elem_count() == 0 || kernel.elem_count() == 0 {
        bail!(
            "conv2d: expected a batch of at least one image and at least one filter, found \
             input {:?} and kernel {:?} — check the batch and Conv2d's filter count",
            x.dims(),
            kernel.dims()
        )
    }
    if !fast_path(&[x, kernel, bias]) {
        let filters = kernel.dim(0)?;
        let y = x
            .conv2d(kernel, padding, stride, 1, 1)?
            .broadcast_add(&bias.reshape((1, filters, 1, 1))?)?;
        return activate_with_candle_ops(y, negative_slope);
    }
    x.contiguous()?.apply_op3(
        &kernel.contiguous()?,
        &bias.contiguous()?,
        Conv2d {
            stride,
            padding,
            negative_slope,
        },
    )
}

/// The op: convolution, bias and optional (Leaky)ReLU forward; backward in one sweep
/// ([`backward`]).
struct Conv2d {
    stride: usize,
    padding: usize,
    /// `None`: no activation; `Some(0.0)`: ReLU; `Some(α)`: LeakyReLU(α).
    negative_slope: Option<f32>,
}

/// The geometry of convolving images shaped like `x` with kernels shaped like `kernel`.
fn geometry(x: &Shape, kernel: &Shape, stride: usize, padding: usize) -> Result<Geometry> {
    let (_, c, h, w) = x.dims4()?;
    let (_, kc, kh, kw) = kernel.dims4()?;
    if c != kc {
        bail!("conv2d: the input has {c} channels but the kernel expects {kc}")
    }
    Geometry::new((c, h, w), (kh, kw), stride, padding)
}

/// Runs `work(image_index, output_chunk, columns, gemm_threads)` for every image, with a
/// scratch buffer of `columns` values: images spread over the thread pool when there are
/// enough of them, otherwise one after the other with a multi-threaded GEMM each.
pub(super) fn for_each_image(
    output: &mut [f32],
    chunk: usize,
    columns: usize,
    work: impl Fn(usize, &mut [f32], &mut [f32], usize) + Sync,
) {
    let threads = threads();
    let images = output.len() / chunk.max(1);
    if threads > 1 && images >= threads {
        let per_worker = images.div_ceil(threads * SHARES_PER_THREAD);
        output
            .par_chunks_mut(per_worker * chunk)
            .enumerate()
            .for_each(|(w, share)| {
                with_scratch(columns, 0, |cols, _| {
                    for (n, out) in share.chunks_mut(chunk).enumerate() {
                        work(w * per_worker + n, out, cols, 1);
                    }
                })
            });
    } else {
        with_scratch(columns, 0, |cols, _| {
            for (i, out) in output.chunks_mut(chunk).enumerate() {
                work(i, out, cols, threads);
            }
        });
    }
}

impl CustomOp3 for Conv2d {
    fn name(&self) -> &'static str {
        "dlcourse-conv2d"
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        xl: &Layout,
        ks: &CpuStorage,
        kl: &Layout,
        bs: &CpuStorage,
        bl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let g = geometry(xl.shape(), kl.shape(), self.stride, self.padding)?;
        let x = storage::values(xs, xl, "conv2d input")?;
        let k = storage::values(ks, kl, "conv2d kernel")?;
        let bias = storage::values(bs, bl, "conv2d bias")?;
        let (batch, filters) = (xl.dims()[0], kl.dims()[0]);
        if bias.len() != filters {
            bail!("conv2d: {} biases for {filters} filters", bias.len())
        }
        let (patch, positions) = (g.patch_len(), g.positions());
        let mut out = vec![0f32; batch * filters * positions];
        let shape = Shape::from((batch, filters, g.out_h, g.out_w));
        if winograd::applies(&g) {
            let tiles = Tiles::of(&g);
            let u = winograd::transform_kernel(k, filters, g.channels);
            let scratch = tiles.input_len(g.channels) + tiles.output_len(filters);
            for_each_image(&mut out, filters * positions, scratch, |i, y, s, t| {
                let image = &x[i * g.image_len()..][..g.image_len()];
                winograd::convolve_image(&g, tiles, &u, image, bias, s, y, t);
                activate(y, self.negative_slope);
            });
            return Ok((CpuStorage::F32(out), shape));
        }
        let kernel = MatRef::row_major(k, filters, patch);
        for_each_image(
            &mut out,
            filters * positions,
            patch * positions,
            |i, y, cols, t| {
                im2col(&g, &x[i * g.image_len()..][..g.image_len()], cols);
                for (row, b) in y.chunks_mut(positions).zip(bias) {
                    row.fill(*b);
                }
                matmul(
                    y,
                    kernel,
                    MatRef::row_major(cols, patch, positions),
                    true,
                    t,
                );
                activate(y, self.negative_slope);
            },
        );
        Ok((CpuStorage::F32(out), shape))
    }

    fn bwd(
        &self,
        x: &Tensor,
        kernel: &Tensor,
        bias: &Tensor,
        output: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let needs = Needs {
            input: x.track_op(),
            kernel: kernel.track_op(),
            bias: bias.track_op(),
        };
        if !(needs.input || needs.kernel || needs.bias) {
            return Ok((None, None, None));
        }
        let g = geometry(x.shape(), kernel.shape(), self.stride, self.padding)?;
        let grad = grad.contiguous()?;
        let (xs, xl) = x.storage_and_layout();
        let (ks, kl) = kernel.storage_and_layout();
        let (ys, yl) = output.storage_and_layout();
        let (gs, gl) = grad.storage_and_layout();
        let inputs = Inputs {
            x: storage::tensor_values(&xs, xl, "conv2d input")?,
            kernel: storage::tensor_values(&ks, kl, "conv2d kernel")?,
            activation: match self.negative_slope {
                Some(slope) => Some((storage::tensor_values(&ys, yl, "conv2d output")?, slope)),
                None => None,
            },
            grad: storage::tensor_values(&gs, gl, "conv2d output gradient")?,
            batch: x.dim(0)?,
            filters: kernel.dim(0)?,
        };
        let grads = backward(&g, &inputs, needs);
        grads.into_tensors(x, kernel, bias)
    }
}
