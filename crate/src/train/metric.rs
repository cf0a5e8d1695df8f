//! Metrics reported next to the loss.

use crate::error::{Error, Result};
use crate::train::Loss;
use candle_core::{D, DType, Tensor};

/// A metric computed on every epoch, like Keras' `metrics=[...]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Fraction of samples classified correctly. Binary (threshold 0.5), categorical
    /// (argmax of one-hot targets) or sparse (argmax against labels), chosen from the loss.
    Accuracy,
}

impl Metric {
    /// The name used in progress lines and in `History` (`"accuracy"`).
    pub fn name(&self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
        }
    }

    /// Checks that the metric makes sense with `loss`.
    pub fn check(&self, loss: Loss) -> Result<()> {
        match (self, loss) {
            (Metric::Accuracy, Loss::MeanSquaredError) => Err(Error::Usage(
                "accuracy needs a classification loss (binary, categorical or sparse \
                 cross-entropy), not mean squared error — drop Metric::Accuracy for regression"
                    .into(),
            )),
            _ => Ok(()),
        }
    }

    /// The number of correct samples in a batch (as a sum, so epochs can add batches up).
    /// `probabilities` are the model's final outputs, `targets` as prepared by the loss.
    pub fn correct(&self, loss: Loss, probabilities: &Tensor, targets: &Tensor) -> Result<f64> {
        let hits = match loss {
            Loss::BinaryCrossEntropy => probabilities.ge(0.5)?.eq(&targets.ge(0.5)?)?,
            Loss::CategoricalCrossEntropy => probabilities
                .argmax(D::Minus1)?
                .eq(&targets.argmax(D::Minus1)?)?,
            Loss::SparseCategoricalCrossEntropy => probabilities.argmax(D::Minus1)?.eq(targets)?,
            Loss::MeanSquaredError => {
                return Err(Error::Usage(
                    "accuracy is not defined for regression".into(),
                ));
            }
        };
        Ok(hits.to_dtype(DType::F32)?.sum_all()?.to_scalar::<f32>()? as f64)
    }
}
