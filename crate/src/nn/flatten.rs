//! `Flatten` and `Reshape`: change the shape of each sample, not its values.

use crate::error::{Error, Result};
use crate::nn::{BuildContext, BuiltLayer, LayerSpec};
use candle_core::{Module, Tensor};

/// Flattens each sample to one dimension (28×28 → 784), as before a `Dense` layer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flatten;

/// Reshapes each sample to `shape` (784 → 1×28×28; Dense(7·7·64) → 64×7×7).
#[derive(Debug, Clone)]
pub struct Reshape(pub Vec<usize>);

/// Keeps the batch dimension and reshapes the rest.
struct ReshapeModule(Vec<usize>);

impl Module for ReshapeModule {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        let mut dims = vec![xs.dim(0)?];
        dims.extend_from_slice(&self.0);
        xs.reshape(dims)
    }
}

impl LayerSpec for Flatten {
    fn kind(&self) -> &'static str {
        "Flatten"
    }

    fn build(&self, input_shape: &[usize], _ctx: BuildContext) -> Result<BuiltLayer> {
        let n = input_shape.iter().product();
        Ok(BuiltLayer::new(ReshapeModule(vec![n]), vec![n]))
    }
}

impl LayerSpec for Reshape {
    fn kind(&self) -> &'static str {
        "Reshape"
    }

    fn build(&self, input_shape: &[usize], _ctx: BuildContext) -> Result<BuiltLayer> {
        let (have, want) = (
            input_shape.iter().product::<usize>(),
            self.0.iter().product::<usize>(),
        );
        if have != want {
            return Err(Error::shape(
                "building a Reshape layer",
                format!("a target shape with {have} values per sample"),
                format!("{:?} ({want} values)", self.0),
                "choose a shape whose sizes multiply to the input's",
            ));
        }
        Ok(BuiltLayer::new(
            ReshapeModule(self.0.clone()),
            self.0.clone(),
        ))
    }
}
