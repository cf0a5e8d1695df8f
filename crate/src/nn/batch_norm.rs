//! `BatchNorm`: normalise each feature over the batch while training, with running
//! statistics at inference (Keras: `BatchNormalization`).

use crate::error::{Error, Result};
use crate::nn::{BuildContext, BuiltLayer, LayerSpec};
use candle_nn::{BatchNormConfig, VarBuilder};

/// Batch normalisation over the features (channels of images, columns of vectors), with
/// Keras' defaults: ε = 0.001, running averages updated with momentum 0.99.
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchNorm;

/// Batch normalisation of `features` features (channels) over `vb` with Keras' defaults
/// (ε = 0.001, momentum 0.99): candle-nn's `batch_norm` and module, configured as
/// [`BatchNorm`] is in a `Sequential`. A `ModuleT`: batch statistics in training, running
/// ones at inference.
///
/// ```
/// use candle_core::{DType, Device, ModuleT, Tensor};
/// use candle_nn::{VarBuilder, VarMap};
/// use dlcourse::nn::batch_norm;
/// # fn main() -> dlcourse::Result<()> {
/// let vars = VarMap::new();
/// let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
/// let norm = batch_norm(8, vb.pp("batchnormalization"))?;
/// let xs = Tensor::ones((4, 8, 5, 5), DType::F32, &Device::Cpu)?;
/// assert_eq!(norm.forward_t(&xs, true)?.dims(), &[4, 8, 5, 5]);
/// # Ok(()) }
/// ```
pub fn batch_norm(features: usize, vb: VarBuilder) -> Result<candle_nn::BatchNorm> {
    if features == 0 {
        return Err(Error::shape(
            "building a BatchNormalization layer",
            "at least one feature",
            "0 features",
            "normalise after a Dense or Conv2D layer",
        ));
    }
    let config = BatchNormConfig {
        eps: 1e-3,
        remove_mean: true,
        affine: true,
        momentum: 0.01,
    };
    Ok(candle_nn::batch_norm(features, config, vb)?)
}

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
        Ok(BuiltLayer::new(
            batch_norm(features, ctx.vb)?,
            input_shape.to_vec(),
        ))
    }
}
