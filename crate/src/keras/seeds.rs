//! One training recipe repeated over several seeds and scored on held-out data: whether
//! one technique beats another by more than the luck of an initialisation and a shuffle.

use crate::error::{Error, Result};
use crate::keras::{Model, Sequential};
use crate::train::{Fit, History, Key, Loss, Metric, Optimizer};
use candle_core::{Device, Tensor};
use std::fmt;

/// Training, validation and test data, the seeds, and the settings every run shares; each
/// [`Experiment::run`] trains one model per seed and scores it on the test data.
///
/// ```
/// use dlcourse::prelude::*;
/// use dlcourse::keras::Experiment;
/// # fn main() -> dlcourse::Result<()> {
/// let x = Tensor::new(&[[0f32], [1.], [2.], [3.]], &Device::Cpu)?;
/// let y = Tensor::new(&[0u32, 0, 1, 1], &Device::Cpu)?;
/// let lab = Experiment::new(&x, &y, &x, &y).seeds(&[0, 1]).epochs(5).optimizer(Optimizer::adam(0.1));
/// let runs = lab.run(|| Sequential::new(&[1]).add(Dense::new(2).activation(Activation::Softmax)), |fit| fit)?;
/// assert_eq!(runs.scores.len(), 2);
/// println!("{runs}"); // test accuracy over 2 seeds: …
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Experiment {
    train: (Tensor, Tensor),
    validation: Option<(Tensor, Tensor)>,
    test: (Tensor, Tensor),
    seeds: Vec<u64>,
    epochs: usize,
    batch_size: usize,
    optimizer: Optimizer,
    loss: Loss,
    device: Device,
}

impl Experiment {
    /// Trains on `x`, `y` and scores the accuracy on `x_test`, `y_test`; seeds 0, 1, 2;
    /// 10 epochs of batches of 32, Adam (0.001), sparse categorical cross-entropy, CPU.
    pub fn new(x: &Tensor, y: &Tensor, x_test: &Tensor, y_test: &Tensor) -> Self {
        Experiment {
            train: (x.clone(), y.clone()),
            validation: None,
            test: (x_test.clone(), y_test.clone()),
            seeds: vec![0, 1, 2],
            epochs: 10,
            batch_size: 32,
            optimizer: Optimizer::adam(0.001),
            loss: Loss::SparseCategoricalCrossEntropy,
            device: Device::Cpu,
        }
    }

    /// Validation data for the per-epoch `val_` curves and for callbacks such as early
    /// stopping (keep it apart from the test data, which must not steer training).
    pub fn validation(mut self, x: &Tensor, y: &Tensor) -> Self {
        self.validation = Some((x.clone(), y.clone()));
        self
    }

    /// The seeds, one run each: a seed fixes the initial weights, the shuffling, the
    /// dropout masks and the augmentation.
    pub fn seeds(mut self, seeds: &[u64]) -> Self {
        self.seeds = seeds.to_vec();
        self
    }

    /// Epochs per run.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Samples per gradient step.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// The optimiser each run compiles with.
    pub fn optimizer(mut self, optimizer: Optimizer) -> Self {
        self.optimizer = optimizer;
        self
    }

    /// The loss each run compiles with (accuracy is always reported).
    pub fn loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    /// Builds the model that `model()` describes once per seed, trains it with the shared
    /// settings changed by `fit` (add a callback or augmentation; `|fit| fit` for none), and
    /// scores its test accuracy after training (after early stopping's restore, if any).
    pub fn run<M, F>(&self, model: M, fit: F) -> Result<SeedRuns>
    where
        M: Fn() -> Sequential,
        F: Fn(Fit) -> Fit,
    {
        if self.seeds.is_empty() {
            return Err(Error::Usage(
                "running an experiment with no seeds — give at least one, e.g. .seeds(&[0, 1, 2])"
                    .into(),
            ));
        }
        let mut runs = SeedRuns {
            metric: Key::ACCURACY,
            seeds: self.seeds.clone(),
            histories: Vec::new(),
            scores: Vec::new(),
        };
        for &seed in &self.seeds {
            let mut trained = self.build(model(), seed)?;
            let mut settings = Fit::epochs(self.epochs).batch_size(self.batch_size).quiet();
            if let Some((x, y)) = &self.validation {
                settings = settings.validation_data(x, y);
            }
            let history = trained.fit(&self.train.0, &self.train.1, fit(settings))?;
            let score = trained.evaluate(&self.test.0, &self.test.1)?.accuracy()?;
            runs.histories.push(history);
            runs.scores.push(score);
        }
        Ok(runs)
    }

    fn build(&self, model: Sequential, seed: u64) -> Result<Model> {
        let mut built = model.build(&self.device, seed)?;
        built.compile(self.optimizer, self.loss, &[Metric::Accuracy])?;
        Ok(built)
    }
}

/// The runs of one recipe: a history and a test score per seed.
#[derive(Debug, Clone)]
pub struct SeedRuns {
    /// What the scores measure on the test data ([`Key::ACCURACY`]).
    pub metric: Key,
    /// The seed of each run.
    pub seeds: Vec<u64>,
    /// The per-epoch history of each run, in seed order.
    pub histories: Vec<History>,
    /// The test score of each run, in seed order.
    pub scores: Vec<f64>,
}

impl SeedRuns {
    /// The first seed's history (for its training and validation curves).
    pub fn history(&self) -> &History {
        &self.histories[0]
    }

    /// The mean score over the seeds.
    pub fn mean(&self) -> f64 {
        super::scores::mean(&self.scores)
    }

    /// The standard deviation of the scores (spread from seed to seed).
    pub fn std(&self) -> f64 {
        super::scores::std(&self.scores)
    }
}

impl fmt::Display for SeedRuns {
    /// `test accuracy over 3 seeds: 84.12% ± 0.31% (from 83.80% to 84.50%)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (lo, hi) = super::scores::range(&self.scores);
        write!(
            f,
            "test {} over {} seeds: {:.2}% ± {:.2}% (from {:.2}% to {:.2}%)",
            self.metric,
            self.scores.len(),
            100.0 * self.mean(),
            100.0 * self.std(),
            100.0 * lo,
            100.0 * hi
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn every_seed_gives_a_run_and_a_seed_repeats_its_run() -> Result<()> {
        let x = Tensor::arange(0f32, 16., &Device::Cpu)?.reshape((16, 1))?;
        let y = x.squeeze(1)?.ge(8f64)?.to_dtype(DType::U32)?;
        let lab = Experiment::new(&x, &y, &x, &y).seeds(&[4, 5, 4]).epochs(3);
        let model = || Sequential::new(&[1]).add(Dense::new(2).activation(Activation::Softmax));
        let runs = lab.run(model, |fit| fit)?;
        assert_eq!((runs.scores.len(), runs.histories.len()), (3, 3));
        assert_eq!(runs.history().epochs(), 3);
        assert_eq!(runs.histories[0].loss(), runs.histories[2].loss());
        assert_ne!(runs.histories[0].loss(), runs.histories[1].loss());
        assert!(runs.to_string().starts_with("test accuracy over 3 seeds"));
        let none = lab.clone().seeds(&[]).run(model, |fit| fit).unwrap_err();
        assert!(none.to_string().contains("no seeds"), "{none}");
        Ok(())
    }
}
