//! One set of k folds that every model of a comparison is scored on, with the scaling
//! fitted inside each fold.

use super::classifier::{Classifier, class_numbers};
use crate::data::batch::{Fold, StandardScaler, k_fold, take_rows};
use crate::error::{Error, Result};
use crate::keras::{CrossValidation, Model};
use crate::train::{Fit, Key};
use candle_core::{D, DType, Tensor};
use rayon::prelude::*;
use std::fmt;

/// What is done to the inputs of each fold before a model sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scaling {
    /// The inputs as they are.
    #[default]
    None,
    /// Standard scaling (`(x - mean) / std` per column), the mean and standard deviation
    /// taken from the fold's training rows only: the held-out rows stay unseen, as they
    /// would be for new patients.
    Standard,
}

/// `k` folds over the rows of a table (from [`k_fold`]) and the [`Scaling`] applied in
/// each. Scoring several models through one `Folds` scores them on the same splits, so
/// their means and spreads can be compared: every [`Score`] keeps the folds it was
/// scored on.
///
/// ```
/// use dlcourse::classic::{Classifier, Folds, Scaling};
/// use candle_core::{Device, Tensor};
/// let x = Tensor::new(&[[0f32], [1.], [2.], [3.], [10.], [11.], [12.], [13.]], &Device::Cpu)?;
/// let y = Tensor::new(&[0u32, 0, 0, 0, 1, 1, 1, 1], &Device::Cpu)?;
/// let folds = Folds::new(8, 4, 0)?.scaling(Scaling::Standard);
/// let knn = folds.classic(Classifier::KNearest { k: 3 }, &x, &y)?;
/// assert_eq!(knn.cv.scores.len(), 4);
/// assert_eq!(knn.folds, folds);
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Folds {
    folds: Vec<Fold>,
    rows: usize,
    seed: u64,
    scaling: Scaling,
}

/// One fold's data, ready for a model: the training rows and the held-out rows, with
/// the inputs scaled as the [`Folds`] say (fitted on `train_x`).
#[derive(Debug, Clone)]
pub struct Split {
    /// The inputs to train on.
    pub train_x: Tensor,
    /// Their labels.
    pub train_y: Tensor,
    /// The held-out inputs to score on.
    pub valid_x: Tensor,
    /// Their labels.
    pub valid_y: Tensor,
}

/// The held-out accuracy of one model on each of the folds it was scored on.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The model, as the table shows it.
    pub name: String,
    /// The classic model scored, or `None` for a neural network.
    pub classifier: Option<Classifier>,
    /// The accuracy on each held-out fold.
    pub cv: CrossValidation,
    /// The folds (and scaling) it was scored on.
    pub folds: Folds,
}

impl Score {
    /// The mean accuracy over the folds.
    pub fn mean(&self) -> f64 {
        self.cv.mean()
    }

    /// The standard deviation of the fold accuracies (how much one split can differ).
    pub fn std(&self) -> f64 {
        self.cv.std()
    }
}

impl fmt::Display for Score {
    /// `name: 10-fold accuracy: 0.8012 ± 0.0391 (from … to …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.cv)
    }
}

impl Folds {
    /// `k` folds over `rows` rows, shuffled with `seed`, inputs left as they are (see
    /// [`Folds::scaling`]).
    ///
    /// ```
    /// let folds = dlcourse::classic::Folds::new(830, 10, 0)?;
    /// assert_eq!((folds.k(), folds.rows()), (10, 830));
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn new(rows: usize, k: usize, seed: u64) -> Result<Self> {
        Ok(Folds {
            folds: k_fold(rows, k, seed)?,
            rows,
            seed,
            scaling: Scaling::None,
        })
    }

    /// The same folds with `scaling` applied inside each.
    pub fn scaling(mut self, scaling: Scaling) -> Self {
        self.scaling = scaling;
        self
    }

    /// The number of folds.
    pub fn k(&self) -> usize {
        self.folds.len()
    }

    /// The number of rows split into folds.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The seed of the shuffle.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The row numbers of each fold.
    pub fn folds(&self) -> &[Fold] {
        &self.folds
    }

    /// Fold `i` of `x` and `y`, scaled as set by [`Folds::scaling`].
    ///
    /// ```
    /// use dlcourse::classic::{Folds, Scaling};
    /// use candle_core::{Device, Tensor};
    /// let x = Tensor::new(&[[1f32], [2.], [3.], [100.]], &Device::Cpu)?;
    /// let folds = Folds::new(4, 2, 0)?.scaling(Scaling::Standard);
    /// let split = folds.split(0, &x, &x)?;
    /// let mean = split.train_x.mean_all()?.to_scalar::<f32>()?;
    /// assert!(mean.abs() < 1e-5); // mean 0 on the training rows
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn split(&self, i: usize, x: &Tensor, y: &Tensor) -> Result<Split> {
        self.check(x, y)?;
        let Some(fold) = self.folds.get(i) else {
            return Err(Error::shape(
                "picking a fold",
                format!("a fold number below {}", self.k()),
                format!("fold {i}"),
                "count folds from 0",
            ));
        };
        let (train_x, valid_x) = fold.select(x)?;
        let (train_y, valid_y) = fold.select(y)?;
        let (train_x, valid_x) = match self.scaling {
            Scaling::None => (train_x, valid_x),
            Scaling::Standard => {
                let (scaler, train_x) = StandardScaler::fit_transform(&train_x)?;
                let valid_x = scaler.transform(&valid_x)?;
                (train_x, valid_x)
            }
        };
        Ok(Split {
            train_x,
            train_y,
            valid_x,
            valid_y,
        })
    }

    /// Scores a model on every fold: `predict(fold, &split)` trains on the split's
    /// training rows and returns the predicted class of each held-out row; the score is
    /// the share that matches `y`. `y` holds class numbers (`[rows]` or `[rows, 1]`).
    ///
    /// ```
    /// use dlcourse::classic::Folds;
    /// use candle_core::{Device, Tensor};
    /// let x = Tensor::zeros((6, 1), candle_core::DType::F32, &Device::Cpu)?;
    /// let y = Tensor::new(&[1u32, 1, 1, 1, 0, 0], &Device::Cpu)?;
    /// let always_one = Folds::new(6, 3, 0)?.score("always 1", &x, &y, |_, split| {
    ///     Ok(vec![1; split.valid_x.dim(0)?])
    /// })?;
    /// assert!((always_one.mean() - 4.0 / 6.0).abs() < 1e-9);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn score<P>(&self, name: &str, x: &Tensor, y: &Tensor, mut predict: P) -> Result<Score>
    where
        P: FnMut(usize, &Split) -> Result<Vec<u32>>,
    {
        let scores = (0..self.k())
            .map(|i| self.accuracy(name, i, x, y, &mut predict))
            .collect::<Result<Vec<f64>>>()?;
        Ok(self.scored(name, scores))
    }

    /// [`Folds::score`] with the folds scored in parallel, on every core (for models
    /// that train on one core each, such as the classic ones).
    pub fn score_parallel<P>(&self, name: &str, x: &Tensor, y: &Tensor, predict: P) -> Result<Score>
    where
        P: Fn(usize, &Split) -> Result<Vec<u32>> + Sync,
    {
        let scores = (0..self.k())
            .into_par_iter()
            .map(|i| self.accuracy(name, i, x, y, &mut |i, s: &Split| predict(i, s)))
            .collect::<Result<Vec<f64>>>()?;
        Ok(self.scored(name, scores))
    }

    /// The held-out accuracy of `predict` on fold `i`.
    fn accuracy<P>(
        &self,
        name: &str,
        i: usize,
        x: &Tensor,
        y: &Tensor,
        predict: &mut P,
    ) -> Result<f64>
    where
        P: FnMut(usize, &Split) -> Result<Vec<u32>>,
    {
        let split = self.split(i, x, y)?;
        let truth = class_numbers(&split.valid_y, &format!("scoring {name}"))?;
        let predicted = predict(i, &split)?;
        if predicted.len() != truth.len() {
            return Err(Error::shape(
                format!("scoring {name} on fold {}", i + 1),
                format!("one prediction per held-out row ({})", truth.len()),
                format!("{} predictions", predicted.len()),
                "predict the split's valid_x",
            ));
        }
        let right = predicted.iter().zip(&truth).filter(|(p, t)| p == t).count();
        Ok(right as f64 / truth.len() as f64)
    }

    fn scored(&self, name: &str, scores: Vec<f64>) -> Score {
        Score {
            name: name.to_owned(),
            classifier: None,
            cv: CrossValidation {
                metric: Key::ACCURACY,
                scores,
            },
            folds: self.clone(),
        }
    }

    /// Scores a classic model (fitted with the fold number as its seed), the folds in
    /// parallel.
    pub fn classic(&self, classifier: Classifier, x: &Tensor, y: &Tensor) -> Result<Score> {
        let name = classifier.to_string();
        let mut score = self.score_parallel(&name, x, y, |i, split| {
            classifier.fit_predict(&split.train_x, &split.train_y, &split.valid_x, i as u64)
        })?;
        score.classifier = Some(classifier);
        Ok(score)
    }

    /// Scores each of `classifiers` (e.g. [`Classifier::ALL`]), in that order.
    pub fn classics(
        &self,
        classifiers: &[Classifier],
        x: &Tensor,
        y: &Tensor,
    ) -> Result<Vec<Score>> {
        classifiers.iter().map(|&c| self.classic(c, x, y)).collect()
    }

    /// Scores a Keras-style model, as [`cross_validate`](crate::keras::cross_validate)
    /// does: for each fold a fresh compiled model from `build(fold)`, trained with
    /// `fit()`; its predicted class is the output above 0.5 (one sigmoid output) or the
    /// most probable class (several outputs).
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// use dlcourse::classic::{Folds, Scaling};
    /// # fn main() -> dlcourse::Result<()> {
    /// let x = Tensor::new(&[[0f32], [1.], [2.], [3.], [4.], [5.]], &Device::Cpu)?;
    /// let y = Tensor::new(&[[0f32], [0.], [0.], [1.], [1.], [1.]], &Device::Cpu)?;
    /// let folds = Folds::new(6, 3, 0)?.scaling(Scaling::Standard);
    /// let neuron = folds.keras("one neuron", &x, &y, |fold| {
    ///     let mut model = Sequential::new(&[1])
    ///         .add(Dense::new(1).activation(Activation::Sigmoid))
    ///         .build(&Device::Cpu, fold as u64)?;
    ///     model.compile(Optimizer::adam(0.1), Loss::BinaryCrossEntropy, &[])?;
    ///     Ok(model)
    /// }, || Fit::epochs(50).quiet())?;
    /// assert!(neuron.mean() > 0.8);
    /// # Ok(()) }
    /// ```
    pub fn keras<B, F>(
        &self,
        name: &str,
        x: &Tensor,
        y: &Tensor,
        mut build: B,
        mut fit: F,
    ) -> Result<Score>
    where
        B: FnMut(usize) -> Result<Model>,
        F: FnMut() -> Fit,
    {
        self.score(name, x, y, |i, split| {
            let mut model = build(i)?;
            model.fit(&split.train_x, &split.train_y, fit())?;
            predicted_classes(&model.predict(&split.valid_x)?)
        })
    }

    /// Out-of-fold predictions: `predict(fold, &split)` trains a model on the split's
    /// training rows and returns its outputs for the held-out rows (`[held-out rows,
    /// …]`); the result holds every row's output from the one model that did not see
    /// it, in the rows' original order. The held-out predictions of a whole table, for a
    /// confusion matrix or a ROC curve.
    ///
    /// ```
    /// use dlcourse::classic::Folds;
    /// use candle_core::{Device, Tensor};
    /// let x = Tensor::new(&[[0f32], [1.], [2.], [3.], [4.], [5.]], &Device::Cpu)?;
    /// // A "model" that answers the mean of the labels it trained on.
    /// let held_out = Folds::new(6, 3, 0)?.out_of_fold(&x, &x, |_, split| {
    ///     let rows = split.valid_x.dim(0)?;
    ///     Ok(split.train_y.mean_keepdim(0)?.repeat((rows, 1))?)
    /// })?;
    /// let p = held_out.flatten_all()?.to_vec1::<f32>()?;
    /// assert_eq!(p.len(), 6);
    /// assert!((p.iter().sum::<f32>() / 6.0 - 2.5).abs() < 1e-5); // each row left out once
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn out_of_fold<P>(&self, x: &Tensor, y: &Tensor, mut predict: P) -> Result<Tensor>
    where
        P: FnMut(usize, &Split) -> Result<Tensor>,
    {
        let mut outputs = Vec::with_capacity(self.k());
        for (i, fold) in self.folds.iter().enumerate() {
            let out = predict(i, &self.split(i, x, y)?)?;
            if out.dims().first() != Some(&fold.validation.len()) {
                return Err(Error::shape(
                    format!("collecting the out-of-fold predictions of fold {}", i + 1),
                    format!(
                        "one output row per held-out row ({})",
                        fold.validation.len()
                    ),
                    format!("outputs of shape {:?}", out.dims()),
                    "return the model's predictions for split.valid_x",
                ));
            }
            outputs.push(out);
        }
        // Row `order[j]` of the table is row `j` of the concatenated outputs.
        let order = self.folds.iter().flat_map(|f| f.validation.iter().copied());
        let mut position = vec![0u32; self.rows];
        for (j, row) in order.enumerate() {
            position[row as usize] = j as u32;
        }
        take_rows(&Tensor::cat(&outputs, 0)?, &position)
    }

    fn check(&self, x: &Tensor, y: &Tensor) -> Result<()> {
        for (what, t) in [("inputs", x), ("labels", y)] {
            if t.dim(0)? != self.rows {
                return Err(Error::shape(
                    format!("splitting the {what} into folds"),
                    format!("{} rows, as the folds were made for", self.rows),
                    format!("{} rows", t.dim(0)?),
                    "make the folds with Folds::new(x.dim(0)?, k, seed)",
                ));
            }
        }
        Ok(())
    }
}

/// The class each row of a model's outputs stands for: above 0.5 for one sigmoid
/// output, the largest for several.
fn predicted_classes(outputs: &Tensor) -> Result<Vec<u32>> {
    let classes = match outputs.dims() {
        [_, 1] | [_] => outputs.flatten_all()?.ge(0.5)?.to_dtype(DType::U32)?,
        [_, _] => outputs.argmax(D::Minus1)?,
        other => {
            return Err(Error::shape(
                "reading a model's predicted classes",
                "outputs of shape [rows, 1] or [rows, classes]",
                format!("{other:?}"),
                "end the model with Dense(1, sigmoid) or Dense(classes, softmax)",
            ));
        }
    };
    Ok(classes.to_vec1::<u32>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn scaling_is_fitted_on_the_training_rows_only() -> Result<()> {
        let x = Tensor::new(&[[0f32], [2.], [4.], [1000.]], &Device::Cpu)?;
        let folds = Folds::new(4, 2, 3)?.scaling(Scaling::Standard);
        for i in 0..2 {
            let split = folds.split(i, &x, &x)?;
            let train = split.train_x.flatten_all()?.to_vec1::<f32>()?;
            let mean = train.iter().sum::<f32>() / train.len() as f32;
            assert!(mean.abs() < 1e-4, "fold {i}: training mean {mean}");
            let raw = folds.folds()[i].select(&x)?.1;
            assert_ne!(raw.to_vec2::<f32>()?, split.valid_x.to_vec2::<f32>()?);
        }
        let unscaled = Folds::new(4, 2, 3)?.split(0, &x, &x)?;
        assert_eq!(
            unscaled.valid_x.to_vec2::<f32>()?,
            unscaled.valid_y.to_vec2::<f32>()?
        );
        Ok(())
    }

    #[test]
    fn every_score_keeps_its_folds() -> Result<()> {
        let x = Tensor::new(
            &[[0f32], [1.], [2.], [3.], [8.], [9.], [10.], [11.]],
            &Device::Cpu,
        )?;
        let y = Tensor::new(&[0u32, 0, 0, 0, 1, 1, 1, 1], &Device::Cpu)?;
        let folds = Folds::new(8, 4, 1)?;
        let scores = folds.classics(&[Classifier::DecisionTree, Classifier::NaiveBayes], &x, &y)?;
        assert!(
            scores
                .iter()
                .all(|s| s.folds == folds && s.cv.scores.len() == 4)
        );
        assert_eq!(scores[1].classifier, Some(Classifier::NaiveBayes));
        assert_ne!(Folds::new(8, 4, 2)?, folds);
        Ok(())
    }

    #[test]
    fn wrong_row_counts_and_prediction_counts_are_named() -> Result<()> {
        let x = Tensor::zeros((6, 1), DType::F32, &Device::Cpu)?;
        let y = Tensor::zeros(6, DType::U32, &Device::Cpu)?;
        let err = Folds::new(5, 2, 0)?
            .split(0, &x, &y)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("5 rows") && err.contains("found 6 rows"),
            "{err}"
        );
        let err = Folds::new(6, 2, 0)?
            .score("empty", &x, &y, |_, _| Ok(vec![]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("0 predictions"), "{err}");
        Ok(())
    }

    #[test]
    fn out_of_fold_outputs_come_back_in_row_order_from_the_model_that_did_not_see_them()
    -> Result<()> {
        let x = Tensor::arange(0f32, 7., &Device::Cpu)?.reshape((7, 1))?;
        let folds = Folds::new(7, 3, 5)?;
        // Each "model" answers its fold number: row r must get the fold holding r.
        let held_out = folds.out_of_fold(&x, &x, |i, split| {
            Ok(Tensor::full(
                i as f32,
                (split.valid_x.dim(0)?, 1),
                &Device::Cpu,
            )?)
        })?;
        let got = held_out.flatten_all()?.to_vec1::<f32>()?;
        for (i, fold) in folds.folds().iter().enumerate() {
            assert!(fold.validation.iter().all(|&r| got[r as usize] == i as f32));
        }
        let err = folds
            .out_of_fold(&x, &x, |_, _| {
                Ok(Tensor::zeros((1, 1), DType::F32, &Device::Cpu)?)
            })
            .unwrap_err()
            .to_string();
        assert!(err.contains("one output row per held-out row"), "{err}");
        Ok(())
    }

    #[test]
    fn outputs_become_classes() -> Result<()> {
        let sigmoid = Tensor::new(&[[0.2f32], [0.7]], &Device::Cpu)?;
        assert_eq!(predicted_classes(&sigmoid)?, [0, 1]);
        let softmax = Tensor::new(&[[0.2f32, 0.5, 0.3]], &Device::Cpu)?;
        assert_eq!(predicted_classes(&softmax)?, [1]);
        Ok(())
    }
}
