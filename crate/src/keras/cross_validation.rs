//! k-fold cross-validation of a Keras-style model (scikit-learn's `cross_val_score`
//! around a Keras model, as the course does with `KerasClassifier`).

use crate::data::batch::k_fold;
use crate::error::{Error, Result};
use crate::keras::Model;
use crate::train::{Fit, Key};
use candle_core::Tensor;
use std::fmt;

/// The held-out score of each fold.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossValidation {
    /// What was scored on each held-out fold ([`Key::ACCURACY`], [`Key::LOSS`]).
    pub metric: Key,
    /// One score per fold, in fold order.
    pub scores: Vec<f64>,
}

impl CrossValidation {
    /// The mean score over the folds.
    pub fn mean(&self) -> f64 {
        super::scores::mean(&self.scores)
    }

    /// The standard deviation of the scores (spread from fold to fold).
    pub fn std(&self) -> f64 {
        super::scores::std(&self.scores)
    }
}

impl fmt::Display for CrossValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (lo, hi) = super::scores::range(&self.scores);
        write!(
            f,
            "{}-fold {}: {:.4} ± {:.4} (from {lo:.4} to {hi:.4})",
            self.scores.len(),
            self.metric,
            self.mean(),
            self.std()
        )
    }
}

/// Splits the samples into `k` folds (shuffled with `seed`); for each fold, builds a fresh
/// compiled model with `build(fold)`, trains it on the other folds with `fit()`, and
/// scores `metric` (as keyed by `evaluate`) on the held-out fold.
///
/// ```
/// use dlcourse::prelude::*;
/// use dlcourse::keras::cross_validate;
/// use dlcourse::train::Key;
/// # fn main() -> dlcourse::Result<()> {
/// let x = Tensor::new(&[[0f32], [1.], [2.], [3.], [4.], [5.]], &Device::Cpu)?;
/// let y = Tensor::new(&[[0f32], [0.], [0.], [1.], [1.], [1.]], &Device::Cpu)?;
/// let cv = cross_validate(&x, &y, 3, 0, |fold| {
///     let mut model = Sequential::new(&[1])
///         .add(Dense::new(1).activation(Activation::Sigmoid))
///         .build(&Device::Cpu, fold as u64)?;
///     model.compile(Optimizer::adam(0.1), Loss::BinaryCrossEntropy, &[Metric::Accuracy])?;
///     Ok(model)
/// }, || Fit::epochs(100).quiet(), Key::ACCURACY)?;
/// assert_eq!(cv.scores.len(), 3);
/// # Ok(()) }
/// ```
pub fn cross_validate<B, F>(
    x: &Tensor,
    y: &Tensor,
    k: usize,
    seed: u64,
    mut build: B,
    mut fit: F,
    metric: Key,
) -> Result<CrossValidation>
where
    B: FnMut(usize) -> Result<Model>,
    F: FnMut() -> Fit,
{
    let n = x.dim(0)?;
    if y.dim(0)? != n {
        return Err(Error::shape(
            "cross-validating",
            format!("as many targets as inputs ({n})"),
            format!("{} targets", y.dim(0)?),
            "pass x and y of the same samples",
        ));
    }
    let mut scores = Vec::with_capacity(k);
    for (i, fold) in k_fold(n, k, seed)?.iter().enumerate() {
        let (train_x, valid_x) = fold.select(x)?;
        let (train_y, valid_y) = fold.select(y)?;
        let mut model = build(i)?;
        model.fit(&train_x, &train_y, fit())?;
        let logs = model.evaluate(&valid_x, &valid_y)?;
        scores.push(logs.value(&metric)?);
    }
    Ok(CrossValidation { metric, scores })
}
