//! Convolutions over images in Candle's channels-first layout (samples of C×H×W):
//! `Conv2d` and `ConvTranspose2d` (the "deconvolution" that upsamples, for decoders and
//! generators). `Conv2d` runs on [`crate::kernels::conv2d`] (im2col + GEMM, with a fast
//! backward pass), `ConvTranspose2d` on [`crate::kernels::conv_transpose2d`] (GEMM +
//! col2im); both fall back to Candle's ops off the CPU.

use crate::error::{Error, Result};
use crate::kernels::ConvTranspose;
use crate::nn::{Activation, BuildContext, BuiltLayer, LayerSpec, glorot_uniform};
use candle_core::{Module, Tensor};
use candle_nn::Init;

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
    /// Extra output rows and columns of a transposed convolution (Keras'
    /// `output_padding`); `None` for the default rule.
    output_padding: Option<usize>,
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
/// padding it doubles the height and width. Output sizes and which border rows are
/// cropped follow Keras exactly, so weights carry over; ReLU and LeakyReLU are fused into
/// the op ([`crate::kernels::conv_transpose2d`]).
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
                    output_padding: None,
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
        self.0.output_padding = Some(output_padding);
        self
    }
}

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

/// A built `ConvTranspose2d`: kernels `[channels, filters, k, k]` (Candle's layout), one
/// bias per filter, Keras' placement of the output, and the activation (ReLU and
/// LeakyReLU fused into the op, others applied after it).
struct ConvTransposeLayer {
    weight: Tensor,
    bias: Tensor,
    settings: ConvSettings,
}

impl Module for ConvTransposeLayer {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        let (_, _, h, w) = xs.dims4()?;
        if h == 0 || w == 0 {
            candle_core::bail!("Conv2DTranspose: {h}×{w} input images, expected at least 1×1")
        }
        let config = self.settings.placement(h, w);
        let activation = self.settings.activation;
        let slope = match activation {
            Activation::Relu => Some(0.0),
            Activation::LeakyRelu(alpha) if alpha.is_finite() && alpha >= 0.0 => Some(alpha as f32),
            _ => None,
        };
        let ys = crate::kernels::conv_transpose2d(xs, &self.weight, &self.bias, config, slope)?;
        if slope.is_some() {
            Ok(ys)
        } else {
            activation.apply(&ys)
        }
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

    /// Keras' `Conv2DTranspose` placement for `h`×`w` inputs. Each side's length is
    /// `in·stride + max(kernel − stride, 0)` (valid) or `in·stride` (same), or with an
    /// output padding `(in − 1)·stride + kernel + output_padding` (valid; minus
    /// `2·⌊kernel/2⌋` for same); what the full result `(in − 1)·stride + kernel` has more
    /// is cropped half before (rounded down) and half after, as TensorFlow does.
    fn placement(&self, h: usize, w: usize) -> ConvTranspose {
        let (k, stride) = (self.kernel, self.stride);
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
        if let Some(extra) = s.output_padding.filter(|&extra| extra >= s.stride) {
            return Err(Error::shape(
                "building a Conv2DTranspose layer",
                format!("an output padding less than the stride ({})", s.stride),
                format!("output padding {extra}"),
                "use a smaller output padding, or a larger stride",
            ));
        }
        let k = s.kernel;
        let placement = s.placement(h, w);
        let weight = ctx.vb.get_with_hints(
            (c, s.filters, k, k),
            "weight",
            glorot_uniform(c * k * k, s.filters * k * k),
        )?;
        let (oh, ow) = placement.output;
        let layer = ConvTransposeLayer {
            bias: s.bias(&ctx)?,
            weight,
            settings: s.clone(),
        };
        Ok(BuiltLayer::new(layer, vec![s.filters, oh, ow]))
    }

    fn take_output_activation(&mut self) -> Option<Activation> {
        Some(std::mem::take(&mut self.0.activation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn placement(up: ConvTranspose2d, input: usize) -> (usize, usize) {
        let p = up.0.placement(input, input);
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
        let config = up.0.placement(1, 1);
        let y = crate::kernels::conv_transpose2d(&x, &kernel, &bias, config, None).unwrap();
        let y = y.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(y, [1., 2., 4., 5.]);
    }
}
