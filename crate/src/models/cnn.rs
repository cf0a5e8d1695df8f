//! The convolutional network of lesson 09.

use crate::keras::Sequential;
use crate::nn::{Activation, Conv2d, Dense, Dropout, Flatten, MaxPool2d};

/// Conv2D(32, 3×3, ReLU) → Conv2D(64, 3×3, ReLU) → MaxPool 2×2 → Dropout 0.25 → Flatten →
/// Dense(128, ReLU) → Dropout 0.5 → Dense(10, softmax), on 1×28×28 images.
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let model = dlcourse::models::mnist_cnn().build(&candle_core::Device::Cpu, 0)?;
/// assert_eq!(model.summary().total_params(), 1_199_882);
/// # Ok(()) }
/// ```
pub fn mnist_cnn() -> Sequential {
    Sequential::new(&[1, 28, 28])
        .add(Conv2d::new(32, 3).activation(Activation::Relu))
        .add(Conv2d::new(64, 3).activation(Activation::Relu))
        .add(MaxPool2d(2))
        .add(Dropout(0.25))
        .add(Flatten)
        .add(Dense::new(128).activation(Activation::Relu))
        .add(Dropout(0.5))
        .add(Dense::new(10).activation(Activation::Softmax))
}
