//! Layers: each one is described by a [`LayerSpec`] (what Keras calls a layer before it
//! is built) and builds into an ordinary candle-nn module, so a model built here is a
//! Candle model a learner can keep using directly.

mod activation;
mod dense;
mod init;
mod layer;

pub use activation::Activation;
pub use dense::Dense;
pub use init::SeededVarMap;
pub use layer::{BuiltLayer, LayerSpec};
