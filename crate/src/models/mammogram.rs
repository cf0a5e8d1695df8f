//! The network of lesson 17's project (mammographic masses: benign or malignant?).

use crate::keras::Sequential;
use crate::nn::{Activation, Dense};

/// Dense(6, ReLU) → Dense(1, sigmoid) on `inputs` features: the lecture's network for
/// the mammogram masses (age, shape, margin and density, standard-scaled), its output
/// the probability that a mass is malignant. Lesson 17 compiles it with Adam (0.001)
/// and binary cross-entropy and trains 30 epochs of batches of 32.
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let model = dlcourse::models::mammogram_mlp(4).build(&candle_core::Device::Cpu, 0)?;
/// assert_eq!(model.summary().total_params(), 37); // 4·6 + 6, then 6 + 1
/// # Ok(()) }
/// ```
pub fn mammogram_mlp(inputs: usize) -> Sequential {
    Sequential::new(&[inputs])
        .add(Dense::new(6).activation(Activation::Relu))
        .add(Dense::new(1).activation(Activation::Sigmoid))
}
