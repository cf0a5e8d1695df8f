//! Loss functions. Each is computed from the model's *logits* (its output before the
//! final activation) so that cross-entropy after a sigmoid or softmax is numerically
//! stable even for extreme scores, as Keras does internally.

use crate::error::{Error, Result};
use crate::nn::Activation;
use candle_core::{D, DType, Tensor};

/// Keras clips probabilities to [ε, 1 − ε] when it cannot use logits.
const EPSILON: f64 = 1e-7;

/// The losses of the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// Mean squared error, for regression (`"mse"`).
    MeanSquaredError,
    /// Binary cross-entropy, for one probability per sample (targets 0 or 1).
    BinaryCrossEntropy,
    /// Categorical cross-entropy, for one-hot targets.
    CategoricalCrossEntropy,
    /// Sparse categorical cross-entropy, for integer class labels.
    SparseCategoricalCrossEntropy,
}

impl Loss {
    /// The name Keras uses for the loss (and `History` uses for its column).
    pub fn name(&self) -> &'static str {
        match self {
            Loss::MeanSquaredError => "mean_squared_error",
            Loss::BinaryCrossEntropy => "binary_crossentropy",
            Loss::CategoricalCrossEntropy => "categorical_crossentropy",
            Loss::SparseCategoricalCrossEntropy => "sparse_categorical_crossentropy",
        }
    }

    /// Converts targets to the dtype and shape this loss compares against `outputs`
    /// (the model's outputs for the same samples).
    pub fn prepare_targets(&self, targets: &Tensor, outputs: &Tensor) -> Result<Tensor> {
        let context = || format!("computing {} against the targets", self.name());
        match self {
            Loss::SparseCategoricalCrossEntropy => {
                let n = outputs.dim(0)?;
                if targets.elem_count() != n {
                    return Err(Error::shape(
                        context(),
                        format!("one integer label per sample ({n})"),
                        format!("targets of shape {:?}", targets.dims()),
                        "pass class labels (not one-hot rows) for the sparse loss",
                    ));
                }
                Ok(targets.flatten_all()?.to_dtype(DType::U32)?)
            }
            _ => {
                if targets.elem_count() != outputs.elem_count() {
                    return Err(Error::shape(
                        context(),
                        format!("targets with the outputs' shape {:?}", outputs.dims()),
                        format!("targets of shape {:?}", targets.dims()),
                        "give one target per output (one-hot rows for categorical \
                         cross-entropy, or use the sparse loss for labels)",
                    ));
                }
                Ok(targets
                    .to_dtype(outputs.dtype())?
                    .reshape(outputs.shape())?)
            }
        }
    }

    /// The mean loss over a batch. `logits` are the model's outputs before
    /// `activation`; `targets` come from [`Loss::prepare_targets`].
    pub fn compute(
        &self,
        logits: &Tensor,
        activation: Activation,
        targets: &Tensor,
    ) -> Result<Tensor> {
        let loss = match (self, activation) {
            (Loss::MeanSquaredError, _) => {
                activation.apply(logits)?.sub(targets)?.sqr()?.mean_all()?
            }
            (Loss::BinaryCrossEntropy, Activation::Sigmoid) => {
                // max(z, 0) − z·y + log(1 + e^−|z|)
                let relu = logits.relu()?;
                let soft = logits.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?;
                (relu - logits.mul(targets)?)?.add(&soft)?.mean_all()?
            }
            (Loss::BinaryCrossEntropy, _) => {
                let p = activation.apply(logits)?.clamp(EPSILON, 1.0 - EPSILON)?;
                let one_minus = p.affine(-1.0, 1.0)?.log()?;
                let t_one_minus = targets.affine(-1.0, 1.0)?;
                (targets.mul(&p.log()?)? + t_one_minus.mul(&one_minus)?)?
                    .neg()?
                    .mean_all()?
            }
            (Loss::CategoricalCrossEntropy, _) => {
                let log_p = log_probabilities(logits, activation)?;
                targets.mul(&log_p)?.sum(D::Minus1)?.neg()?.mean_all()?
            }
            (Loss::SparseCategoricalCrossEntropy, _) => {
                let log_p = log_probabilities(logits, activation)?;
                candle_nn::loss::nll(&log_p, targets)?
            }
        };
        Ok(loss)
    }
}

/// log(p) of class probabilities: stable log-softmax when the activation is softmax,
/// clipped log of the outputs otherwise.
fn log_probabilities(logits: &Tensor, activation: Activation) -> Result<Tensor> {
    Ok(match activation {
        Activation::Softmax => candle_nn::ops::log_softmax(logits, D::Minus1)?,
        other => other.apply(logits)?.clamp(EPSILON, 1.0)?.log()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn scalar(t: Tensor) -> f32 {
        t.to_scalar::<f32>().unwrap()
    }

    #[test]
    fn cross_entropy_is_finite_and_right_for_extreme_logits() -> Result<()> {
        let dev = Device::Cpu;
        // A confident right answer costs ~0, a confident wrong one ~|z|, never inf/NaN.
        let logits = Tensor::new(&[[1000f32], [-1000.]], &dev)?;
        let right = Tensor::new(&[[1f32], [0.]], &dev)?;
        let wrong = Tensor::new(&[[0f32], [1.]], &dev)?;
        let bce = Loss::BinaryCrossEntropy;
        assert!(scalar(bce.compute(&logits, Activation::Sigmoid, &right)?) < 1e-6);
        assert!((scalar(bce.compute(&logits, Activation::Sigmoid, &wrong)?) - 1000.0).abs() < 1e-2);

        let scores = Tensor::new(&[[500f32, -500., 0.]], &dev)?;
        let labels = Tensor::new(&[1u32], &dev)?;
        let sparse = Loss::SparseCategoricalCrossEntropy;
        let loss = scalar(sparse.compute(&scores, Activation::Softmax, &labels)?);
        assert!((loss - 1000.0).abs() < 1e-2, "{loss}");
        let one_hot = Tensor::new(&[[0f32, 1., 0.]], &dev)?;
        let cat = Loss::CategoricalCrossEntropy;
        let loss2 = scalar(cat.compute(&scores, Activation::Softmax, &one_hot)?);
        assert!((loss - loss2).abs() < 1e-3);
        Ok(())
    }

    #[test]
    fn mse_and_target_shapes() -> Result<()> {
        let dev = Device::Cpu;
        let out = Tensor::new(&[[1f32], [3.]], &dev)?;
        let y = Loss::MeanSquaredError.prepare_targets(&Tensor::new(&[2f64, 3.], &dev)?, &out)?;
        assert_eq!(y.dims(), &[2, 1]);
        let mse = scalar(Loss::MeanSquaredError.compute(&out, Activation::Linear, &y)?);
        assert!((mse - 0.5).abs() < 1e-6);
        let bad = Tensor::new(&[1f32, 2., 3.], &dev)?;
        let err = Loss::MeanSquaredError
            .prepare_targets(&bad, &out)
            .unwrap_err()
            .to_string();
        assert!(err.contains("[2, 1]") && err.contains("[3]"), "{err}");
        Ok(())
    }
}
