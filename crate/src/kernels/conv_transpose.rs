//! 2-D transposed convolution (channels first), the upsampling layer of decoders and
//! generators: forward, it is a convolution's input gradient (one GEMM per image, then
//! col2im spreads each input pixel's kernel-weighted copy over the output); backward, a
//! plain convolution (im2col + GEMM, [`super::conv_transpose_backward`]).

use super::conv::for_each_image;
use super::conv_backward::Needs;
use super::conv_transpose_backward::{Inputs, backward};
use super::gemm::{MatRef, matmul};
use super::im2col::{Geometry, col2im};
use super::leaky_relu::{activate, activate_with_candle_ops};
use super::{fast_path, storage};
use candle_core::{CpuStorage, CustomOp3, Layout, Result, Shape, Tensor, bail};

/// Where a transposed convolution puts its output: input pixel (y, x) spreads its kernel
/// over output rows `y·stride − padding ..` and columns `x·stride − padding ..`, and the
/// output is `output` = (height, width) pixels; what falls outside is dropped.
///
/// Candle's and PyTorch's rule is [`ConvTranspose::candle`]; Keras' "same" crops
/// differently (less before than after), which this placement expresses too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvTranspose {
    /// Output pixels between the kernels of neighbouring input pixels.
    pub stride: usize,
    /// Rows (columns) cropped off the top (left) of the full result.
    pub padding: usize,
    /// The output's height and width.
    pub output: (usize, usize),
}

impl ConvTranspose {
    /// Candle's (and PyTorch's) placement for an `input` of (height, width) pixels and a
    /// `kernel` of (height, width): `padding` cropped on each side, `output_padding`
    /// rows and columns added after, so the output side is
    /// `(input − 1)·stride + kernel − 2·padding + output_padding`.
    ///
    /// ```
    /// use dlcourse::kernels::ConvTranspose;
    /// let up = ConvTranspose::candle((7, 7), (3, 3), 2, 1, 1)?;
    /// assert_eq!(up.output, (14, 14));
    /// # Ok::<(), candle_core::Error>(())
    /// ```
    pub fn candle(
        input: (usize, usize),
        kernel: (usize, usize),
        stride: usize,
        padding: usize,
        output_padding: usize,
    ) -> Result<Self> {
        let side = |input: usize, kernel: usize| {
            ((input.max(1) - 1) * stride + kernel + output_padding).checked_sub(2 * padding)
        };
        match (side(input.0, kernel.0), side(input.1, kernel.1)) {
            (Some(h), Some(w)) if h > 0 && w > 0 && stride > 0 => Ok(ConvTranspose {
                stride,
                padding,
                output: (h, w),
            }),
            _ => bail!(
                "conv_transpose2d: padding {padding} crops the whole {input:?} input's \
                 result (kernel {kernel:?}, stride {stride}); use less padding"
            ),
        }
    }
}

/// The transposed convolution of `x` (`[batch, in_channels, height, width]`) with
/// `kernel` (`[in_channels, out_channels, kh, kw]`, Candle's layout), placed as `config`
/// says, plus one `bias` per output channel, then the activation `negative_slope` names:
/// `None` none, `Some(0.0)` ReLU, `Some(α)` LeakyReLU(α) — a whole `Conv2DTranspose`
/// layer in one op, with its backward pass (input, kernel and bias gradients). Images are
/// spread over the thread pool (a small batch gets a multi-threaded GEMM per image
/// instead); bias and activation are applied while each image's output is in cache. Off
/// the CPU, or for other types than f32, Candle's `conv_transpose2d` computes the same
/// ([`conv_transpose2d_with_candle_ops`]).
///
/// ```
/// use candle_core::{DType, Device, Tensor};
/// use dlcourse::kernels::{ConvTranspose, conv_transpose2d};
/// # fn main() -> candle_core::Result<()> {
/// // Stride 2 with a 2×2 kernel of ones: each pixel becomes a 2×2 block.
/// let x = Tensor::new(&[[[[1f32, 2.], [3., 4.]]]], &Device::Cpu)?;
/// let kernel = Tensor::ones((1, 1, 2, 2), DType::F32, &Device::Cpu)?;
/// let bias = Tensor::new(&[0.5f32], &Device::Cpu)?;
/// let up = ConvTranspose::candle((2, 2), (2, 2), 2, 0, 0)?;
/// let y = conv_transpose2d(&x, &kernel, &bias, up, None)?;
/// assert_eq!(
///     y.squeeze(0)?.squeeze(0)?.to_vec2::<f32>()?,
///     [[1.5, 1.5, 2.5, 2.5], [1.5, 1.5, 2.5, 2.5], [3.5, 3.5, 4.5, 4.5], [3.5, 3.5, 4.5, 4.5]]
/// );
/// # Ok(()) }
/// ```
pub fn conv_transpose2d(
    x: &Tensor,
    kernel: &Tensor,
    bias: &Tensor,
    config: ConvTranspose,
    negative_slope: Option<f32>,
) -> Result<Tensor> {
    if let Some(slope) = negative_slope.filter(|s| !(s.is_finite() && *s >= 0.0)) {
        bail!(
            "conv_transpose2d: a negative slope of {slope}, expected a finite slope ≥ 0 \
             (0 for ReLU); apply other activations after the op"
        )
    }
    if !fast_path(&[x, kernel, bias]) {
        return conv_transpose2d_with_candle_ops(x, kernel, bias, config, negative_slope);
    }
    x.contiguous()?.apply_op3(
        &kernel.contiguous()?,
        &bias.contiguous()?,
        ConvTransposeOp {
            config,
            negative_slope,
        },
    )
}

/// [`conv_transpose2d`] in Candle's own ops (its `conv_transpose2d` without padding,
/// then the crop `config` asks for): what runs off the CPU, and the reference the fast
/// op is tested and benchmarked against.
pub fn conv_transpose2d_with_candle_ops(
    x: &Tensor,
    kernel: &Tensor,
    bias: &Tensor,
    config: ConvTranspose,
    negative_slope: Option<f32>,
) -> Result<Tensor> {
    let (_, _, h, w) = x.dims4()?;
    let (_, out_channels, kh, kw) = kernel.dims4()?;
    let ConvTranspose {
        stride,
        padding,
        output: (oh, ow),
    } = config;
    if h == 0 || w == 0 {
        bail!("conv_transpose2d: the input images are {h}×{w}, expected at least 1×1")
    }
    // The full result, zeros appended where the output reaches past it, then cropped.
    let (full_h, full_w) = ((h - 1) * stride + kh, (w - 1) * stride + kw);
    let y = x
        .conv_transpose2d(kernel, 0, 0, stride, 1)?
        .pad_with_zeros(2, 0, (padding + oh).saturating_sub(full_h))?
        .pad_with_zeros(3, 0, (padding + ow).saturating_sub(full_w))?
        .narrow(2, padding, oh)?
        .narrow(3, padding, ow)?
        .broadcast_add(&bias.reshape((1, out_channels, 1, 1))?)?;
    activate_with_candle_ops(y, negative_slope)
}

/// The op: transposed convolution, bias and optional (Leaky)ReLU forward; backward in
/// one sweep over the images.
struct ConvTransposeOp {
    config: ConvTranspose,
    negative_slope: Option<f32>,
}

/// The geometry of the convolution whose input gradient this transposed convolution is:
/// its "image" is our output (`out_channels`×oh×ow), its positions our input pixels.
fn geometry(x: &Shape, kernel: &Shape, config: ConvTranspose) -> Result<Geometry> {
    let (_, channels, h, w) = x.dims4()?;
    let (kc, out_channels, kh, kw) = kernel.dims4()?;
    if channels != kc {
        bail!(
            "conv_transpose2d: the input has {channels} channels but the kernel \
             ([in_channels, out_channels, kh, kw]) expects {kc}"
        )
    }
    let (oh, ow) = config.output;
    if oh == 0 || ow == 0 {
        bail!("conv_transpose2d: an output of {oh}×{ow} pixels, expected at least 1×1")
    }
    Geometry::with_output(
        (out_channels, oh, ow),
        (kh, kw),
        config.stride,
        config.padding,
        (h, w),
    )
}

impl CustomOp3 for ConvTransposeOp {
    fn name(&self) -> &'static str {
        "dlcourse-conv-transpose2d"
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
        let g = geometry(xl.shape(), kl.shape(), self.config)?;
        let x = storage::values(xs, xl, "conv_transpose2d input")?;
        let k = storage::values(ks, kl, "conv_transpose2d kernel")?;
        let bias = storage::values(bs, bl, "conv_transpose2d bias")?;
        let (batch, channels) = (xl.dims()[0], xl.dims()[1]);
        if bias.len() != g.channels {
            bail!(
                "conv_transpose2d: {} biases for {} output channels",
                bias.len(),
                g.channels
            )
        }
        let (patch, positions) = (g.patch_len(), g.positions());
        let (input_len, plane) = (channels * positions, g.height * g.width);
        // Wᵀ: [out_channels·kh·kw, in_channels], the kernel read transposed in place.
        let kernel_t = MatRef::row_major(k, channels, patch).t();
        let mut out = vec![0f32; batch * g.image_len()];
        for_each_image(
            &mut out,
            g.image_len(),
            patch * positions,
            |i, y, cols, t| {
                let xi = MatRef::row_major(&x[i * input_len..][..input_len], channels, positions);
                matmul(cols, kernel_t, xi, false, t);
                for (row, b) in y.chunks_mut(plane).zip(bias) {
                    row.fill(*b);
                }
                col2im(&g, cols, y);
                activate(y, self.negative_slope);
            },
        );
        let (oh, ow) = self.config.output;
        Ok((
            CpuStorage::F32(out),
            Shape::from((batch, g.channels, oh, ow)),
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
        let needs = Needs {
            input: x.track_op(),
            kernel: kernel.track_op(),
            bias: bias.track_op(),
        };
        if !(needs.input || needs.kernel || needs.bias) {
            return Ok((None, None, None));
        }
        let g = geometry(x.shape(), kernel.shape(), self.config)?;
        let grad = grad.contiguous()?;
        let (xs, xl) = x.storage_and_layout();
        let (ks, kl) = kernel.storage_and_layout();
        let (ys, yl) = output.storage_and_layout();
        let (gs, gl) = grad.storage_and_layout();
        let inputs = Inputs {
            x: storage::tensor_values(&xs, xl, "conv_transpose2d input")?,
            kernel: storage::tensor_values(&ks, kl, "conv_transpose2d kernel")?,
            activation: match self.negative_slope {
                Some(slope) => Some((
                    storage::tensor_values(&ys, yl, "conv_transpose2d output")?,
                    slope,
                )),
                None => None,
            },
            grad: storage::tensor_values(&gs, gl, "conv_transpose2d output gradient")?,
            batch: x.dim(0)?,
            channels: x.dim(1)?,
        };
        let grads = backward(&g, &inputs, needs);
        grads.into_tensors(x, kernel, bias)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::seeded_normal;
    use candle_core::{DType, Device, Var};

    /// One test case: batch, input channels, output channels, input height and width,
    /// kernel side.
    type Case = (usize, usize, usize, usize, usize, usize);

    /// Random input, kernel and bias for `case`, as variables (gradients tracked).
    fn operands(case: Case, seed: u64) -> [Var; 3] {
        let (batch, channels, out_channels, h, w, k) = case;
        [
            seeded_normal(&[batch, channels, h, w], 0.0, 1.0, seed).unwrap(),
            seeded_normal(&[channels, out_channels, k, k], 0.0, 0.5, seed + 1).unwrap(),
            seeded_normal(&[out_channels], 0.0, 0.5, seed + 2).unwrap(),
        ]
    }

    /// The largest absolute difference between `a` and `b`, over the largest magnitude
    /// in `b` (at least 1): f32 sums of a few hundred terms agree to about 1e-6 of it.
    fn relative_error(a: &Tensor, b: &Tensor) -> f32 {
        assert_eq!(a.dims(), b.dims());
        let a = a.to_dtype(DType::F32).unwrap().flatten_all().unwrap();
        let b = b.to_dtype(DType::F32).unwrap().flatten_all().unwrap();
        let (a, b) = (a.to_vec1::<f32>().unwrap(), b.to_vec1::<f32>().unwrap());
        let scale = b.iter().fold(1f32, |m, v| m.max(v.abs()));
        let worst = a
            .iter()
            .zip(&b)
            .fold(0f32, |m, (x, y)| m.max((x - y).abs()));
        worst / scale
    }

    /// The output and the gradients of input, kernel and bias of Σ output·weights (fixed
    /// random weights), computed by `op`.
    fn run(
        op: impl Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor>,
        vars: &[Var; 3],
        seed: u64,
    ) -> Vec<Tensor> {
        let [x, k, b] = vars;
        let y = op(x.as_tensor(), k.as_tensor(), b.as_tensor()).unwrap();
        let weights = seeded_normal(y.dims(), 0.0, 1.0, seed).unwrap();
        let weights = weights.as_tensor().to_dtype(y.dtype()).unwrap();
        let grads = (&y * weights)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        let mut out = vec![y];
        out.extend(
            vars.iter()
                .map(|v| grads.get(v).expect("a gradient").clone()),
        );
        out
    }

    fn assert_close(ours: &[Tensor], reference: &[Tensor], what: &str) {
        for (name, (a, b)) in [
            "output",
            "input gradient",
            "kernel gradient",
            "bias gradient",
        ]
        .iter()
        .zip(ours.iter().zip(reference))
        {
            let error = relative_error(a, b);
            assert!(error < 2e-5, "{what}: {name} off by {error} (relative)");
        }
    }

    #[test]
    fn matches_candles_conv_transpose2d_values_and_gradients() {
        // (case, stride, padding, output padding): batch 1 and several, odd sizes, a
        // single output channel, even kernels, a 1×1 image, output padding.
        let cases: [(Case, usize, usize, usize); 9] = [
            ((1, 3, 2, 5, 4, 3), 1, 1, 0),
            ((4, 2, 3, 7, 7, 3), 2, 1, 1),
            ((3, 5, 1, 6, 5, 3), 2, 0, 0),
            ((2, 4, 3, 3, 4, 4), 2, 1, 0),
            ((5, 3, 1, 4, 3, 2), 2, 0, 1),
            ((1, 2, 2, 1, 1, 3), 2, 0, 0),
            ((3, 6, 4, 5, 7, 5), 1, 2, 0),
            ((2, 3, 2, 4, 4, 1), 1, 0, 0),
            ((1, 8, 16, 7, 7, 3), 2, 1, 1),
        ];
        for (n, &(case, stride, padding, output_padding)) in cases.iter().enumerate() {
            let (_, _, out_channels, h, w, k) = case;
            let config =
                ConvTranspose::candle((h, w), (k, k), stride, padding, output_padding).unwrap();
            for slope in [None, Some(0.0), Some(0.2)] {
                let seed = 10 * n as u64;
                let vars = operands(case, seed);
                let ours = run(
                    |x, k, b| conv_transpose2d(x, k, b, config, slope),
                    &vars,
                    seed + 5,
                );
                let candle = run(
                    |x, k, b| {
                        let y = x
                            .conv_transpose2d(k, padding, output_padding, stride, 1)?
                            .broadcast_add(&b.reshape((1, out_channels, 1, 1))?)?;
                        match slope {
                            None => Ok(y),
                            Some(0.0) => y.relu(),
                            Some(s) => candle_nn::ops::leaky_relu(&y, s.into()),
                        }
                    },
                    &vars,
                    seed + 5,
                );
                let what = format!(
                    "{case:?} stride {stride} padding {padding}+{output_padding} slope {slope:?}"
                );
                assert_close(&ours, &candle, &what);
            }
        }
    }

    #[test]
    fn asymmetric_placements_match_candle_ops_in_f64() {
        // Keras' "same" crops less before than after (3×3 kernel, stride 2: nothing
        // before, one row after); outputs larger than the full result are zero-extended.
        let cases: [(Case, usize, usize, (usize, usize)); 4] = [
            ((2, 3, 4, 7, 5, 3), 2, 0, (14, 10)),
            ((3, 2, 1, 6, 6, 4), 1, 1, (6, 6)),
            ((1, 4, 2, 5, 3, 3), 1, 1, (5, 3)),
            ((4, 2, 1, 3, 4, 1), 2, 0, (6, 8)),
        ];
        for (n, &(case, stride, padding, output)) in cases.iter().enumerate() {
            let config = ConvTranspose {
                stride,
                padding,
                output,
            };
            let seed = 100 + 10 * n as u64;
            // ReLU, then LeakyReLU with slopes 0.1, 0.2, 0.3.
            let slope = Some(0.1 * n as f32);
            let vars = operands(case, seed);
            let ours = run(
                |x, k, b| conv_transpose2d(x, k, b, config, slope),
                &vars,
                seed + 5,
            );
            let wide = vars
                .each_ref()
                .map(|v| Var::from_tensor(&v.as_tensor().to_dtype(DType::F64).unwrap()).unwrap());
            // f64 is not the fast path: this is conv_transpose2d_with_candle_ops.
            let reference = run(
                |x, k, b| conv_transpose2d(x, k, b, config, slope),
                &wide,
                seed + 5,
            );
            assert_eq!(ours[0].dims()[2..], [output.0, output.1]);
            assert_close(&ours, &reference, &format!("{case:?} {config:?}"));
        }
    }

    #[test]
    fn a_frozen_input_gets_no_gradient_and_the_rest_still_do() {
        let [x, k, b] = operands((3, 2, 2, 4, 4, 3), 7);
        let config = ConvTranspose::candle((4, 4), (3, 3), 2, 1, 1).unwrap();
        let y = conv_transpose2d(x.as_tensor().detach().as_ref(), &k, &b, config, None).unwrap();
        let grads = y.sum_all().unwrap().backward().unwrap();
        assert!(grads.get(&x).is_none());
        // Σ y over every output pixel: each bias gets one per pixel.
        let bias_grad = grads.get(&b).unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(bias_grad, [3.0 * 8.0 * 8.0; 2]);
        assert!(grads.get(&k).is_some());
    }

    #[test]
    fn mismatched_channels_empty_outputs_and_negative_slopes_are_errors() {
        let [x, _, b] = operands((1, 3, 2, 4, 4, 3), 9);
        let wrong = Tensor::zeros((2, 2, 3, 3), DType::F32, &Device::Cpu).unwrap();
        let config = ConvTranspose::candle((4, 4), (3, 3), 1, 1, 0).unwrap();
        let error = conv_transpose2d(&x, &wrong, &b, config, None).unwrap_err();
        assert!(error.to_string().contains("3 channels"), "{error}");
        let empty = ConvTranspose {
            output: (0, 4),
            ..config
        };
        let right = Tensor::zeros((3, 2, 3, 3), DType::F32, &Device::Cpu).unwrap();
        assert!(conv_transpose2d(&x, &right, &b, empty, None).is_err());
        let negative = conv_transpose2d(&x, &right, &b, config, Some(-0.5)).unwrap_err();
        assert!(negative.to_string().contains("slope ≥ 0"), "{negative}");
        assert!(ConvTranspose::candle((1, 1), (1, 1), 1, 1, 0).is_err());
    }
}
