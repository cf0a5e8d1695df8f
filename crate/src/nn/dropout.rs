//! `Dropout`: during training, zero a random fraction of the inputs and scale the rest up;
//! at inference, pass everything through unchanged.

use crate::error::{Error, Result};
use crate::nn::{BuildContext, BuiltLayer, LayerSpec};
use candle_core::{ModuleT, Tensor};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Mutex;

/// Drops each input with probability `rate` while training (Keras: `Dropout(0.2)`).
///
/// The masks come from a generator seeded by the model, so a run repeats exactly.
#[derive(Debug, Clone, Copy)]
pub struct Dropout(pub f64);

/// Dropout built by [`dropout`]: drops `rate` of its inputs in training
/// (`forward_t(xs, true)`) and scales the rest by 1 / (1 − rate), on
/// [`crate::kernels::dropout`]; passes inputs through at inference. Each training call
/// draws a new mask from its own seeded generator, so a run repeats exactly.
#[derive(Debug)]
pub struct DropoutModule {
    rate: f64,
    rng: Mutex<StdRng>,
}

impl DropoutModule {
    /// A dropout module dropping `rate` of its inputs, masks drawn from `seed` (the rate
    /// is checked by [`dropout`]).
    pub(crate) fn new(rate: f64, seed: u64) -> Self {
        DropoutModule {
            rate,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    /// The fraction of inputs dropped in training.
    pub fn rate(&self) -> f64 {
        self.rate
    }
}

/// Dropout of `rate` (in [0, 1)) with masks drawn from `seed` (candle-nn:
/// `Dropout::new(rate)`, whose masks cannot be seeded on the CPU). A [`ModuleT`]: active
/// only when `forward_t` is called with `train = true`.
///
/// ```
/// use candle_core::{DType, Device, ModuleT, Tensor};
/// use dlcourse::nn::dropout;
/// # fn main() -> dlcourse::Result<()> {
/// let drop = dropout(0.5, 7)?;
/// let xs = Tensor::ones((4, 100), DType::F32, &Device::Cpu)?;
/// assert_eq!(drop.forward_t(&xs, false)?.sum_all()?.to_scalar::<f32>()?, 400.0);
/// assert!(dropout(1.0, 7).is_err());
/// # Ok(()) }
/// ```
pub fn dropout(rate: f64, seed: u64) -> Result<DropoutModule> {
    check_rate("building a Dropout layer", "rate", rate)?;
    Ok(DropoutModule::new(rate, seed))
}

/// Refuses a dropout rate outside [0, 1) (NaN included), naming `what` in `context`.
pub(crate) fn check_rate(context: &str, what: &str, rate: f64) -> Result<()> {
    if (0.0..1.0).contains(&rate) {
        Ok(())
    } else {
        Err(Error::shape(
            context,
            format!("a {what} in [0, 1)"),
            rate.to_string(),
            "pass the fraction of inputs to drop, e.g. 0.2",
        ))
    }
}

impl ModuleT for DropoutModule {
    fn forward_t(&self, xs: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        if !train || self.rate == 0.0 {
            return Ok(xs.clone());
        }
        let seed = self
            .rng
            .lock()
            .expect("the dropout generator is never poisoned")
            .random::<u64>();
        crate::kernels::dropout(xs, self.rate as f32, seed)
    }
}

impl LayerSpec for Dropout {
    fn kind(&self) -> &'static str {
        "Dropout"
    }

    fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
        Ok(BuiltLayer::new(
            dropout(self.0, ctx.seed)?,
            input_shape.to_vec(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn dropout_is_inactive_at_inference_and_keeps_the_mean_in_training() -> Result<()> {
        let layer = DropoutModule::new(0.5, 3);
        let xs = Tensor::ones((100, 100), candle_core::DType::F32, &Device::Cpu)?;
        let eval: Vec<f32> = layer.forward_t(&xs, false)?.flatten_all()?.to_vec1()?;
        assert!(eval.iter().all(|v| *v == 1.0));
        let train: Vec<f32> = layer.forward_t(&xs, true)?.flatten_all()?.to_vec1()?;
        let zeros = train.iter().filter(|v| **v == 0.0).count();
        assert!((4_500..5_500).contains(&zeros), "{zeros} of 10000 dropped");
        let mean = train.iter().sum::<f32>() / train.len() as f32;
        assert!((mean - 1.0).abs() < 0.05, "{mean}");
        Ok(())
    }
}
