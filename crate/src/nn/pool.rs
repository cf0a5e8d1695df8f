//! `MaxPool2d`: keep the largest value of each window, halving an image with 2×2
//! (on [`crate::kernels::max_pool2d`]).

use crate::error::{Error, Result};
use crate::nn::{BuildContext, BuiltLayer, LayerSpec};
use candle_core::{Module, Tensor};

/// Max pooling over `size`×`size` windows with stride `size` (Keras: `MaxPooling2D`).
#[derive(Debug, Clone, Copy)]
pub struct MaxPool2d(pub usize);

/// Max pooling built by [`max_pool2d`]: the largest value of each `size`×`size` window,
/// stride `size`, on [`crate::kernels::max_pool2d`] (one pass each way). Inputs are
/// `[batch, channels, height, width]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPool2dModule {
    size: usize,
}

impl MaxPool2dModule {
    /// The window's side (also its stride).
    pub fn size(&self) -> usize {
        self.size
    }
}

impl Module for MaxPool2dModule {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        crate::kernels::max_pool2d(xs, self.size)
    }
}

/// Max pooling over `size`×`size` windows with stride `size`, on the crate's fast kernel
/// (Candle: `xs.max_pool2d(size)`, whose 0.11 backward pass is off by 1/size²).
///
/// ```
/// use candle_core::{DType, Device, Module, Tensor};
/// use dlcourse::nn::max_pool2d;
/// # fn main() -> dlcourse::Result<()> {
/// let pool = max_pool2d(2)?;
/// let ys = pool.forward(&Tensor::zeros((2, 8, 28, 28), DType::F32, &Device::Cpu)?)?;
/// assert_eq!(ys.dims(), &[2, 8, 14, 14]);
/// # Ok(()) }
/// ```
pub fn max_pool2d(size: usize) -> Result<MaxPool2dModule> {
    if size == 0 {
        return Err(Error::shape(
            "building a MaxPooling2D layer",
            "a window of at least 1×1",
            "size 0",
            "pass the window's side, e.g. max_pool2d(2)",
        ));
    }
    Ok(MaxPool2dModule { size })
}

impl LayerSpec for MaxPool2d {
    fn kind(&self) -> &'static str {
        "MaxPooling2D"
    }

    fn build(&self, input_shape: &[usize], _ctx: BuildContext) -> Result<BuiltLayer> {
        match *input_shape {
            [c, h, w] if self.0 >= 1 && h >= self.0 && w >= self.0 => Ok(BuiltLayer::new(
                max_pool2d(self.0)?,
                vec![c, h / self.0, w / self.0],
            )),
            _ => Err(Error::shape(
                "building a MaxPooling2D layer",
                format!(
                    "images of channels × height × width of at least {0}×{0}",
                    self.0
                ),
                format!("input shape {input_shape:?}"),
                "pool after convolutions, on images larger than the window",
            )),
        }
    }
}
