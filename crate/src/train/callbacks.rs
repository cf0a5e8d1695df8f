//! Callbacks: code that runs after every epoch and may stop training, change the learning
//! rate, or save and restore weights (Keras: `callbacks=[...]`).

use crate::error::{Error, Result};
use crate::train::{History, Key};
use candle_core::{Tensor, Var};

/// What a callback sees and may change at the end of an epoch.
pub struct EpochEnd<'a> {
    /// The epoch that just ended (1-based).
    pub epoch: usize,
    /// Everything recorded so far, this epoch included.
    pub history: &'a History,
    vars: &'a [Var],
    learning_rate: Option<f64>,
    stop: bool,
}

/// A copy of a model's weights, to restore later.
#[derive(Debug, Clone)]
pub struct Weights(Vec<Tensor>);

impl<'a> EpochEnd<'a> {
    pub(crate) fn new(
        epoch: usize,
        history: &'a History,
        vars: &'a [Var],
        lr: Option<f64>,
    ) -> Self {
        EpochEnd {
            epoch,
            history,
            vars,
            learning_rate: lr,
            stop: false,
        }
    }

    /// Ends training after this epoch.
    pub fn stop_training(&mut self) {
        self.stop = true;
    }

    /// Whether a callback asked to stop.
    pub fn should_stop(&self) -> bool {
        self.stop
    }

    /// The optimiser's learning rate (None when the loop has no single optimiser).
    pub fn learning_rate(&self) -> Option<f64> {
        self.learning_rate
    }

    /// Sets the learning rate for the next epoch.
    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = Some(learning_rate);
    }

    /// Copies the current weights.
    pub fn snapshot(&self) -> Result<Weights> {
        Ok(Weights(
            self.vars
                .iter()
                .map(|v| v.as_tensor().copy())
                .collect::<candle_core::Result<_>>()?,
        ))
    }

    /// Puts back weights taken with [`EpochEnd::snapshot`].
    pub fn restore(&self, weights: &Weights) -> Result<()> {
        if weights.0.len() != self.vars.len() {
            return Err(Error::Usage(
                "restoring weights from another model — take the snapshot from the model being trained"
                    .into(),
            ));
        }
        for (var, saved) in self.vars.iter().zip(&weights.0) {
            var.set(saved)?;
        }
        Ok(())
    }
}

/// Code run at the end of every epoch and once when training ends.
pub trait Callback {
    /// Called after each epoch, once its losses and metrics are in the history.
    fn on_epoch_end(&mut self, epoch: &mut EpochEnd) -> Result<()>;

    /// Called once after the last epoch (early stopping restores weights here).
    fn on_train_end(&mut self, _end: &mut EpochEnd) -> Result<()> {
        Ok(())
    }
}

/// Stops training when a monitored value stops improving (Keras: `EarlyStopping`).
///
/// ```
/// use dlcourse::train::{EarlyStopping, Fit, Key};
/// let fit = Fit::epochs(100).callback(EarlyStopping::new(Key::VAL_LOSS, 3).restore_best_weights());
/// ```
#[derive(Debug, Clone)]
pub struct EarlyStopping {
    monitor: Key,
    patience: usize,
    min_delta: f64,
    restore_best: bool,
    best: Option<(usize, f64)>,
    best_weights: Option<Weights>,
    stopped_epoch: Option<usize>,
}

impl EarlyStopping {
    /// Watches `monitor` (e.g. [`Key::VAL_LOSS`]: lower is better for losses, higher
    /// for metrics) and stops after `patience` epochs without improvement.
    pub fn new(monitor: Key, patience: usize) -> Self {
        EarlyStopping {
            monitor,
            patience,
            min_delta: 0.0,
            restore_best: false,
            best: None,
            best_weights: None,
            stopped_epoch: None,
        }
    }

    /// Counts only improvements larger than `delta`.
    pub fn min_delta(mut self, delta: f64) -> Self {
        self.min_delta = delta.abs();
        self
    }

    /// Puts back the weights of the best epoch when training ends.
    pub fn restore_best_weights(mut self) -> Self {
        self.restore_best = true;
        self
    }

    fn improves(&self, value: f64, best: f64) -> bool {
        if self.monitor.higher_is_better() {
            value > best + self.min_delta
        } else {
            value < best - self.min_delta
        }
    }
}

impl Callback for EarlyStopping {
    fn on_epoch_end(&mut self, end: &mut EpochEnd) -> Result<()> {
        let Some(value) = end.history.last(&self.monitor) else {
            let names: Vec<_> = end.history.keys().map(Key::to_string).collect();
            return Err(Error::Usage(format!(
                "EarlyStopping watches `{}`, which training does not record (it records: {}) — \
                 give fit validation data for val_ values, or watch one of these",
                self.monitor,
                names.join(", ")
            )));
        };
        let improved = match self.best {
            None => true,
            Some((_, best)) => self.improves(value, best),
        };
        if improved {
            self.best = Some((end.epoch, value));
            if self.restore_best {
                self.best_weights = Some(end.snapshot()?);
            }
        } else if end.epoch - self.best.map_or(0, |b| b.0) >= self.patience {
            self.stopped_epoch = Some(end.epoch);
            end.stop_training();
        }
        Ok(())
    }

    fn on_train_end(&mut self, end: &mut EpochEnd) -> Result<()> {
        if let (Some(weights), Some((epoch, value))) = (&self.best_weights, self.best) {
            end.restore(weights)?;
            if self.stopped_epoch.is_some() {
                println!(
                    "Early stopping: restored the weights of epoch {epoch} ({} = {value:.4})",
                    self.monitor
                );
            }
        }
        Ok(())
    }
}

/// Changes the learning rate from epoch to epoch (Keras: `LearningRateScheduler`).
#[derive(Debug, Clone, Copy)]
pub enum LearningRateSchedule {
    /// Multiplies the rate by `factor` every `every` epochs.
    Step {
        /// Epochs between drops.
        every: usize,
        /// Multiplier at each drop (e.g. 0.5).
        factor: f64,
    },
    /// Multiplies the rate by `factor` after every epoch.
    Exponential {
        /// Multiplier per epoch (e.g. 0.9).
        factor: f64,
    },
}

impl Callback for LearningRateSchedule {
    fn on_epoch_end(&mut self, end: &mut EpochEnd) -> Result<()> {
        let Some(rate) = end.learning_rate() else {
            return Ok(());
        };
        let next = match *self {
            LearningRateSchedule::Step { every, factor } if end.epoch % every.max(1) == 0 => {
                rate * factor
            }
            LearningRateSchedule::Step { .. } => rate,
            LearningRateSchedule::Exponential { factor } => rate * factor,
        };
        end.set_learning_rate(next);
        Ok(())
    }
}

/// A callback from a closure, for custom per-epoch code (print a sample, draw a grid).
///
/// ```
/// use dlcourse::train::{on_epoch_end, Fit};
/// let fit = Fit::epochs(5).callback(on_epoch_end(|end| {
///     println!("epoch {} done", end.epoch);
///     Ok(())
/// }));
/// ```
pub fn on_epoch_end<F>(f: F) -> impl Callback
where
    F: FnMut(&mut EpochEnd) -> Result<()>,
{
    struct Hook<F>(F);
    impl<F: FnMut(&mut EpochEnd) -> Result<()>> Callback for Hook<F> {
        fn on_epoch_end(&mut self, end: &mut EpochEnd) -> Result<()> {
            (self.0)(end)
        }
    }
    Hook(f)
}
