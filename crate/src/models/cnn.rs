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
    mnist_cnn_with_filters(32, 64)
}

/// [`mnist_cnn`] with `first` and `second` filters in its two convolutions instead of 32
/// and 64 (lesson 09's exercise: how much a smaller network loses).
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let small = dlcourse::models::mnist_cnn_with_filters(16, 32).build(&candle_core::Device::Cpu, 0)?;
/// // 16·9 + 16 and 32·16·9 + 32 in the convolutions, 12·12·32 → 128 and 128 → 10 in the dense layers
/// assert_eq!(small.summary().total_params(), 160 + 4_640 + 589_952 + 1_290);
/// # Ok(()) }
/// ```
pub fn mnist_cnn_with_filters(first: usize, second: usize) -> Sequential {
    Sequential::new(&[1, 28, 28])
        .add(Conv2d::new(first, 3).activation(Activation::Relu))
        .add(Conv2d::new(second, 3).activation(Activation::Relu))
        .add(MaxPool2d(2))
        .add(Dropout(0.25))
        .add(Flatten)
        .add(Dense::new(128).activation(Activation::Relu))
        .add(Dropout(0.5))
        .add(Dense::new(10).activation(Activation::Softmax))
}
