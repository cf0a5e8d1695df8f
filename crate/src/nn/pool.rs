//! `MaxPool2d`: keep the largest value of each window, halving an image with 2×2
//! (on [`crate::kernels::max_pool2d`]).

use crate::error::{Error, Result};
use crate::nn::{BuildContext, BuiltLayer, LayerSpec};
use candle_core::{Module, Tensor};

/// Max pooling over `size`×`size` windows with stride `size` (Keras: `MaxPooling2D`).
#[derive(Debug, Clone, Copy)]
pub struct MaxPool2d(pub usize);

struct MaxPoolModule(usize);

impl Module for MaxPoolModule {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        crate::kernels::max_pool2d(xs, self.0)
    }
}

impl LayerSpec for MaxPool2d {
    fn kind(&self) -> &'static str {
        "MaxPooling2D"
    }

    fn build(&self, input_shape: &[usize], _ctx: BuildContext) -> Result<BuiltLayer> {
        match *input_shape {
            [c, h, w] if self.0 >= 1 && h >= self.0 && w >= self.0 => Ok(BuiltLayer::new(
                MaxPoolModule(self.0),
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
