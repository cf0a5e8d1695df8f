//! # dlcourse
//!
//! The support crate of a deep-learning course taught in Rust, cell by cell, in Jupyter
//! (through the evcxr kernel). It puts Keras' vocabulary on top of
//! [Candle](https://github.com/huggingface/candle): a model built here is a plain
//! candle-nn module with its parameters in a `VarMap`, so nothing hides Candle from a
//! learner who wants the low level.
//!
//! | module | what it holds |
//! |---|---|
//! | [`profile`] | the `quick` (CI) and `full` (learner) profiles |
//! | [`device`] | CPU by default, a CUDA GPU with the `cuda` feature |
//! | [`data`] | the course's datasets as tensors |
//! | [`nn`] | layers, described Keras-style, built into candle-nn modules |
//! | [`kernels`] | fast CPU convolution, pooling and linear ops (Candle custom ops with gradients) |
//! | [`train`] | losses, optimisers, metrics, `Fit` settings, `History` |
//! | [`models`] | the course's models (MNIST MLP and CNN, sentiment LSTM) |
//! | [`classic`] | classic models (tree, forest, SVM, logistic regression, k-NN, naive Bayes) from smartcore, scored on the same folds as a network |
//! | [`keras`] | `Sequential` → `Model`: `compile`, `fit`, `evaluate`, `predict`, `summary` |
//! | [`plot`] | figures that show inline in Jupyter and save as PNG/SVG |
//!
//! Data flows one way: `data` → tensors → `nn` layers in a `keras` model → `train` →
//! `History` and predictions → `plot`.
//!
//! ```
//! use dlcourse::prelude::*;
//! # fn main() -> dlcourse::Result<()> {
//! let data = dlcourse::data::toy::celsius_fahrenheit()?;
//! let mut model = Sequential::new(&[1]).add(Dense::new(1)).build(&Device::Cpu, 0)?;
//! model.compile(Optimizer::adam(0.1), Loss::MeanSquaredError, &[])?;
//! let history = model.fit(&data.x, &data.y, Fit::epochs(500).quiet())?;
//! let f = model.predict(&Tensor::new(&[[100f32]], &Device::Cpu)?)?;
//! assert!((f.to_vec2::<f32>()?[0][0] - 212.0).abs() < 1.0);
//! # Ok(()) }
//! ```

pub mod classic;
pub mod data;
pub mod device;
mod error;
pub mod keras;
pub mod kernels;
pub mod models;
pub mod nn;
pub mod plot;
pub mod profile;
pub mod train;

pub use error::{Error, Result};
/// polars, the DataFrame library the table loaders return (`dlcourse::polars::prelude::*`
/// in a notebook, without compiling a second copy).
pub use polars;
/// Candle itself, for going below the Keras-shaped API.
pub use {candle_core, candle_nn};

/// Everything a lesson needs, in one `use dlcourse::prelude::*;`.
pub mod prelude {
    pub use crate::data::toy;
    pub use crate::device::device;
    pub use crate::keras::{Model, Sequential};
    pub use crate::nn::{
        Activation, BatchNorm, Conv2d, ConvTranspose2d, Dense, Dropout, Embedding, Flatten, Lstm,
        MaxPool2d, Padding, Reshape, SimpleRnn,
    };
    pub use crate::plot::{self, Curves, Figure, Panels, Show};
    pub use crate::profile::Profile;
    pub use crate::train::{Fit, History, Key, Logs, Loss, Metric, Optimizer, ParamUpdate};
    pub use crate::{Error, Result};
    pub use candle_core::{D, DType, Device, Module, ModuleT, Tensor, Var};
}
