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
///
/// ```
/// use dlcourse::train::{Fit, LearningRateSchedule};
/// let step = LearningRateSchedule::Step { every: 2, factor: 0.5 };
/// assert_eq!(step.rates(0.1, 5), [0.1, 0.1, 0.05, 0.05, 0.025]);
/// let fit = Fit::epochs(5).callback(step);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
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

impl LearningRateSchedule {
    /// The multiplier applied to the rate after `epoch` (1-based) ends.
    fn factor_after(&self, epoch: usize) -> f64 {
        match *self {
            LearningRateSchedule::Step { every, factor } if epoch.is_multiple_of(every.max(1)) => {
                factor
            }
            LearningRateSchedule::Step { .. } => 1.0,
            LearningRateSchedule::Exponential { factor } => factor,
        }
    }

    /// The learning rate each of `epochs` epochs trains with, starting from `initial`:
    /// what the schedule will set, for plotting it next to the losses it gave.
    pub fn rates(&self, initial: f64, epochs: usize) -> Vec<f64> {
        let mut rates = Vec::with_capacity(epochs);
        let mut rate = initial;
        for epoch in 1..=epochs {
            rates.push(rate);
            rate *= self.factor_after(epoch);
        }
        rates
    }

    fn check(&self) -> Result<()> {
        let factor = match *self {
            LearningRateSchedule::Step { factor, .. }
            | LearningRateSchedule::Exponential { factor } => factor,
        };
        if factor.is_finite() && factor > 0.0 {
            return Ok(());
        }
        Err(Error::Usage(format!(
            "learning-rate schedule {self:?}: expected a factor above 0, found {factor} — \
             use a factor below 1 to decay the rate (e.g. 0.5)"
        )))
    }
}

impl Callback for LearningRateSchedule {
    fn on_epoch_end(&mut self, end: &mut EpochEnd) -> Result<()> {
        self.check()?;
        let Some(rate) = end.learning_rate() else {
            return Ok(());
        };
        end.set_learning_rate(rate * self.factor_after(end.epoch));
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

#[cfg(test)]
mod schedule_tests {
    use super::*;
    use crate::prelude::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// The rate each epoch of a real `fit` trained with, under `schedule`.
    fn rates_in_fit(schedule: LearningRateSchedule, epochs: usize) -> Result<Vec<f64>> {
        let x = Tensor::arange(0f32, 8., &Device::Cpu)?.reshape((8, 1))?;
        let mut model = Sequential::new(&[1])
            .add(Dense::new(1))
            .build(&Device::Cpu, 0)?;
        model.compile(Optimizer::sgd(0.001), Loss::MeanSquaredError, &[])?;
        let seen = Rc::new(RefCell::new(Vec::new()));
        let record = Rc::clone(&seen);
        let hook = on_epoch_end(move |end| {
            record.borrow_mut().extend(end.learning_rate());
            Ok(())
        });
        model.fit(
            &x,
            &x,
            Fit::epochs(epochs)
                .quiet()
                .callback(hook)
                .callback(schedule),
        )?;
        Ok(seen.take())
    }

    #[test]
    fn fit_trains_each_epoch_at_the_rate_the_schedule_plans() -> Result<()> {
        for schedule in [
            LearningRateSchedule::Step {
                every: 3,
                factor: 0.1,
            },
            LearningRateSchedule::Exponential { factor: 0.8 },
        ] {
            let planned = schedule.rates(0.001, 7);
            let used = rates_in_fit(schedule, 7)?;
            assert_eq!(used.len(), 7);
            for (u, p) in used.iter().zip(&planned) {
                assert!(
                    (u - p).abs() < 1e-15,
                    "{schedule:?}: {used:?} vs {planned:?}"
                );
            }
            assert!(planned[6] < planned[0] / 2.0, "{planned:?} does not decay");
        }
        let step = LearningRateSchedule::Step {
            every: 3,
            factor: 0.1,
        }
        .rates(1.0, 7);
        assert_eq!(step[..4], [1.0, 1.0, 1.0, 0.1]);
        Ok(())
    }

    #[test]
    fn a_factor_that_is_not_positive_is_an_error() {
        for factor in [0.0, -0.5, f64::NAN] {
            let err = rates_in_fit(LearningRateSchedule::Exponential { factor }, 2).unwrap_err();
            assert!(
                err.to_string().contains("expected a factor above 0"),
                "{err}"
            );
        }
    }
}
