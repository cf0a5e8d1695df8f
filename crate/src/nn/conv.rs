//! Convolutions over images in Candle's channels-first layout (samples of C×H×W):
//! `Conv2d` and `ConvTranspose2d` (the "deconvolution" that upsamples, for decoders and
//! generators). `Conv2d` runs on [`crate::kernels::conv2d`] (im2col + GEMM, with a fast
//! backward pass) and falls back to Candle's op off the CPU; `ConvTranspose2d` is
//! candle-nn's layer.

use crate::error::{Error, Result};
use crate::nn::{Activation, BuildContext, BuiltLayer, LayerSpec, glorot_uniform};
use candle_core::{Module, Tensor};
use candle_nn::{ConvTranspose2dConfig, Init};

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

/// The settings both convolutions share.
#[derive(Debug, Clone)]
struct ConvSettings {
    filters: usize,
    kernel: usize,
    stride: usize,
    padding: Padding,
    activation: Activation,
}

/// A 2-D convolution of `filters` filters of `kernel`×`kernel` (Keras: `Conv2D`).
///
/// ```
/// use dlcourse::nn::{Activation, Conv2d};
/// let conv = Conv2d::new(32, 3).activation(Activation::Relu);
/// ```
#[derive(Debug, Clone)]
pub struct Conv2d(ConvSettings);

/// A transposed 2-D convolution (Keras: `Conv2DTranspose`): with stride 2 and `Same`
/// padding it doubles the height and width.
///
/// ```
/// use dlcourse::nn::{ConvTranspose2d, Padding};
/// let up = ConvTranspose2d::new(64, 3).stride(2).padding(Padding::Same);
/// ```
#[derive(Debug, Clone)]
pub struct ConvTranspose2d(ConvSettings);

macro_rules! conv_builders {
    ($ty:ident) => {
        impl $ty {
            /// `filters` filters of `kernel`×`kernel`, stride 1, valid padding, linear.
            pub fn new(filters: usize, kernel: usize) -> Self {
                $ty(ConvSettings {
                    filters,
                    kernel,
                    stride: 1,
                    padding: Padding::Valid,
                    activation: Activation::Linear,
                })
            }
            /// Moves the filter `stride` pixels at a time.
            pub fn stride(mut self, stride: usize) -> Self {
                self.0.stride = stride.max(1);
                self
            }
            /// Sets the border handling.
            pub fn padding(mut self, padding: Padding) -> Self {
                self.0.padding = padding;
                self
            }
            /// Applies `activation` to the output.
            pub fn activation(mut self, activation: Activation) -> Self {
                self.0.activation = activation;
                self
            }
        }
    };
}
conv_builders!(Conv2d);
conv_builders!(ConvTranspose2d);

/// A built `Conv2d`: kernels `[filters, channels, k, k]`, one bias per filter, and the
/// activation. Bias and ReLU are fused into the convolution
/// ([`crate::kernels::conv2d_bias_relu`]); other activations follow it.
struct ConvLayer {
    weight: Tensor,
    bias: Tensor,
    stride: usize,
    padding: usize,
    activation: Activation,
}

impl Module for ConvLayer {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        let relu = self.activation == Activation::Relu;
        let ys = crate::kernels::conv2d_bias_relu(
            xs,
            &self.weight,
            &self.bias,
            self.stride,
            self.padding,
            relu,
        )?;
        if relu {
            Ok(ys)
        } else {
            self.activation.apply(&ys)
        }
    }
}

/// A transposed convolution followed by its activation.
struct Activated<M> {
    conv: M,
    activation: Activation,
}

impl<M: Module> Module for Activated<M> {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        self.activation.apply(&self.conv.forward(xs)?)
    }
}

impl ConvSettings {
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

    fn bias(&self, ctx: &BuildContext) -> Result<Tensor> {
        Ok(ctx
            .vb
            .get_with_hints(self.filters, "bias", Init::Const(0.0))?)
    }
}

impl LayerSpec for Conv2d {
    fn kind(&self) -> &'static str {
        "Conv2D"
    }

    fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
        let s = &self.0;
        let (c, h, w) = s.chw(self.kind(), input_shape)?;
        let padding = match s.padding {
            Padding::Valid => 0,
            Padding::Same => (s.kernel - 1) / 2,
        };
        let out = |size: usize| {
            (size + 2 * padding)
                .checked_sub(s.kernel)
                .map(|v| v / s.stride + 1)
        };
        let (Some(oh), Some(ow)) = (out(h), out(w)) else {
            return Err(Error::shape(
                "building a Conv2D layer",
                format!("images at least {0}×{0} for a {0}×{0} kernel", s.kernel),
                format!("{h}×{w}"),
                "use a smaller kernel, Padding::Same, or less pooling before this layer",
            ));
        };
        let k = s.kernel;
        let weight = ctx.vb.get_with_hints(
            (s.filters, c, k, k),
            "weight",
            glorot_uniform(c * k * k, s.filters * k * k),
        )?;
        let conv = ConvLayer {
            bias: s.bias(&ctx)?,
            weight,
            stride: s.stride,
            padding,
            activation: s.activation,
        };
        Ok(BuiltLayer::new(conv, vec![s.filters, oh, ow]))
    }

    fn take_output_activation(&mut self) -> Option<Activation> {
        Some(std::mem::take(&mut self.0.activation))
    }
}

impl LayerSpec for ConvTranspose2d {
    fn kind(&self) -> &'static str {
        "Conv2DTranspose"
    }

    fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
        let s = &self.0;
        let (c, h, w) = s.chw(self.kind(), input_shape)?;
        let (k, stride) = (s.kernel, s.stride);
        // out = (in − 1)·stride − 2·padding + kernel + output_padding
        let (padding, output_padding) = match s.padding {
            Padding::Valid => (0, 0),
            Padding::Same => {
                let padding = (k.saturating_sub(stride)).div_ceil(2);
                (padding, (stride + 2 * padding).saturating_sub(k))
            }
        };
        let out = |size: usize| (size - 1) * stride + k + output_padding - 2 * padding;
        let weight = ctx.vb.get_with_hints(
            (c, s.filters, k, k),
            "weight",
            glorot_uniform(c * k * k, s.filters * k * k),
        )?;
        let config = ConvTranspose2dConfig {
            padding,
            output_padding,
            stride,
            dilation: 1,
        };
        let conv = candle_nn::ConvTranspose2d::new(weight, Some(s.bias(&ctx)?), config);
        Ok(BuiltLayer::new(
            Activated {
                conv,
                activation: s.activation,
            },
            vec![s.filters, out(h), out(w)],
        ))
    }

    fn take_output_activation(&mut self) -> Option<Activation> {
        Some(std::mem::take(&mut self.0.activation))
    }
}
