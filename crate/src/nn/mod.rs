//! Layers: each one is described by a [`LayerSpec`] (what Keras calls a layer before it
//! is built) and builds into an ordinary candle-nn module, so a model built here is a
//! Candle model a learner can keep using directly.
//!
//! Images are channels-first, as in Candle: a sample of MNIST is 1×28×28.

mod activation;
mod batch_norm;
mod conv;
mod dense;
mod dropout;
mod embedding;
mod flatten;
mod init;
mod layer;
mod pool;
mod recurrent;

pub use activation::Activation;
pub use batch_norm::BatchNorm;
pub use conv::{Conv2d, ConvTranspose2d, Padding};
pub use dense::Dense;
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use flatten::{Flatten, Reshape};
pub use init::{SeededVarMap, glorot_uniform, orthogonal_in_place, seeded_normal};
pub use layer::{BuildContext, BuiltLayer, LayerSpec};
pub use pool::MaxPool2d;
pub use recurrent::{Lstm, SimpleRnn};
