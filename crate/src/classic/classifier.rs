//! The classic models, each a thin call into smartcore on the crate's tensors.

use crate::error::{Error, Result};
use candle_core::{DType, Tensor};
use smartcore::ensemble::random_forest_classifier::{
    RandomForestClassifier, RandomForestClassifierParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};
use smartcore::naive_bayes::gaussian::{GaussianNB, GaussianNBParameters};
use smartcore::neighbors::knn_classifier::{KNNClassifier, KNNClassifierParameters};
use smartcore::svm::Kernels;
use smartcore::svm::svc::{SVC, SVCParameters};
use smartcore::tree::decision_tree_classifier::{
    DecisionTreeClassifier, DecisionTreeClassifierParameters,
};
use std::fmt;

/// A classic (not neural) classifier with its settings, fitted by smartcore.
///
/// [`Classifier::ALL`] holds the lesson's line-up: six kinds of model, the SVM with two
/// kernels. Labels are class numbers `0, 1, …`.
///
/// ```
/// use dlcourse::classic::Classifier;
/// use candle_core::{Device, Tensor};
/// let x = Tensor::new(&[[0f32], [1.], [2.], [10.], [11.], [12.]], &Device::Cpu)?;
/// let y = Tensor::new(&[0u32, 0, 0, 1, 1, 1], &Device::Cpu)?;
/// let test = Tensor::new(&[[0.5f32], [11.5]], &Device::Cpu)?;
/// let predicted = Classifier::KNearest { k: 3 }.fit_predict(&x, &y, &test, 0)?;
/// assert_eq!(predicted, [0, 1]);
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Classifier {
    /// One decision tree grown until its leaves are pure (CART, Gini impurity).
    DecisionTree,
    /// A random forest: `trees` decision trees, each on a bootstrap sample of the rows
    /// and a random subset of the features at each split; they vote.
    RandomForest {
        /// How many trees vote.
        trees: u16,
    },
    /// A support vector machine with the RBF (Gaussian) kernel, `gamma` = 1 / features
    /// (scikit-learn's `"scale"` on standard-scaled data).
    SvmRbf {
        /// The penalty for points on the wrong side of the margin.
        c: f64,
    },
    /// A support vector machine with the linear kernel: a straight boundary.
    SvmLinear {
        /// The penalty for points on the wrong side of the margin.
        c: f64,
    },
    /// Logistic regression (one sigmoid neuron, fitted by L-BFGS), no regularisation.
    LogisticRegression,
    /// k nearest neighbours: the majority class of the `k` closest training rows
    /// (Euclidean distance).
    KNearest {
        /// How many neighbours vote.
        k: usize,
    },
    /// Gaussian naive Bayes: each feature normally distributed within a class,
    /// independently of the others.
    NaiveBayes,
}

impl Classifier {
    /// The lesson's line-up: decision tree, random forest (100 trees), SVM with the RBF
    /// and with the linear kernel (C = 1), logistic regression, 10 nearest neighbours,
    /// naive Bayes.
    ///
    /// ```
    /// use dlcourse::classic::Classifier;
    /// let kinds: std::collections::BTreeSet<_> = Classifier::ALL.iter().map(|c| c.kind()).collect();
    /// assert_eq!(kinds.len(), 6); // the SVM twice, with two kernels
    /// ```
    pub const ALL: [Classifier; 7] = [
        Classifier::DecisionTree,
        Classifier::RandomForest { trees: 100 },
        Classifier::SvmRbf { c: 1.0 },
        Classifier::SvmLinear { c: 1.0 },
        Classifier::LogisticRegression,
        Classifier::KNearest { k: 10 },
        Classifier::NaiveBayes,
    ];

    /// The kind of model, without its settings: `"decision tree"`, `"random forest"`,
    /// `"SVM"`, `"logistic regression"`, `"k-NN"` or `"naive Bayes"`.
    ///
    /// ```
    /// use dlcourse::classic::Classifier;
    /// assert_eq!(Classifier::SvmLinear { c: 1.0 }.kind(), "SVM");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Classifier::DecisionTree => "decision tree",
            Classifier::RandomForest { .. } => "random forest",
            Classifier::SvmRbf { .. } | Classifier::SvmLinear { .. } => "SVM",
            Classifier::LogisticRegression => "logistic regression",
            Classifier::KNearest { .. } => "k-NN",
            Classifier::NaiveBayes => "naive Bayes",
        }
    }

    /// Fits the model to `train_x` (`[rows, features]`) and `train_y` (class numbers,
    /// `[rows]` or `[rows, 1]`, any dtype) and predicts the class of every row of `x`.
    /// `seed` fixes the random choices of the tree, the forest and the SVM.
    ///
    /// ```
    /// use dlcourse::classic::Classifier;
    /// use candle_core::{Device, Tensor};
    /// let x = Tensor::new(&[[0f32, 0.], [0., 1.], [5., 5.], [5., 6.]], &Device::Cpu)?;
    /// let y = Tensor::new(&[[0f32], [0.], [1.], [1.]], &Device::Cpu)?;
    /// assert_eq!(Classifier::DecisionTree.fit_predict(&x, &y, &x, 0)?, [0, 0, 1, 1]);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn fit_predict(
        &self,
        train_x: &Tensor,
        train_y: &Tensor,
        x: &Tensor,
        seed: u64,
    ) -> Result<Vec<u32>> {
        let context = format!("fitting {self}");
        let (train, rows, features) = matrix(train_x, &context)?;
        let labels = class_numbers(train_y, &context)?;
        if labels.len() != rows {
            return Err(Error::shape(
                context,
                format!("one label per training row ({rows})"),
                format!("{} labels", labels.len()),
                "pass the inputs and labels of the same rows",
            ));
        }
        if let Classifier::KNearest { k } = *self
            && k > rows
        {
            return Err(Error::shape(
                context,
                format!("at least k = {k} training rows"),
                format!("{rows} rows"),
                "pick a smaller k",
            ));
        }
        let (test, _, test_features) = matrix(x, &format!("predicting with {self}"))?;
        if test_features != features {
            return Err(Error::shape(
                format!("predicting with {self}"),
                format!("{features} features, as in training"),
                format!("{test_features} features"),
                "pass rows with the training data's columns",
            ));
        }
        let failed = |e: smartcore::error::Failed| Error::Usage(format!("{context}: {e}"));
        let predicted: Vec<u32> = match *self {
            Classifier::DecisionTree => {
                let params = DecisionTreeClassifierParameters {
                    seed: Some(seed),
                    ..Default::default()
                };
                DecisionTreeClassifier::fit(&train, &labels, params)
                    .and_then(|m| m.predict(&test))
                    .map_err(failed)?
            }
            Classifier::RandomForest { trees } => {
                let params = RandomForestClassifierParameters::default()
                    .with_n_trees(trees)
                    .with_seed(seed);
                RandomForestClassifier::fit(&train, &labels, params)
                    .and_then(|m| m.predict(&test))
                    .map_err(failed)?
            }
            Classifier::SvmRbf { c } | Classifier::SvmLinear { c } => {
                let kernel = match self {
                    Classifier::SvmRbf { .. } => Kernels::rbf().with_gamma(1.0 / features as f64),
                    _ => Kernels::linear(),
                };
                let params = SVCParameters::default()
                    .with_c(c)
                    .with_kernel(kernel)
                    .with_seed(Some(seed));
                let values = SVC::fit(&train, &labels, &params)
                    .and_then(|m| m.predict(&test))
                    .map_err(failed)?;
                values.iter().map(|v| v.round() as u32).collect()
            }
            Classifier::LogisticRegression => {
                LogisticRegression::fit(&train, &labels, LogisticRegressionParameters::default())
                    .and_then(|m| m.predict(&test))
                    .map_err(failed)?
            }
            Classifier::KNearest { k } => KNNClassifier::fit(
                &train,
                &labels,
                KNNClassifierParameters::default().with_k(k),
            )
            .and_then(|m| m.predict(&test))
            .map_err(failed)?,
            Classifier::NaiveBayes => {
                GaussianNB::fit(&train, &labels, GaussianNBParameters::default())
                    .and_then(|m| m.predict(&test))
                    .map_err(failed)?
            }
        };
        Ok(predicted)
    }
}

impl fmt::Display for Classifier {
    /// The model with the settings that tell it apart: `random forest (100 trees)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Classifier::RandomForest { trees } => write!(f, "random forest ({trees} trees)"),
            Classifier::SvmRbf { c } => write!(f, "SVM, RBF kernel (C = {c})"),
            Classifier::SvmLinear { c } => write!(f, "SVM, linear kernel (C = {c})"),
            Classifier::KNearest { k } => write!(f, "k-NN (k = {k})"),
            Classifier::NaiveBayes => f.write_str("naive Bayes (Gaussian)"),
            other => f.write_str(other.kind()),
        }
    }
}

/// A `[rows, features]` tensor as smartcore's row-major `f64` matrix, with its shape.
fn matrix(x: &Tensor, context: &str) -> Result<(DenseMatrix<f64>, usize, usize)> {
    let &[rows, features] = x.dims() else {
        return Err(Error::shape(
            context,
            "inputs of shape [rows, features]",
            format!("{:?}", x.dims()),
            "flatten each sample into one row first",
        ));
    };
    let values = x.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()?;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::shape(
            context,
            "finite inputs",
            format!(
                "{} in row {}, column {}",
                values[i],
                i / features,
                i % features
            ),
            "drop or fill in the missing values first (dlcourse::data::frame::drop_missing)",
        ));
    }
    let matrix = DenseMatrix::new(rows, features, values, false)
        .map_err(|e| Error::Usage(format!("{context}: {e}")))?;
    Ok((matrix, rows, features))
}

/// Labels (`[rows]` or `[rows, 1]`, any dtype) as class numbers.
pub(super) fn class_numbers(y: &Tensor, context: &str) -> Result<Vec<u32>> {
    let rows = y.dims().first().copied().unwrap_or(0);
    if y.elem_count() != rows {
        return Err(Error::shape(
            context,
            "one label per row, shape [rows] or [rows, 1]",
            format!("{:?}", y.dims()),
            "pass class numbers, not one-hot rows or probabilities",
        ));
    }
    let values = y.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()?;
    values
        .iter()
        .enumerate()
        .map(
            |(i, &v)| match v >= 0.0 && v.fract() == 0.0 && v < u32::MAX as f64 {
                true => Ok(v as u32),
                false => Err(Error::shape(
                    context,
                    "class numbers 0, 1, 2, …",
                    format!("{v} in row {i}"),
                    "pass class numbers, not probabilities or scores",
                )),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    /// Two clouds of points, one per class: every model must separate them.
    fn two_clouds() -> (Tensor, Tensor) {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..40 {
            let class = (i % 2) as f32;
            let wobble = ((i * 7919) % 13) as f32 / 13.0 - 0.5;
            x.extend([class * 4.0 + wobble, class * 4.0 - wobble]);
            y.push(class);
        }
        let x = Tensor::from_vec(x, (40, 2), &Device::Cpu).unwrap();
        let y = Tensor::from_vec(y, (40, 1), &Device::Cpu).unwrap();
        (x, y)
    }

    #[test]
    fn every_model_separates_two_clouds() -> Result<()> {
        let (x, y) = two_clouds();
        let truth = class_numbers(&y, "test")?;
        for model in Classifier::ALL {
            let predicted = model.fit_predict(&x, &y, &x, 1)?;
            let right = predicted.iter().zip(&truth).filter(|(a, b)| a == b).count();
            assert!(right >= 38, "{model}: {right} of 40 right");
        }
        Ok(())
    }

    #[test]
    fn bad_labels_and_shapes_are_named() {
        let (x, _) = two_clouds();
        let p = Tensor::full(0.5f32, (40, 1), &Device::Cpu).unwrap();
        let err = Classifier::NaiveBayes
            .fit_predict(&x, &p, &x, 0)
            .unwrap_err();
        assert!(err.to_string().contains("0.5 in row 0"), "{err}");
        let y = Tensor::zeros(39, DType::U32, &Device::Cpu).unwrap();
        let err = Classifier::DecisionTree
            .fit_predict(&x, &y, &x, 0)
            .unwrap_err();
        assert!(err.to_string().contains("39 labels"), "{err}");
        let flat = x.flatten_all().unwrap();
        let err = Classifier::DecisionTree
            .fit_predict(&flat, &y, &x, 0)
            .unwrap_err();
        assert!(err.to_string().contains("[rows, features]"), "{err}");
    }

    #[test]
    fn names_tell_the_settings() {
        let names: Vec<String> = Classifier::ALL.iter().map(|c| c.to_string()).collect();
        assert_eq!(names[1], "random forest (100 trees)");
        assert_eq!(names[5], "k-NN (k = 10)");
        assert_eq!(Classifier::DecisionTree.to_string(), "decision tree");
    }
}
