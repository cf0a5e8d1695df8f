//! A learning-rate finder (fast.ai's `lr_find`, after Leslie Smith's "range test"):
//! one pass of mini-batches with a learning rate that grows exponentially from tiny to
//! huge, recording a smoothed loss per batch, from a copy of the model's weights that is
//! put back afterwards. The loss first stays flat (the rate is too small to matter), then
//! falls, then explodes; a good rate lies on the falling part.

use crate::error::{Error, Result};
use crate::train::{Batches, TrainStep};
use candle_core::{Tensor, Var};
use rand::rngs::StdRng;

/// Settings of a learning-rate scan (fast.ai's defaults: rates from 1e-7 to 10, smoothing
/// 0.98, stop when the smoothed loss passes 4× the best one).
///
/// ```
/// use dlcourse::train::LrFind;
/// let find = LrFind::new().range(1e-5, 1.0).batch_size(64);
/// assert_eq!(find.start(), 1e-5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LrFind {
    start: f64,
    end: f64,
    batch_size: usize,
    smoothing: f64,
    stop_factor: f64,
}

impl Default for LrFind {
    fn default() -> Self {
        LrFind {
            start: 1e-7,
            end: 10.0,
            batch_size: 32,
            smoothing: 0.98,
            stop_factor: 4.0,
        }
    }
}

impl LrFind {
    /// fast.ai's settings: rates 1e-7 → 10, batches of 32, smoothing 0.98, stop at 4×.
    pub fn new() -> Self {
        Self::default()
    }

    /// Scans rates from `start` (first batch) to `end` (last batch of the pass).
    pub fn range(mut self, start: f64, end: f64) -> Self {
        (self.start, self.end) = (start, end);
        self
    }

    /// Samples per mini-batch (the scan takes one step per batch of one pass).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Weight of the past in the loss's moving average (0 = raw losses, fast.ai: 0.98).
    pub fn smoothing(mut self, beta: f64) -> Self {
        self.smoothing = beta;
        self
    }

    /// Stops once the smoothed loss exceeds `factor` × the best smoothed loss so far.
    pub fn stop_factor(mut self, factor: f64) -> Self {
        self.stop_factor = factor;
        self
    }

    /// The first rate.
    pub fn start(&self) -> f64 {
        self.start
    }

    /// The last rate (reached only if the loss never explodes).
    pub fn end(&self) -> f64 {
        self.end
    }

    fn check(&self) -> Result<()> {
        let usage = |found: String, fix: &str| {
            Err(Error::Usage(format!(
                "finding a learning rate: {found} — {fix}"
            )))
        };
        let (start, end) = (self.start, self.end);
        if !(start.is_finite() && end.is_finite() && start > 0.0 && end > start) {
            return usage(
                format!("expected rates 0 < start < end, found start {start}, end {end}"),
                "scan e.g. LrFind::new().range(1e-6, 1.0)",
            );
        }
        if self.batch_size == 0 {
            return usage(
                "expected a batch size of at least 1, found 0".into(),
                "use e.g. .batch_size(32)",
            );
        }
        if !(0.0..1.0).contains(&self.smoothing) {
            return usage(
                format!("expected smoothing in [0, 1), found {}", self.smoothing),
                "use fast.ai's 0.98, or 0 for raw losses",
            );
        }
        if self.stop_factor.partial_cmp(&1.0) != Some(std::cmp::Ordering::Greater) {
            return usage(
                format!("expected a stop factor above 1, found {}", self.stop_factor),
                "use fast.ai's 4.0",
            );
        }
        Ok(())
    }

    /// The rate of batch `i` of `n`: `start · (end / start)^(i / (n − 1))`.
    fn rate(&self, i: usize, n: usize) -> f64 {
        self.start * (self.end / self.start).powf(i as f64 / (n - 1) as f64)
    }
}

/// What a learning-rate scan found: the rate of each batch, its loss, the smoothed loss,
/// and a suggested rate. At the end of a Jupyter cell it draws smoothed loss against rate
/// on a log axis, with the suggestion marked.
#[derive(Debug, Clone, PartialEq)]
pub struct LrFinder {
    rates: Vec<f64>,
    losses: Vec<f64>,
    smoothed: Vec<f64>,
    exploded: bool,
}

impl LrFinder {
    /// The learning rate of each recorded batch, growing exponentially.
    pub fn rates(&self) -> &[f64] {
        &self.rates
    }

    /// The loss of each recorded batch (before its step).
    pub fn losses(&self) -> &[f64] {
        &self.losses
    }

    /// The losses' bias-corrected exponential moving average (what the plot shows).
    pub fn smoothed(&self) -> &[f64] {
        &self.smoothed
    }

    /// Whether the scan stopped early because the loss exploded (passed the stop factor
    /// or became NaN) before the last rate.
    pub fn exploded(&self) -> bool {
        self.exploded
    }

    /// The first tenth of the scan, left out when looking for the minimum: there the
    /// average has seen only a few batches, and one lucky batch can look like the best
    /// loss (fast.ai's plot skips the first 10 of its 100 batches for the same reason).
    fn skipped(&self) -> usize {
        self.rates.len() / 10
    }

    /// The index of the lowest smoothed loss after the skipped start.
    fn lowest(&self) -> usize {
        let skip = self.skipped();
        skip + argmin(&self.smoothed[skip..])
    }

    /// The rate at which the smoothed loss was lowest (after the first tenth of the scan).
    pub fn minimum(&self) -> f64 {
        self.rates[self.lowest()]
    }

    /// The rate where the smoothed loss falls fastest (steepest negative slope against
    /// log rate; fast.ai's `steep`), between the first tenth of the scan and the minimum.
    pub fn steepest(&self) -> f64 {
        let (start, end) = (self.skipped().max(1), self.lowest());
        let slopes = (start..=end.max(start)).map(|i| {
            let run = (self.rates[i] / self.rates[i - 1]).ln();
            (i, (self.smoothed[i] - self.smoothed[i - 1]) / run)
        });
        let best = slopes
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(end, |(i, _)| i);
        self.rates[best]
    }

    /// The suggested learning rate: a tenth of the rate with the lowest smoothed loss
    /// (fast.ai's `minimum / 10`: the loss still falls there, well before it explodes),
    /// never below the first rate scanned.
    pub fn suggestion(&self) -> f64 {
        (self.minimum() / 10.0).max(self.rates[0])
    }
}

/// The index of the smallest value (the first on ties).
fn argmin(values: &[f64]) -> usize {
    values
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

/// Runs a learning-rate scan with `step` over one shuffled pass of `data` (tensors sharing
/// their first dimension), then puts back the weights `step.vars()` had and its learning
/// rate — also when the scan fails. Models call it through `Model::lr_find`, which also
/// gives the scan its own optimiser state.
pub fn lr_find(
    step: &mut dyn TrainStep,
    data: &[&Tensor],
    find: &LrFind,
    rng: &mut StdRng,
) -> Result<LrFinder> {
    find.check()?;
    let batches = Batches::new(data, find.batch_size, Some(rng))?;
    let n = batches.count();
    if n < 2 {
        return Err(Error::Usage(format!(
            "finding a learning rate: expected at least 2 mini-batches, found {n} \
             ({} samples in batches of {}) — pass more samples or a smaller batch size",
            data.first().map(|t| t.dim(0)).transpose()?.unwrap_or(0),
            find.batch_size
        )));
    }
    let vars = step.vars();
    let saved: Vec<Tensor> = vars
        .iter()
        .map(|v| v.as_tensor().copy())
        .collect::<candle_core::Result<_>>()?;
    let rate = step.learning_rate();
    let scan = scan(step, &batches, find);
    restore(&vars, &saved)?;
    if let Some(rate) = rate {
        step.set_learning_rate(rate);
    }
    let finder = scan?;
    if finder.rates.len() < 2 {
        return Err(Error::Usage(format!(
            "finding a learning rate: the loss exploded within {} batch(es), at rate {:e} — \
             start the scan lower, e.g. .range({:e}, {:e})",
            finder.rates.len().max(1),
            find.start,
            find.start / 1000.0,
            find.end
        )));
    }
    Ok(finder)
}

/// One step per batch at growing rates, until the last batch or an explosion.
fn scan(step: &mut dyn TrainStep, batches: &Batches, find: &LrFind) -> Result<LrFinder> {
    let n = batches.count();
    let mut finder = LrFinder {
        rates: Vec::with_capacity(n),
        losses: Vec::with_capacity(n),
        smoothed: Vec::with_capacity(n),
        exploded: false,
    };
    let (beta, mut average, mut best) = (find.smoothing, 0.0, f64::INFINITY);
    for i in 0..n {
        let rate = find.rate(i, n);
        step.set_learning_rate(rate);
        let loss = step.train_batch(&batches.get(i)?)?.loss()?;
        if !loss.is_finite() {
            finder.exploded = true;
            break;
        }
        average = beta * average + (1.0 - beta) * loss;
        let smooth = average / (1.0 - beta.powi(i as i32 + 1));
        finder.rates.push(rate);
        finder.losses.push(loss);
        finder.smoothed.push(smooth);
        best = best.min(smooth);
        if smooth > find.stop_factor * best {
            finder.exploded = i + 1 < n;
            break;
        }
    }
    Ok(finder)
}

fn restore(vars: &[Var], saved: &[Tensor]) -> Result<()> {
    for (var, value) in vars.iter().zip(saved) {
        var.set(value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keras::{Model, Sequential};
    use crate::nn::Dense;
    use crate::train::{Fit, Loss, Optimizer};
    use candle_core::Device;

    /// y = 2x − 1 on 256 points, and a one-neuron model compiled with `optimizer`.
    fn line(optimizer: Optimizer) -> Result<(Model, Tensor, Tensor)> {
        let x = Tensor::arange(0f32, 256., &Device::Cpu)?
            .affine(1.0 / 128.0, -1.0)?
            .reshape((256, 1))?;
        let y = x.affine(2.0, -1.0)?;
        let mut model = Sequential::new(&[1])
            .add(Dense::new(1))
            .build(&Device::Cpu, 7)?;
        model.compile(optimizer, Loss::MeanSquaredError, &[])?;
        Ok((model, x, y))
    }

    fn weights(model: &Model) -> Result<Vec<f32>> {
        let mut w = model.weight("dense.weight")?.flatten_all()?.to_vec1()?;
        w.extend(
            model
                .weight("dense.bias")?
                .flatten_all()?
                .to_vec1::<f32>()?,
        );
        Ok(w)
    }

    #[test]
    fn the_scan_stops_when_the_loss_explodes() -> Result<()> {
        // Plain SGD on this line diverges above a rate of about 1: a scan up to 1e4 explodes.
        let (mut model, x, y) = line(Optimizer::sgd(0.01))?;
        let find = LrFind::new().range(1e-4, 1e4).batch_size(4);
        let finder = model.lr_find(&x, &y, &find)?;
        assert!(finder.exploded(), "{finder:?}");
        let last = *finder.rates().last().unwrap();
        assert!(last < 1e3, "stopped only at rate {last}");
        let best = finder
            .smoothed()
            .iter()
            .cloned()
            .fold(f64::INFINITY, f64::min);
        assert!(*finder.smoothed().last().unwrap() > 4.0 * best);
        // The rates grow exponentially: a constant ratio between batches.
        let r = finder.rates();
        assert!(((r[2] / r[1]) / (r[1] / r[0]) - 1.0).abs() < 1e-9);
        Ok(())
    }

    #[test]
    fn the_suggestion_lies_in_the_scanned_range_on_the_falling_part() -> Result<()> {
        let (mut model, x, y) = line(Optimizer::sgd(0.01))?;
        let finder = model.lr_find(&x, &y, &LrFind::new().range(1e-4, 1e4).batch_size(4))?;
        let (first, last) = (finder.rates()[0], *finder.rates().last().unwrap());
        for rate in [finder.suggestion(), finder.steepest(), finder.minimum()] {
            assert!(
                first <= rate && rate <= last,
                "{rate} outside {first}..{last}"
            );
        }
        assert!(finder.suggestion() < finder.minimum());
        // Training at the suggested rate works: the loss falls well below its start.
        let start = model.evaluate(&x, &y)?.loss()?;
        model.compile(
            Optimizer::sgd(finder.suggestion()),
            Loss::MeanSquaredError,
            &[],
        )?;
        model.fit(&x, &y, Fit::epochs(5).batch_size(4).quiet())?;
        let end = model.evaluate(&x, &y)?.loss()?;
        assert!(
            end < 0.1 * start,
            "loss {start} → {end} at {}",
            finder.suggestion()
        );
        Ok(())
    }

    #[test]
    fn a_lucky_first_batch_is_not_the_minimum() {
        // The smoothed loss starts at the first batch's loss: a low one must not win.
        let rates: Vec<f64> = (0..40).map(|i| 1e-4 * 1.3f64.powi(i)).collect();
        let mut smoothed: Vec<f64> = (0..40).map(|i| 2.0 - 0.04 * i as f64).collect();
        smoothed[0] = 0.1;
        smoothed[39] = 9.0;
        let finder = LrFinder {
            losses: smoothed.clone(),
            smoothed,
            rates: rates.clone(),
            exploded: true,
        };
        assert_eq!(finder.minimum(), rates[38]);
        assert!(finder.steepest() >= rates[4] && finder.steepest() <= rates[38]);
    }

    #[test]
    fn weights_and_optimizer_state_are_restored() -> Result<()> {
        // Adam keeps state per weight: after a scan, training must go exactly as if the
        // scan had never run.
        let (mut scanned, x, y) = line(Optimizer::adam(0.05))?;
        let (mut fresh, _, _) = line(Optimizer::adam(0.05))?;
        scanned.fit(&x, &y, Fit::epochs(1).batch_size(32).quiet())?;
        fresh.fit(&x, &y, Fit::epochs(1).batch_size(32).quiet())?;
        let before = weights(&scanned)?;
        scanned.lr_find(&x, &y, &LrFind::new().range(1e-4, 1e4).batch_size(4))?;
        assert_eq!(weights(&scanned)?, before);
        let a = scanned.fit(&x, &y, Fit::epochs(2).batch_size(32).quiet())?;
        let b = fresh.fit(&x, &y, Fit::epochs(2).batch_size(32).quiet())?;
        assert_eq!(a.loss(), b.loss());
        Ok(())
    }

    #[test]
    fn bad_settings_are_rejected_with_the_fix() -> Result<()> {
        let (mut model, x, y) = line(Optimizer::sgd(0.01))?;
        for find in [
            LrFind::new().range(1.0, 1e-3),
            LrFind::new().range(0.0, 1.0),
            LrFind::new().range(f64::NAN, 1.0),
            LrFind::new().smoothing(1.0),
            LrFind::new().stop_factor(0.5),
            LrFind::new().batch_size(0),
            LrFind::new().batch_size(256),
        ] {
            let err = model.lr_find(&x, &y, &find).unwrap_err().to_string();
            assert!(err.contains("expected"), "{err}");
        }
        Ok(())
    }
}
