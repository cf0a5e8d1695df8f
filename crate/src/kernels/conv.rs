//! 2-D convolution (channels first) as im2col + GEMM, forward and backward.

use super::gemm::{MatRef, matmul};
use super::im2col::{Geometry, col2im, im2col};
use super::{fast_path, storage, threads};
use candle_core::{
    CpuStorage, CustomOp1, CustomOp2, CustomOp3, Layout, Result, Shape, Tensor, bail,
};
use rayon::prelude::*;

/// Convolves `x` (`[batch, channels, height, width]`) with `kernel`
/// (`[filters, channels, kh, kw]`), moving `stride` pixels at a time over an image
/// zero-padded by `padding` on each side: the same result as Candle's
/// `x.conv2d(kernel, padding, stride, 1, 1)`, with a much faster backward pass.
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> candle_core::Result<()> {
/// let x = Tensor::arange(0f32, 16., &Device::Cpu)?.reshape((1, 1, 4, 4))?;
/// let kernel = Tensor::ones((1, 1, 3, 3), candle_core::DType::F32, &Device::Cpu)?;
/// let y = dlcourse::kernels::conv2d(&x, &kernel, 1, 0)?;
/// assert_eq!(y.flatten_all()?.to_vec1::<f32>()?, [45., 54., 81., 90.]);
/// # Ok(()) }
/// ```
pub fn conv2d(x: &Tensor, kernel: &Tensor, stride: usize, padding: usize) -> Result<Tensor> {
    let bias = Tensor::zeros(kernel.dim(0)?, kernel.dtype(), kernel.device())?;
    conv2d_bias_relu(x, kernel, &bias, stride, padding, false)
}

/// A whole convolution layer in one op: [`conv2d`], plus one `bias` per filter, then
/// ReLU when `relu` is true. Fused, the bias and the ReLU cost nothing forward (they are
/// applied to each image's output while it is still in cache) and one pass backward,
/// instead of four whole-tensor passes and their allocations.
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> candle_core::Result<()> {
/// let x = Tensor::new(&[[[[1f32, -2.], [3., -4.]]]], &Device::Cpu)?;
/// let kernel = Tensor::new(&[[[[1f32]]], [[[-1f32]]]], &Device::Cpu)?; // two 1×1 filters
/// let bias = Tensor::new(&[0.5f32, 0.0], &Device::Cpu)?;
/// let y = dlcourse::kernels::conv2d_bias_relu(&x, &kernel, &bias, 1, 0, true)?;
/// assert_eq!(y.flatten_all()?.to_vec1::<f32>()?, [1.5, 0., 3.5, 0., 0., 2., 0., 4.]);
/// # Ok(()) }
/// ```
pub fn conv2d_bias_relu(
    x: &Tensor,
    kernel: &Tensor,
    bias: &Tensor,
    stride: usize,
    padding: usize,
    relu: bool,
) -> Result<Tensor> {
    if !fast_path(&[x, kernel, bias]) {
        let filters = kernel.dim(0)?;
        let y = x
            .conv2d(kernel, padding, stride, 1, 1)?
            .broadcast_add(&bias.reshape((1, filters, 1, 1))?)?;
        return if relu { y.relu() } else { Ok(y) };
    }
    x.contiguous()?.apply_op3(
        &kernel.contiguous()?,
        &bias.contiguous()?,
        Conv2d {
            stride,
            padding,
            relu,
        },
    )
}

/// The forward op (convolution, bias, optional ReLU); its backward pass masks the
/// output gradient by the ReLU, then calls the gradient ops below.
struct Conv2d {
    stride: usize,
    padding: usize,
    relu: bool,
}

/// The output gradient where the ReLU let the value through, zero elsewhere.
struct ReluMask;

/// Gradient of the loss with respect to the biases: the output gradient summed over
/// images and positions, per filter.
struct BiasGradient;

/// Gradient of the loss with respect to the input, from the output gradient and the
/// kernel: Wᵀ·G per image, folded back with col2im.
struct InputGradient {
    geometry: Geometry,
}

/// Gradient of the loss with respect to the kernel, from the input and the output
/// gradient: Σ over images of G·colsᵀ.
struct KernelGradient {
    geometry: Geometry,
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

/// Runs `work(image_index, output_chunk, scratch, gemm_threads)` for every image: images
/// spread over the thread pool when there are enough of them, otherwise one after the
/// other with a multi-threaded GEMM each.
fn for_each_image(
    output: &mut [f32],
    chunk: usize,
    scratch: usize,
    work: impl Fn(usize, &mut [f32], &mut Vec<f32>, usize) + Sync,
) {
    let threads = threads();
    let images = output.len() / chunk.max(1);
    if threads > 1 && images >= threads {
        output.par_chunks_mut(chunk).enumerate().for_each_init(
            || vec![0.0; scratch],
            |buffer, (i, out)| work(i, out, buffer, 1),
        );
    } else {
        let mut buffer = vec![0.0; scratch];
        for (i, out) in output.chunks_mut(chunk).enumerate() {
            work(i, out, &mut buffer, threads);
        }
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
        let kernel = MatRef::row_major(k, filters, patch);
        let mut out = vec![0f32; batch * filters * positions];
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
                if self.relu {
                    y.iter_mut().for_each(|v| *v = v.max(0.0));
                }
            },
        );
        Ok((
            CpuStorage::F32(out),
            Shape::from((batch, filters, g.out_h, g.out_w)),
        ))
    }

    fn bwd(
        &self,
        x: &Tensor,
        kernel: &Tensor,
        bias: &Tensor,
        output: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let geometry = geometry(x.shape(), kernel.shape(), self.stride, self.padding)?;
        let grad = grad.contiguous()?;
        let grad = if self.relu {
            grad.apply_op2_no_bwd(output, &ReluMask)?
        } else {
            grad
        };
        let input_grad = if x.track_op() {
            Some(grad.apply_op2_no_bwd(kernel, &InputGradient { geometry })?)
        } else {
            None
        };
        let kernel_grad = if kernel.track_op() {
            Some(x.apply_op2_no_bwd(&grad, &KernelGradient { geometry })?)
        } else {
            None
        };
        let bias_grad = if bias.track_op() {
            Some(grad.apply_op1_no_bwd(&BiasGradient)?)
        } else {
            None
        };
        Ok((input_grad, kernel_grad, bias_grad))
    }
}

impl CustomOp2 for ReluMask {
    fn name(&self) -> &'static str {
        "dlcourse-relu-mask"
    }

    fn cpu_fwd(
        &self,
        gs: &CpuStorage,
        gl: &Layout,
        ys: &CpuStorage,
        yl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let grad = storage::values(gs, gl, "conv2d output gradient")?;
        let y = storage::values(ys, yl, "conv2d output")?;
        if grad.len() != y.len() {
            bail!(
                "relu mask: {} gradients for {} outputs",
                grad.len(),
                y.len()
            )
        }
        let mut out = vec![0f32; grad.len()];
        out.par_chunks_mut(1 << 15)
            .zip(grad.par_chunks(1 << 15).zip(y.par_chunks(1 << 15)))
            .for_each(|(out, (g, y))| {
                for ((o, g), y) in out.iter_mut().zip(g).zip(y) {
                    *o = if *y > 0.0 { *g } else { 0.0 };
                }
            });
        Ok((CpuStorage::F32(out), gl.shape().clone()))
    }
}

impl CustomOp1 for BiasGradient {
    fn name(&self) -> &'static str {
        "dlcourse-conv2d-bias-grad"
    }

    fn cpu_fwd(&self, gs: &CpuStorage, gl: &Layout) -> Result<(CpuStorage, Shape)> {
        let (_, filters, h, w) = gl.shape().dims4()?;
        let grad = storage::values(gs, gl, "conv2d output gradient")?;
        let mut sums = vec![0f32; filters];
        for (i, row) in grad.chunks(h * w).enumerate() {
            sums[i % filters] += row.iter().sum::<f32>();
        }
        Ok((CpuStorage::F32(sums), Shape::from(filters)))
    }
}

impl CustomOp2 for InputGradient {
    fn name(&self) -> &'static str {
        "dlcourse-conv2d-input-grad"
    }

    fn cpu_fwd(
        &self,
        gs: &CpuStorage,
        gl: &Layout,
        ks: &CpuStorage,
        kl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let g = &self.geometry;
        let grad = storage::values(gs, gl, "conv2d output gradient")?;
        let k = storage::values(ks, kl, "conv2d kernel")?;
        let (batch, filters) = (gl.dims()[0], kl.dims()[0]);
        let (patch, positions) = (g.patch_len(), g.positions());
        let kernel_t = MatRef::row_major(k, filters, patch).t();
        let mut out = vec![0f32; batch * g.image_len()];
        for_each_image(
            &mut out,
            g.image_len(),
            patch * positions,
            |i, dx, cols, t| {
                let gi = MatRef::row_major(&grad[i * filters * positions..], filters, positions);
                matmul(cols, kernel_t, gi, false, t);
                col2im(g, cols, dx);
            },
        );
        Ok((
            CpuStorage::F32(out),
            Shape::from((batch, g.channels, g.height, g.width)),
        ))
    }
}

impl CustomOp2 for KernelGradient {
    fn name(&self) -> &'static str {
        "dlcourse-conv2d-kernel-grad"
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        xl: &Layout,
        gs: &CpuStorage,
        gl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let g = &self.geometry;
        let x = storage::values(xs, xl, "conv2d input")?;
        let grad = storage::values(gs, gl, "conv2d output gradient")?;
        let (batch, filters) = (gl.dims()[0], gl.dims()[1]);
        let (patch, positions) = (g.patch_len(), g.positions());
        // Each worker sums the gradients of a run of images into its own buffer; the
        // buffers are added at the end.
        let accumulate = |images: std::ops::Range<usize>, gemm_threads: usize| {
            let mut sum = vec![0f32; filters * patch];
            let mut cols = vec![0f32; patch * positions];
            for i in images {
                im2col(g, &x[i * g.image_len()..][..g.image_len()], &mut cols);
                let gi = MatRef::row_major(&grad[i * filters * positions..], filters, positions);
                let cols_t = MatRef::row_major(&cols, patch, positions).t();
                matmul(&mut sum, gi, cols_t, true, gemm_threads);
            }
            sum
        };
        let threads = threads();
        let sum = if threads > 1 && batch >= threads {
            let per_worker = batch.div_ceil(threads);
            (0..threads)
                .into_par_iter()
                .map(|w| accumulate(w * per_worker..((w + 1) * per_worker).min(batch), 1))
                .reduce_with(|mut a, b| {
                    a.iter_mut().zip(&b).for_each(|(a, b)| *a += b);
                    a
                })
                .unwrap_or_else(|| vec![0f32; filters * patch])
        } else {
            accumulate(0..batch, threads)
        };
        Ok((
            CpuStorage::F32(sum),
            Shape::from((filters, g.channels, g.kernel_h, g.kernel_w)),
        ))
    }
}
