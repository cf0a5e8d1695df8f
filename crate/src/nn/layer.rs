//! The contract between a layer description and the module it builds.

use crate::error::Result;
use crate::nn::Activation;
use candle_core::ModuleT;
use candle_nn::VarBuilder;

/// A layer before it is built: knows how to create its parameters once the shape of its
/// input is known (Keras infers these shapes the same way).
pub trait LayerSpec {
    /// The Keras class name shown by `summary()`, e.g. `"Dense"`.
    fn kind(&self) -> &'static str;

    /// Creates the layer's parameters under `vb` for inputs of `input_shape` (one sample,
    /// without the batch dimension) and returns the module with its output shape.
    fn build(&self, input_shape: &[usize], vb: VarBuilder) -> Result<BuiltLayer>;

    /// Removes and returns the activation this layer applies last, if any.
    ///
    /// The model calls this on its final layer so that losses can work on logits:
    /// cross-entropy after a softmax or sigmoid is then computed in one numerically
    /// stable step, as Keras does.
    fn take_output_activation(&mut self) -> Option<Activation> {
        None
    }
}

/// A built layer: a Candle module and the shape of one output sample.
pub struct BuiltLayer {
    /// The module; `forward_t(xs, train)` runs it in training or inference mode.
    pub module: Box<dyn ModuleT + Send + Sync>,
    /// Shape of one output sample (without the batch dimension).
    pub output_shape: Vec<usize>,
}
