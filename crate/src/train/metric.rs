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
    /// With several binary outputs per sample (a decoder's pixels), each sample counts
    /// the fraction of its outputs on the right side of 0.5, as Keras' `binary_accuracy`
    /// averages over the last axis: the epoch's accuracy stays in [0, 1].
    pub fn correct(&self, loss: Loss, probabilities: &Tensor, targets: &Tensor) -> Result<f64> {
        let hits = match loss {
            Loss::BinaryCrossEntropy => {
                let hits = probabilities
                    .ge(0.5)?
                    .eq(&targets.ge(0.5)?)?
                    .to_dtype(DType::F32)?;
                let n = hits.dim(0)?;
                let per_sample = hits.reshape((n, ()))?.mean(1)?;
                return Ok(per_sample.sum_all()?.to_scalar::<f32>()? as f64);
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn binary_accuracy_of_many_outputs_per_sample_is_a_fraction_per_sample() -> Result<()> {
        let dev = Device::Cpu;
        // Two samples of four outputs: 3 of 4 right, then 2 of 4 (targets split at 0.5).
        let p = Tensor::new(&[[0.9f32, 0.8, 0.1, 0.7], [0.9, 0.2, 0.6, 0.4]], &dev)?;
        let t = Tensor::new(&[[1f32, 1., 0., 0.], [0., 0., 0., 0.4]], &dev)?;
        let correct = Metric::Accuracy.correct(Loss::BinaryCrossEntropy, &p, &t)?;
        assert!((correct - (0.75 + 0.5)).abs() < 1e-6, "{correct}");
        // One output per sample: the count of right samples, as before.
        let p1 = Tensor::new(&[[0.9f32], [0.2], [0.7]], &dev)?;
        let t1 = Tensor::new(&[[1f32], [1.], [1.]], &dev)?;
        assert_eq!(
            Metric::Accuracy.correct(Loss::BinaryCrossEntropy, &p1, &t1)?,
            2.0
        );
        Ok(())
    }
}
