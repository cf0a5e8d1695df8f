//! `BatchNorm`: normalise each feature over the batch while training, with running
//! statistics at inference (Keras: `BatchNormalization`).

use crate::error::{Error, Result};
use crate::nn::{BuildContext, BuiltLayer, LayerSpec};
use candle_nn::BatchNormConfig;

/// Batch normalisation over the features (channels of images, columns of vectors), with
/// Keras' defaults: ε = 0.001, running averages updated with momentum 0.99.
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchNorm;

impl LayerSpec for BatchNorm {
    fn kind(&self) -> &'static str {
        "BatchNormalization"
    }

    fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
        let Some(&features) = input_shape.first() else {
            return Err(Error::shape(
                "building a BatchNormalization layer",
                "samples with at least one dimension",
                format!("input shape {input_shape:?}"),
                "normalise after a Dense or Conv2D layer",
            ));
        };
        let config = BatchNormConfig {
            eps: 1e-3,
            remove_mean: true,
            affine: true,
            momentum: 0.01,
        };
        let norm = candle_nn::batch_norm(features, config, ctx.vb)?;
        Ok(BuiltLayer::new(norm, input_shape.to_vec()))
    }
}
