//! The epoch loop shared by `Model::fit` and custom training steps (VAE, GAN): seeded
//! batches, per-epoch averages, a `History`, progress lines, divergence detection and
//! callbacks.

use crate::error::{Error, Result};
use crate::train::{Batches, EpochEnd, Fit, History, Key, Logs};
use candle_core::{Tensor, Var};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::Instant;

/// One training step per batch, and what to measure after each epoch.
pub trait TrainStep {
    /// Trains on one batch (one slice of each of the loop's tensors) and returns named
    /// means over the batch, the loss first.
    fn train_batch(&mut self, batch: &[Tensor]) -> Result<Logs>;

    /// Extra values recorded after each epoch (validation loss and metrics).
    fn end_of_epoch(&mut self) -> Result<Logs> {
        Ok(Logs::new())
    }

    /// The optimiser's learning rate, for schedules and error messages.
    fn learning_rate(&self) -> Option<f64> {
        None
    }

    /// Changes the learning rate (from a schedule).
    fn set_learning_rate(&mut self, _learning_rate: f64) {}

    /// The variables callbacks may snapshot and restore, always in the same order.
    fn vars(&self) -> Vec<Var> {
        Vec::new()
    }

    /// Called after each epoch, before the callbacks, with everything this run recorded
    /// so far (e.g. to save a checkpoint of the weights and the optimiser's state).
    fn after_epoch(&mut self, _history: &History) -> Result<()> {
        Ok(())
    }
}

/// Runs `fit.epochs` epochs of `step` over `data` (tensors sharing their first
/// dimension), shuffled with `rng` when `fit.shuffle`; returns the per-epoch averages.
pub fn run_epochs(
    step: &mut dyn TrainStep,
    data: &[&Tensor],
    fit: &mut Fit,
    rng: &mut StdRng,
) -> Result<History> {
    if fit.batch_size == 0 {
        return Err(Error::shape(
            "training: Fit::batch_size",
            "at least 1 sample per batch",
            "0",
            "use e.g. Fit::epochs(10).batch_size(32)",
        ));
    }
    let mut history = History::new();
    for epoch in 1..=fit.epochs {
        let start = Instant::now();
        let batches = Batches::new(data, fit.batch_size, fit.shuffle.then_some(&mut *rng))?;
        let mut sums: Vec<(Key, f64)> = Vec::new();
        let mut samples = 0usize;
        for i in 0..batches.count() {
            let mut batch = batches.get(i)?;
            if let (Some(augment), Some(inputs)) = (&fit.augment, batch.first_mut()) {
                *inputs = augment.apply(inputs, rng)?;
            }
            let n = batch.first().map(|t| t.dim(0)).transpose()?.unwrap_or(0);
            for (key, value) in step.train_batch(&batch)? {
                if !value.is_finite() {
                    return Err(Error::NonFiniteLoss {
                        epoch,
                        batch: i + 1,
                        value,
                        learning_rate: step.learning_rate().unwrap_or(f64::NAN),
                    });
                }
                match sums.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, sum)) => *sum += value * n as f64,
                    None => sums.push((key, value * n as f64)),
                }
            }
            samples += n;
        }
        for (key, sum) in sums {
            history.push(key, sum / samples.max(1) as f64);
        }
        history.push_logs(step.end_of_epoch()?);
        let seconds = start.elapsed().as_secs_f64();
        history.push_seconds(seconds);
        if fit.verbose {
            println!("{}", progress_line(&history, epoch, fit.epochs, seconds));
        }
        step.after_epoch(&history)?;
        if run_callbacks(step, fit, &history, epoch, false)? {
            break;
        }
    }
    run_callbacks(step, fit, &history, history.epochs(), true)?;
    Ok(history)
}

/// Runs the callbacks; returns whether one asked to stop.
fn run_callbacks(
    step: &mut dyn TrainStep,
    fit: &mut Fit,
    history: &History,
    epoch: usize,
    at_end: bool,
) -> Result<bool> {
    if fit.callbacks.is_empty() {
        return Ok(false);
    }
    let vars = step.vars();
    let rate = step.learning_rate();
    let mut end = EpochEnd::new(epoch, history, &vars, rate);
    for callback in &mut fit.callbacks {
        if at_end {
            callback.on_train_end(&mut end)?;
        } else {
            callback.on_epoch_end(&mut end)?;
        }
    }
    if let (Some(new), Some(old)) = (end.learning_rate(), rate)
        && new != old
    {
        step.set_learning_rate(new);
    }
    Ok(end.should_stop())
}

/// `Epoch 3/10 - 4.2s - loss: 0.1234 - accuracy: 0.9650 - val_loss: ...`
fn progress_line(history: &History, epoch: usize, epochs: usize, seconds: f64) -> String {
    let mut line = format!("Epoch {epoch}/{epochs} - {seconds:.1}s");
    for key in history.keys() {
        if let Some(v) = history.last(key) {
            line.push_str(&format!(" - {key}: {v:.4}"));
        }
    }
    line
}

/// Trains with a custom step: `step` gets each batch (one slice per tensor of `data`),
/// does its own forward passes, losses and optimiser steps, and returns the values to
/// average ([`Logs`]), the loss first. The loop brings seeded shuffling, progress lines, the
/// history, divergence detection and callbacks (those that need weights see none).
///
/// ```
/// use dlcourse::prelude::*;
/// use dlcourse::train::{Key, Logs, fit_custom};
/// # fn main() -> dlcourse::Result<()> {
/// let x = Tensor::arange(0f32, 8., &Device::Cpu)?;
/// let history = fit_custom(&[&x], Fit::epochs(2).batch_size(4).quiet(), 0, |batch| {
///     let mean = batch[0].mean_all()?.to_scalar::<f32>()? as f64;
///     Ok(Logs::from([(Key::LOSS, mean)]))
/// })?;
/// assert_eq!(history.epochs(), 2);
/// # Ok(()) }
/// ```
pub fn fit_custom<F>(data: &[&Tensor], mut fit: Fit, seed: u64, step: F) -> Result<History>
where
    F: FnMut(&[Tensor]) -> Result<Logs>,
{
    struct Closure<F>(F);
    impl<F> TrainStep for Closure<F>
    where
        F: FnMut(&[Tensor]) -> Result<Logs>,
    {
        fn train_batch(&mut self, batch: &[Tensor]) -> Result<Logs> {
            (self.0)(batch)
        }
    }
    let mut rng = StdRng::seed_from_u64(seed);
    run_epochs(&mut Closure(step), data, &mut fit, &mut rng)
}
