//! The contract between a layer description and the module it builds.

use crate::error::Result;
use crate::nn::Activation;
use candle_core::{DType, ModuleT};
use candle_nn::VarBuilder;

/// What a layer gets when it is built: where to create its parameters, and a seed of
/// its own for anything random it does later (dropout masks).
pub struct BuildContext<'a> {
    /// Creates the layer's parameters (already prefixed with the layer's name).
    pub vb: VarBuilder<'a>,
    /// A seed derived from the model's seed and the layer's position.
    pub seed: u64,
}

/// A layer before it is built: knows how to create its parameters once the shape of its
/// input is known (Keras infers these shapes the same way).
pub trait LayerSpec {
    /// The Keras class name shown by `summary()`, e.g. `"Dense"`.
    fn kind(&self) -> &'static str;

    /// Creates the layer's parameters for inputs of `input_shape` (one sample, without the
    /// batch dimension) and returns the module with its output shape.
    fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer>;

    /// The dtype of the inputs this layer takes when it comes first: f32 for most,
    /// integer token ids (u32) for an embedding.
    fn input_dtype(&self) -> DType {
        DType::F32
    }

    /// Removes and returns the activation this layer applies last, if any.
    ///
    /// The model calls this on its final layer so that losses can work on logits:
    /// cross-entropy after a softmax or sigmoid is then computed in one numerically
    /// stable step, as Keras does.
    fn take_output_activation(&mut self) -> Option<Activation> {
        None
    }

    /// The parameters this layer asks to penalise, by name (`"weight"`), with their L2
    /// factors: the model adds factor · Σ w² of each to the loss (Keras:
    /// `kernel_regularizer`). None by default.
    fn l2_penalties(&self) -> Vec<(&'static str, f64)> {
        Vec::new()
    }
}

/// A built layer: a Candle module and the shape of one output sample.
pub struct BuiltLayer {
    /// The module; `forward_t(xs, train)` runs it in training or inference mode.
    pub module: Box<dyn ModuleT + Send + Sync>,
    /// Shape of one output sample (without the batch dimension).
    pub output_shape: Vec<usize>,
}

impl BuiltLayer {
    /// A built layer from a module and its output shape.
    pub fn new(module: impl ModuleT + Send + Sync + 'static, output_shape: Vec<usize>) -> Self {
        BuiltLayer {
            module: Box::new(module),
            output_shape,
        }
    }
}
