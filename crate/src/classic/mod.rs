//! Classic machine learning beside the neural networks: decision tree, random forest,
//! support vector machines, logistic regression, k nearest neighbours and naive Bayes,
//! fitted by [smartcore](https://docs.rs/smartcore) on the crate's tensors and scored on
//! the same cross-validation folds as a Keras-style model.
//!
//! * [`Classifier`]: one classic model and its settings; [`Classifier::ALL`] is the
//!   line-up of lesson 17.
//! * [`Folds`]: k folds (from [`k_fold`](crate::data::batch::k_fold), the same ones
//!   [`cross_validate`](crate::keras::cross_validate) makes for the same seed) with the
//!   [`Scaling`] fitted inside each; [`Folds::classic`] and [`Folds::keras`] score a
//!   model on them, giving a [`Score`] that remembers its folds.
//! * [`Comparison`]: scores of one set of folds as a table and a bar chart with error
//!   bars.
//!
//! ```
//! use dlcourse::classic::{Classifier, Comparison, Folds, Scaling};
//! use candle_core::{Device, Tensor};
//! let x = Tensor::arange(0f32, 40., &Device::Cpu)?.reshape((20, 2))?; // 20 rows, 2 features
//! let y = x.narrow(1, 0, 1)?.ge(20f32)?; // class 1 for the last 10 rows
//! let folds = Folds::new(20, 4, 0)?.scaling(Scaling::Standard);
//! let scores = folds.classics(&Classifier::ALL, &x, &y)?;
//! let table = Comparison::new(scores)?;
//! println!("{}", table.frame()?);
//! # Ok::<(), dlcourse::Error>(())
//! ```

mod classifier;
mod compare;
mod folds;

pub use classifier::Classifier;
pub use compare::Comparison;
pub use folds::{Folds, Scaling, Score, Split};
