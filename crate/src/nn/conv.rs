//! Convolutions over images in Candle's channels-first layout (samples of C×H×W):
//! `Conv2d` and `ConvTranspose2d` (the "deconvolution" that upsamples, for decoders and
//! generators). `Conv2d` runs on [`crate::kernels::conv2d`] (im2col + GEMM, with a fast
//! backward pass), `ConvTranspose2d` on [`crate::kernels::conv_transpose2d`] (GEMM +
//! col2im); both fall back to Candle's ops off the CPU.

use crate::error::{Error, Result};
use crate::kernels::ConvTranspose;
use crate::nn::{Activation, BuildContext, BuiltLayer, LayerSpec, glorot_uniform};
use candle_core::{Module, Tensor};
use candle_nn::{Init, VarBuilder};

/// How a convolution treats the border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Padding {
    /// No padding: the output shrinks by `kernel − 1` (Keras' default).
    #[default]
    Valid,
    /// Zero padding so that the output is `input / stride` (`input × stride` for a
    /// transposed convolution).
    Same,
}

/// The settings of [`conv2d`] (candle-nn: `Conv2dConfig`): stride 1, valid padding and
/// no activation by default.
///
/// ```
/// use dlcourse::nn::{Activation, Conv2dConfig, Padding};
/// let config = Conv2dConfig { padding: Padding::Same, activation: Activation::Relu, ..Default::default() };
/// assert_eq!(config.stride, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conv2dConfig {
    /// How many pixels the filter moves at a time (at least 1).
    pub stride: usize,
    /// The border handling.
    pub padding: Padding,
    /// Applied to the output; ReLU is fused into the convolution.
    pub activation: Activation,
}

impl Default for Conv2dConfig {
    fn default() -> Self {
        Conv2dConfig {
            stride: 1,
            padding: Padding::Valid,
            activation: Activation::Linear,
        }
    }
}

/// The settings of [`conv_transpose2d`]: stride 1, valid padding, no activation and
/// Keras' default output size unless told otherwise.
///
/// ```
/// use dlcourse::nn::{ConvTranspose2dConfig, Padding};
/// let doubling = ConvTranspose2dConfig { stride: 2, padding: Padding::Same, ..Default::default() };
/// assert_eq!(doubling.output_padding, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConvTranspose2dConfig {
    /// How many output pixels each input pixel moves (at least 1).
    pub stride: usize,
    /// The border handling: `Same` makes the output `input × stride`.
    pub padding: Padding,
    /// Applied to the output; ReLU and LeakyReLU are fused into the op.
    pub activation: Activation,
    /// Extra output rows and columns (Keras' `output_padding`, less than the stride);
    /// `None` for Keras' default rule.
    pub output_padding: Option<usize>,
}

impl Default for ConvTranspose2dConfig {
    fn default() -> Self {
        ConvTranspose2dConfig {
            stride: 1,
            padding: Padding::Valid,
            activation: Activation::Linear,
            output_padding: None,
        }
    }
}

/// What a convolution layer description holds: its filters, kernel size and settings.
#[derive(Debug, Clone)]
struct ConvSpec<C> {
    filters: usize,
    kernel: usize,
    config: C,
}

/// A 2-D convolution of `filters` filters of `kernel`×`kernel` (Keras: `Conv2D`).
///
/// ```
/// use dlcourse::nn::{Activation, Conv2d};
/// let conv = Conv2d::new(32, 3).activation(Activation::Relu);
/// ```
#[derive(Debug, Clone)]
pub struct Conv2d(ConvSpec<Conv2dConfig>);

/// A transposed 2-D convolution (Keras: `Conv2DTranspose`): with stride 2 and `Same`
/// padding it doubles the height and width. Output sizes and which border rows are
/// cropped follow Keras exactly, so weights carry over; ReLU and LeakyReLU are fused into
/// the op ([`crate::kernels::conv_transpose2d`]).
///
/// ```
/// use dlcourse::nn::{ConvTranspose2d, Padding};
/// let up = ConvTranspose2d::new(64, 3).stride(2).padding(Padding::Same);
/// ```
#[derive(Debug, Clone)]
pub struct ConvTranspose2d(ConvSpec<ConvTranspose2dConfig>);

macro_rules! conv_builders {
    ($ty:ident) => {
        impl $ty {
            /// `filters` filters of `kernel`×`kernel`, stride 1, valid padding, linear.
            pub fn new(filters: usize, kernel: usize) -> Self {
                $ty(ConvSpec {
                    filters,
                    kernel,
                    config: Default::default(),
                })
            }
            /// Moves the filter `stride` pixels at a time.
            pub fn stride(mut self, stride: usize) -> Self {
                self.0.config.stride = stride.max(1);
                self
            }
            /// Sets the border handling.
            pub fn padding(mut self, padding: Padding) -> Self {
                self.0.config.padding = padding;
                self
            }
            /// Applies `activation` to the output.
            pub fn activation(mut self, activation: Activation) -> Self {
                self.0.config.activation = activation;
                self
            }
        }
    };
}
conv_builders!(Conv2d);
conv_builders!(ConvTranspose2d);

impl ConvTranspose2d {
    /// Adds `output_padding` rows and columns to the output (Keras' `output_padding`,
    /// less than the stride): `(input − 1)·stride + kernel + output_padding` with valid
    /// padding, `kernel − 2·⌊kernel/2⌋` less with same padding.
    ///
    /// ```
    /// use dlcourse::nn::ConvTranspose2d;
    /// let up = ConvTranspose2d::new(64, 3).stride(2).output_padding(1); // 7×7 → 16×16
    /// ```
    pub fn output_padding(mut self, output_padding: usize) -> Self {
        self.0.config.output_padding = Some(output_padding);
        self
    }
}

/// A 2-D convolution built by [`conv2d`]: kernels `[out_channels, in_channels, k, k]`, one
/// bias per output channel, and the activation. Bias and ReLU or LeakyReLU are fused into
/// the convolution ([`crate::kernels::conv2d_bias_relu`],
/// [`crate::kernels::conv2d_bias_leaky_relu`]); other activations follow it.
/// Inputs are `[batch, in_channels, height, width]`.
#[derive(Debug, Clone)]
pub struct Conv2dModule {
    weight: Tensor,
    bias: Tensor,
    stride: usize,
    padding: usize,
    activation: Activation,
}

impl Conv2dModule {
    /// The kernels, `[out_channels, in_channels, k, k]`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The biases, `[out_channels]`.
    pub fn bias(&self) -> &Tensor {
        &self.bias
    }

    /// The output's height and width for `height`×`width` inputs, or `None` when the
    /// images are smaller than the kernel.
    pub fn output_size(&self, height: usize, width: usize) -> Option<(usize, usize)> {
        let kernel = self.weight.dims().last().copied().unwrap_or(1);
        let out = |size| crate::kernels::output_len(size, kernel, self.stride, self.padding);
        Some((out(height)?, out(width)?))
    }
}

impl Module for Conv2dModule {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        use crate::kernels::{conv2d_bias, conv2d_bias_leaky_relu, conv2d_bias_relu};
        let params = crate::kernels::ConvParams {
            padding: self.padding,
            stride: self.stride,
        };
        let (w, b) = (&self.weight, &self.bias);
        match self.activation.fused_slope() {
            Some(0.0) => conv2d_bias_relu(xs, w, b, params),
            Some(slope) => conv2d_bias_leaky_relu(xs, w, b, params, slope),
            None => self.activation.apply(&conv2d_bias(xs, w, b, params)?),
        }
    }
}

/// A transposed 2-D convolution built by [`conv_transpose2d`]: kernels `[in_channels,
/// out_channels, k, k]` (Candle's layout), one bias per output channel, Keras' placement
/// of the output, and the activation (ReLU and LeakyReLU fused into the op, others
/// applied after it). Inputs are `[batch, in_channels, height, width]`.
#[derive(Debug, Clone)]
pub struct ConvTranspose2dModule {
    weight: Tensor,
    bias: Tensor,
    kernel: usize,
    config: ConvTranspose2dConfig,
}

impl ConvTranspose2dModule {
    /// The kernels, `[in_channels, out_channels, k, k]`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The biases, `[out_channels]`.
    pub fn bias(&self) -> &Tensor {
        &self.bias
    }

    /// The output's height and width for `height`×`width` inputs (Keras' sizes).
    pub fn output_size(&self, height: usize, width: usize) -> (usize, usize) {
        self.config
            .placement(self.kernel, height.max(1), width.max(1))
            .output
    }
}

impl Module for ConvTranspose2dModule {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        let (_, _, h, w) = xs.dims4()?;
        if h == 0 || w == 0 {
            candle_core::bail!("Conv2DTranspose: {h}×{w} input images, expected at least 1×1")
        }
        let placement = self.config.placement(self.kernel, h, w);
        let activation = self.config.activation;
        let slope = activation.fused_slope();
        let ys = crate::kernels::conv_transpose2d(xs, &self.weight, &self.bias, placement, slope)?;
        if slope.is_some() {
            Ok(ys)
        } else {
            activation.apply(&ys)
        }
    }
}

impl ConvTranspose2dConfig {
    /// Keras' `Conv2DTranspose` placement for `h`×`w` inputs and `k`×`k` kernels. Each
    /// side's length is `in·stride + max(kernel − stride, 0)` (valid) or `in·stride`
    /// (same), or with an output padding `(in − 1)·stride + kernel + output_padding`
    /// (valid; minus `2·⌊kernel/2⌋` for same); what the full result
    /// `(in − 1)·stride + kernel` has more is cropped half before (rounded down) and half
    /// after, as TensorFlow does.
    fn placement(&self, k: usize, h: usize, w: usize) -> ConvTranspose {
        let stride = self.stride;
        let side = |input: usize| match (self.padding, self.output_padding) {
            (Padding::Valid, None) => input * stride + k.saturating_sub(stride),
            (Padding::Same, None) => input * stride,
            (Padding::Valid, Some(extra)) => (input - 1) * stride + k + extra,
            (Padding::Same, Some(extra)) => (input - 1) * stride + k - 2 * (k / 2) + extra,
        };
        let output = (side(h), side(w));
        let full = (h - 1) * stride + k;
        ConvTranspose {
            stride,
            padding: full.saturating_sub(output.0) / 2,
            output,
        }
    }
}

/// Checks the sizes both convolution constructors take.
fn check_conv(
    kind: &str,
    in_channels: usize,
    out_channels: usize,
    kernel: usize,
    stride: usize,
) -> Result<()> {
    if in_channels == 0 || out_channels == 0 || kernel == 0 || stride == 0 {
        return Err(Error::shape(
            format!("building a {kind} layer"),
            "positive channel counts, kernel size and stride",
            format!(
                "{in_channels} input channels, {out_channels} output channels, \
                 kernel {kernel}, stride {stride}"
            ),
            "pass sizes of at least 1 (the config's default stride is 1)",
        ));
    }
    Ok(())
}

/// A 2-D convolution from `in_channels` to `out_channels` with `kernel`×`kernel` filters
/// over `vb` (candle-nn: `conv2d(in, out, kernel, Conv2dConfig, vb)`), on the crate's
/// im2col + GEMM kernel. Creates `weight` (`[out, in, k, k]`, Glorot-uniform as in
/// Keras) and `bias` (zeros), or reuses them if `vb` holds them — the names [`Conv2d`]
/// uses inside a `Sequential`.
///
/// ```
/// use candle_core::{DType, Device, Module, Tensor};
/// use candle_nn::{VarBuilder, VarMap};
/// use dlcourse::nn::{Activation, Conv2dConfig, Padding, conv2d};
/// # fn main() -> dlcourse::Result<()> {
/// let vars = VarMap::new();
/// let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
/// let config = Conv2dConfig { padding: Padding::Same, activation: Activation::Relu, ..Default::default() };
/// let conv = conv2d(1, 8, 3, config, vb.pp("conv"))?;
/// let ys = conv.forward(&Tensor::zeros((2, 1, 28, 28), DType::F32, &Device::Cpu)?)?;
/// assert_eq!(ys.dims(), &[2, 8, 28, 28]);
/// # Ok(()) }
/// ```
pub fn conv2d(
    in_channels: usize,
    out_channels: usize,
    kernel: usize,
    config: Conv2dConfig,
    vb: VarBuilder,
) -> Result<Conv2dModule> {
    check_conv("Conv2D", in_channels, out_channels, kernel, config.stride)?;
    let k = kernel;
    let weight = vb.get_with_hints(
        (out_channels, in_channels, k, k),
        "weight",
        glorot_uniform(in_channels * k * k, out_channels * k * k),
    )?;
    let bias = vb.get_with_hints(out_channels, "bias", Init::Const(0.0))?;
    let padding = match config.padding {
        Padding::Valid => 0,
        Padding::Same => (k - 1) / 2,
    };
    Ok(Conv2dModule {
        weight,
        bias,
        stride: config.stride,
        padding,
        activation: config.activation,
    })
}

/// A transposed 2-D convolution from `in_channels` to `out_channels` with
/// `kernel`×`kernel` filters over `vb` (candle-nn: `conv_transpose2d`), on the crate's
/// GEMM + col2im kernel, with Keras' output sizes. Creates `weight` (`[in, out, k, k]`,
/// Glorot-uniform) and `bias` (zeros), or reuses them — the names [`ConvTranspose2d`] uses.
///
/// ```
/// use candle_core::{DType, Device, Module, Tensor};
/// use candle_nn::{VarBuilder, VarMap};
/// use dlcourse::nn::{ConvTranspose2dConfig, Padding, conv_transpose2d};
/// # fn main() -> dlcourse::Result<()> {
/// let vars = VarMap::new();
/// let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
/// let config = ConvTranspose2dConfig { stride: 2, padding: Padding::Same, ..Default::default() };
/// let up = conv_transpose2d(16, 8, 3, config, vb.pp("up"))?;
/// let ys = up.forward(&Tensor::zeros((2, 16, 7, 7), DType::F32, &Device::Cpu)?)?;
/// assert_eq!(ys.dims(), &[2, 8, 14, 14]);
/// # Ok(()) }
/// ```
pub fn conv_transpose2d(
    in_channels: usize,
    out_channels: usize,
    kernel: usize,
    config: ConvTranspose2dConfig,
    vb: VarBuilder,
) -> Result<ConvTranspose2dModule> {
    let kind = "Conv2DTranspose";
    check_conv(kind, in_channels, out_channels, kernel, config.stride)?;
    if let Some(extra) = config
        .output_padding
        .filter(|&extra| extra >= config.stride)
    {
        return Err(Error::shape(
            format!("building a {kind} layer"),
            format!("an output padding less than the stride ({})", config.stride),
            format!("output padding {extra}"),
            "use a smaller output padding, or a larger stride",
        ));
    }
    let k = kernel;
    let weight = vb.get_with_hints(
        (in_channels, out_channels, k, k),
        "weight",
        glorot_uniform(in_channels * k * k, out_channels * k * k),
    )?;
    let bias = vb.get_with_hints(out_channels, "bias", Init::Const(0.0))?;
    Ok(ConvTranspose2dModule {
        weight,
        bias,
        kernel,
        config,
    })
}

impl<C> ConvSpec<C> {
    /// The input's channels, height and width, or an error naming the layer.
    fn chw(&self, kind: &str, input_shape: &[usize]) -> Result<(usize, usize, usize)> {
        match *input_shape {
            [c, h, w] if h >= 1 && w >= 1 && self.kernel >= 1 && self.filters >= 1 => Ok((c, h, w)),
            _ => Err(Error::shape(
                format!("building a {kind} layer"),
                "images of channels × height × width, a positive kernel and filter count",
                format!(
                    "input shape {input_shape:?}, {} filters of {}",
                    self.filters, self.kernel
                ),
                "reshape flat inputs with Reshape(vec![1, 28, 28]) first",
            )),
        }
    }
}

impl LayerSpec for Conv2d {
    fn kind(&self) -> &'static str {
        "Conv2D"
    }

    fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
        let s = &self.0;
        let (c, h, w) = s.chw(self.kind(), input_shape)?;
        let conv = conv2d(c, s.filters, s.kernel, s.config, ctx.vb)?;
        let Some((oh, ow)) = conv.output_size(h, w) else {
            return Err(Error::shape(
                "building a Conv2D layer",
                format!("images at least {0}×{0} for a {0}×{0} kernel", s.kernel),
                format!("{h}×{w}"),
                "use a smaller kernel, Padding::Same, or less pooling before this layer",
            ));
        };
        Ok(BuiltLayer::new(conv, vec![s.filters, oh, ow]))
    }

    fn take_output_activation(&mut self) -> Option<Activation> {
        Some(std::mem::take(&mut self.0.config.activation))
    }
}

impl LayerSpec for ConvTranspose2d {
    fn kind(&self) -> &'static str {
        "Conv2DTranspose"
    }

    fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
        let s = &self.0;
        let (c, h, w) = s.chw(self.kind(), input_shape)?;
        let layer = conv_transpose2d(c, s.filters, s.kernel, s.config, ctx.vb)?;
        let (oh, ow) = layer.output_size(h, w);
        Ok(BuiltLayer::new(layer, vec![s.filters, oh, ow]))
    }

    fn take_output_activation(&mut self) -> Option<Activation> {
        Some(std::mem::take(&mut self.0.config.activation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn placement(up: ConvTranspose2d, input: usize) -> (usize, usize) {
        let p = up.0.config.placement(up.0.kernel, input, input);
        assert_eq!(p.output.0, p.output.1);
        (p.padding, p.output.0)
    }

    #[test]
    fn output_sizes_and_crops_follow_keras() {
        // Keras' deconv_output_length, and TensorFlow's crop (less before than after).
        let same = |f: usize, k: usize| ConvTranspose2d::new(f, k).padding(Padding::Same);
        assert_eq!(placement(same(8, 3).stride(2), 7), (0, 14));
        assert_eq!(placement(same(8, 3), 28), (1, 28));
        assert_eq!(placement(same(8, 4), 5), (1, 5));
        assert_eq!(placement(same(8, 5).stride(2), 7), (1, 14));
        assert_eq!(placement(ConvTranspose2d::new(8, 3).stride(2), 7), (0, 15));
        assert_eq!(placement(ConvTranspose2d::new(8, 1).stride(2), 7), (0, 14));
        assert_eq!(
            placement(same(8, 3).stride(2).output_padding(0), 7),
            (1, 13)
        );
        assert_eq!(
            placement(same(8, 3).stride(2).output_padding(1), 7),
            (0, 14)
        );
        let valid = ConvTranspose2d::new(8, 3).stride(2).output_padding(1);
        assert_eq!(placement(valid, 7), (0, 16));
    }

    #[test]
    fn same_padding_with_stride_two_keeps_the_first_kernel_rows() {
        // One pixel, a 3×3 kernel 1..9, stride 2, same: Keras' 2×2 output is the
        // kernel's top-left corner (the full 3×3 result cropped after, not before).
        let cpu = &Device::Cpu;
        let x = Tensor::ones((1, 1, 1, 1), candle_core::DType::F32, cpu).unwrap();
        let kernel = Tensor::arange(1f32, 10., cpu)
            .unwrap()
            .reshape((1, 1, 3, 3))
            .unwrap();
        let bias = Tensor::zeros(1, candle_core::DType::F32, cpu).unwrap();
        let up = ConvTranspose2d::new(1, 3).stride(2).padding(Padding::Same);
        let config = up.0.config.placement(3, 1, 1);
        let y = crate::kernels::conv_transpose2d(&x, &kernel, &bias, config, None).unwrap();
        let y = y.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(y, [1., 2., 4., 5.]);
    }
}
