//! The multi-layer perceptron of lesson 05 ("Introducing Keras").

use crate::keras::Sequential;
use crate::nn::{Activation, Dense};

/// Dense(512, ReLU) → Dense(10, softmax) on flat 784-pixel images.
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let model = dlcourse::models::mnist_mlp().build(&candle_core::Device::Cpu, 0)?;
/// assert_eq!(model.summary().total_params(), 407_050);
/// # Ok(()) }
/// ```
pub fn mnist_mlp() -> Sequential {
    Sequential::new(&[784])
        .add(Dense::new(512).activation(Activation::Relu))
        .add(Dense::new(10).activation(Activation::Softmax))
}
