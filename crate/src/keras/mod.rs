//! The Keras-shaped way to build and train a model: `Sequential` → `Model`, then
//! `compile`, `fit`, `evaluate`, `predict`, `summary`.
//!
//! ```
//! use dlcourse::prelude::*;
//! # fn main() -> dlcourse::Result<()> {
//! let mut model = Sequential::new(&[1]).add(Dense::new(1)).build(&Device::Cpu, 42)?;
//! model.compile(Optimizer::adam(0.1), Loss::MeanSquaredError, &[])?;
//! let x = Tensor::new(&[[0f32], [1.], [2.]], &Device::Cpu)?;
//! let y = Tensor::new(&[[1f32], [3.], [5.]], &Device::Cpu)?;
//! let history = model.fit(&x, &y, Fit::epochs(300).quiet())?;
//! assert!(history.loss().last().unwrap() < &0.01);
//! # Ok(()) }
//! ```

mod checks;
mod cross_validation;
mod freeze;
mod model;
mod scores;
mod seeds;
mod sequential;
mod summary;
mod training;

pub use cross_validation::{CrossValidation, cross_validate};
pub use model::Model;
pub use seeds::{Experiment, SeedRuns};
pub use sequential::Sequential;
pub use summary::Summary;
