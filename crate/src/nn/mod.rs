//! Layers: each one is described by a [`LayerSpec`] (what Keras calls a layer before it
//! is built) and builds into an ordinary candle-nn module, so a model built here is a
//! Candle model a learner can keep using directly.
//!
//! Images are channels-first, as in Candle: a sample of MNIST is 1×28×28.
//!
//! The same layers are public for models written in plain Candle, in candle-nn's style:
//! free functions over a `VarBuilder` ([`dense`], [`conv2d`], [`conv_transpose2d`],
//! [`max_pool2d`], [`lstm`], [`simple_rnn`], [`embedding`], [`dropout`], [`batch_norm`])
//! return modules implementing `Module` or `ModuleT` ([`DenseModule`], [`Conv2dModule`],
//! …) that run on the crate's fast [`kernels`](crate::kernels). Each `LayerSpec` builds
//! through the same function, with the same parameter names (`weight`, `bias`, `kernel`,
//! …), so weights move between a `Sequential` model and a hand-written one by name.

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
pub use batch_norm::{BatchNorm, batch_norm};
pub use conv::{
    Conv2d, Conv2dConfig, Conv2dModule, ConvTranspose2d, ConvTranspose2dConfig,
    ConvTranspose2dModule, Padding, conv_transpose2d, conv2d,
};
pub use dense::{Dense, DenseConfig, DenseModule, dense};
pub use dropout::{Dropout, DropoutModule, dropout};
pub use embedding::{Embedding, embedding};
pub use flatten::{Flatten, Reshape};
pub use init::{SeededVarMap, glorot_uniform, orthogonal_in_place, seeded_normal};
pub use layer::{BuildContext, BuiltLayer, LayerSpec};
pub use pool::{MaxPool2d, MaxPool2dModule, max_pool2d};
pub use recurrent::{Lstm, RecurrentConfig, RecurrentModule, SimpleRnn, lstm, simple_rnn};
