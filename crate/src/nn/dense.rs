//! `Dense`: the fully connected layer, y = activation(x·Wᵀ + b), with weights laid out
//! as in candle-nn's `Linear` (`[units, inputs]`) and the product computed by
//! [`crate::kernels::linear`].

use crate::error::{Error, Result};
use crate::nn::glorot_uniform;
use crate::nn::{Activation, BuildContext, BuiltLayer, LayerSpec};
use candle_core::{Module, Tensor};
use candle_nn::Init;

/// A fully connected layer of `units` neurons.
///
/// Weights start Glorot-uniform and biases at zero, as in Keras, so the course's
/// hyperparameters carry over.
///
/// ```
/// use dlcourse::nn::{Activation, Dense};
/// let hidden = Dense::new(512).activation(Activation::Relu);
/// ```
#[derive(Debug, Clone)]
pub struct Dense {
    units: usize,
    activation: Activation,
}

impl Dense {
    /// A linear layer of `units` neurons (add an activation with [`Dense::activation`]).
    pub fn new(units: usize) -> Self {
        Dense {
            units,
            activation: Activation::Linear,
        }
    }

    /// Applies `activation` to the layer's output.
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }
}

/// The built dense layer: weights `[units, inputs]`, biases, then the activation.
struct DenseLayer {
    weight: Tensor,
    bias: Tensor,
    activation: Activation,
}

impl Module for DenseLayer {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        let linear = crate::kernels::linear(xs, &self.weight)?.broadcast_add(&self.bias)?;
        self.activation.apply(&linear)
    }
}

impl LayerSpec for Dense {
    fn kind(&self) -> &'static str {
        "Dense"
    }

    fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
        let vb = ctx.vb;
        let [inputs] = input_shape else {
            return Err(Error::shape(
                "building a Dense layer",
                "a flat input (one dimension per sample)",
                format!("input shape {input_shape:?}"),
                "add Flatten before Dense",
            ));
        };
        if self.units == 0 {
            return Err(Error::shape(
                "building a Dense layer",
                "at least one unit",
                "0 units",
                "give Dense::new a positive number of units",
            ));
        }
        let weight = vb.get_with_hints(
            (self.units, *inputs),
            "weight",
            glorot_uniform(*inputs, self.units),
        )?;
        let bias = vb.get_with_hints(self.units, "bias", Init::Const(0.0))?;
        Ok(BuiltLayer {
            module: Box::new(DenseLayer {
                weight,
                bias,
                activation: self.activation,
            }),
            output_shape: vec![self.units],
        })
    }

    fn take_output_activation(&mut self) -> Option<Activation> {
        Some(std::mem::take(&mut self.activation))
    }
}
