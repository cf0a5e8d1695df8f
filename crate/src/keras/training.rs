//! `compile`, `fit`, `evaluate` and `predict` on a [`Model`].

use crate::error::{Error, Result};
use crate::keras::Model;
use crate::train::{Batches, Fit, History, Loss, Metric, Optimizer, ParamUpdate, Validation};
use candle_core::{D, Tensor};
use std::time::Instant;

/// Batch size for `evaluate` and `predict`: large batches are faster and change nothing.
const INFERENCE_BATCH: usize = 1000;

/// What `compile` fixed: the loss, the metrics and the optimiser's state.
pub(crate) struct Compiled {
    loss: Loss,
    metrics: Vec<Metric>,
    optimizer: Box<dyn ParamUpdate>,
}

/// Loss and metric sums over the samples of an epoch or an evaluation.
struct Totals {
    loss: f64,
    correct: Vec<f64>,
    samples: usize,
}

impl Totals {
    fn new(metrics: usize) -> Self {
        Totals {
            loss: 0.0,
            correct: vec![0.0; metrics],
            samples: 0,
        }
    }

    /// The mean loss and metrics, named with `prefix` (`""` or `"val_"`).
    fn record(&self, prefix: &str, metrics: &[Metric], history: &mut History) {
        let n = self.samples.max(1) as f64;
        history.push(&format!("{prefix}loss"), self.loss / n);
        for (metric, correct) in metrics.iter().zip(&self.correct) {
            history.push(&format!("{prefix}{}", metric.name()), correct / n);
        }
    }
}

impl Model {
    /// Chooses the optimiser, the loss and the metrics to report (Keras: `compile`).
    /// Compiling again starts the optimiser afresh and keeps the weights.
    pub fn compile(&mut self, optimizer: Optimizer, loss: Loss, metrics: &[Metric]) -> Result<()> {
        for metric in metrics {
            metric.check(loss)?;
        }
        self.compiled = Some(Compiled {
            loss,
            metrics: metrics.to_vec(),
            optimizer: optimizer.build(self.vars.all_vars())?,
        });
        Ok(())
    }

    fn compiled(&self) -> Result<&Compiled> {
        self.compiled.as_ref().ok_or_else(|| {
            Error::Usage(
                "the model is not compiled — call model.compile(optimizer, loss, metrics) \
                 before fit or evaluate"
                    .into(),
            )
        })
    }

    /// Trains on inputs `x` and targets `y` and returns the per-epoch [`History`]
    /// (Keras: `fit`). Targets are numbers for regression and binary cross-entropy,
    /// one-hot rows for categorical and integer labels for sparse cross-entropy.
    pub fn fit(&mut self, x: &Tensor, y: &Tensor, fit: Fit) -> Result<History> {
        self.compiled()?;
        let (x, y, validation) = split_validation(x, y, &fit.validation)?;
        let x = self.check_input(&x)?;
        let y = y.to_device(&self.device)?;
        check_same_count(&x, &y, "training")?;
        let mut history = History::new();
        for epoch in 1..=fit.epochs {
            let start = Instant::now();
            let totals = self.train_epoch(&x, &y, &fit, epoch)?;
            let metrics = self.compiled()?.metrics.clone();
            totals.record("", &metrics, &mut history);
            if let Some((vx, vy)) = &validation {
                self.measure(vx, vy)?.record("val_", &metrics, &mut history);
            }
            let seconds = start.elapsed().as_secs_f64();
            history.push_seconds(seconds);
            if fit.verbose {
                println!("{}", progress_line(&history, epoch, fit.epochs, seconds));
            }
        }
        Ok(history)
    }

    fn train_epoch(&mut self, x: &Tensor, y: &Tensor, fit: &Fit, epoch: usize) -> Result<Totals> {
        let rng = fit.shuffle.then_some(&mut self.rng);
        let batches = Batches::new(&[x, y], fit.batch_size, rng)?;
        let compiled = self.compiled.as_ref().expect("checked by fit");
        let (loss_fn, metrics) = (compiled.loss, compiled.metrics.clone());
        let mut totals = Totals::new(metrics.len());
        for i in 0..batches.count() {
            let batch = batches.get(i)?;
            let (bx, by) = (&batch[0], &batch[1]);
            let logits = self.logits(bx, true)?;
            let targets = loss_fn.prepare_targets(by, &logits)?;
            let loss = loss_fn.compute(&logits, self.output_activation, &targets)?;
            let value = loss.to_scalar::<f32>()?;
            let optimizer = &mut self.compiled.as_mut().expect("checked by fit").optimizer;
            if !value.is_finite() {
                return Err(Error::NonFiniteLoss {
                    epoch,
                    batch: i + 1,
                    value,
                    learning_rate: optimizer.learning_rate(),
                });
            }
            optimizer.step(&loss.backward()?)?;
            let n = bx.dim(0)?;
            totals.loss += value as f64 * n as f64;
            totals.samples += n;
            if !metrics.is_empty() {
                let probabilities = self.output_activation.apply(&logits.detach())?;
                for (sum, metric) in totals.correct.iter_mut().zip(&metrics) {
                    *sum += metric.correct(loss_fn, &probabilities, &targets)?;
                }
            }
        }
        Ok(totals)
    }

    /// Loss and metric totals over a dataset, in inference mode.
    fn measure(&self, x: &Tensor, y: &Tensor) -> Result<Totals> {
        let compiled = self.compiled()?;
        let x = self.check_input(x)?;
        let y = y.to_device(&self.device)?;
        check_same_count(&x, &y, "evaluation")?;
        let batches = Batches::new(&[&x, &y], INFERENCE_BATCH, None)?;
        let mut totals = Totals::new(compiled.metrics.len());
        for i in 0..batches.count() {
            let batch = batches.get(i)?;
            let logits = self.logits(&batch[0], false)?;
            let targets = compiled.loss.prepare_targets(&batch[1], &logits)?;
            let loss = compiled
                .loss
                .compute(&logits, self.output_activation, &targets)?;
            let n = batch[0].dim(0)?;
            totals.loss += loss.to_scalar::<f32>()? as f64 * n as f64;
            totals.samples += n;
            let probabilities = self.output_activation.apply(&logits)?;
            for (sum, metric) in totals.correct.iter_mut().zip(&compiled.metrics) {
                *sum += metric.correct(compiled.loss, &probabilities, &targets)?;
            }
        }
        Ok(totals)
    }

    /// The mean loss and metrics on `x`, `y` (Keras: `evaluate`), named as in `History`:
    /// `[("loss", ..), ("accuracy", ..)]`.
    pub fn evaluate(&self, x: &Tensor, y: &Tensor) -> Result<Vec<(String, f64)>> {
        let mut history = History::new();
        let metrics = self.compiled()?.metrics.clone();
        self.measure(x, y)?.record("", &metrics, &mut history);
        Ok(history
            .names()
            .map(|name| (name.to_owned(), history.last(name).unwrap_or(f64::NAN)))
            .collect())
    }

    /// The model's outputs for `x` in inference mode (Keras: `predict`): probabilities
    /// after a softmax or sigmoid, values for regression.
    pub fn predict(&self, x: &Tensor) -> Result<Tensor> {
        let x = self.check_input(x)?;
        let batches = Batches::new(&[&x], INFERENCE_BATCH, None)?;
        let outputs = (0..batches.count())
            .map(|i| {
                let logits = self.logits(&batches.get(i)?[0], false)?;
                Ok(self.output_activation.apply(&logits)?)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Tensor::cat(&outputs, 0)?)
    }

    /// The most probable class of each sample of `x`.
    pub fn predict_classes(&self, x: &Tensor) -> Result<Tensor> {
        Ok(self.predict(x)?.argmax(D::Minus1)?)
    }
}

fn check_same_count(x: &Tensor, y: &Tensor, what: &str) -> Result<()> {
    let (nx, ny) = (x.dim(0)?, y.dim(0)?);
    if nx != ny {
        return Err(Error::shape(
            format!("pairing {what} inputs with targets"),
            format!("as many targets as inputs ({nx})"),
            format!("{ny} targets"),
            "pass x and y of the same samples, in the same order",
        ));
    }
    Ok(())
}

/// Splits off the validation set named by `validation`.
fn split_validation(
    x: &Tensor,
    y: &Tensor,
    validation: &Validation,
) -> Result<(Tensor, Tensor, Option<(Tensor, Tensor)>)> {
    match validation {
        Validation::None => Ok((x.clone(), y.clone(), None)),
        Validation::Data(vx, vy) => Ok((x.clone(), y.clone(), Some((vx.clone(), vy.clone())))),
        Validation::Split(fraction) => {
            let n = x.dim(0)?;
            let held = (n as f64 * fraction).round() as usize;
            if !(0.0..1.0).contains(fraction) || held == 0 || held >= n {
                return Err(Error::Usage(format!(
                    "validation_split({fraction}) of {n} samples leaves {held} for validation \
                     — use a fraction between 0 and 1 that keeps samples on both sides"
                )));
            }
            let keep = n - held;
            Ok((
                x.narrow(0, 0, keep)?,
                y.narrow(0, 0, keep)?,
                Some((x.narrow(0, keep, held)?, y.narrow(0, keep, held)?)),
            ))
        }
    }
}

/// `Epoch 3/10 - 4.2s - loss: 0.1234 - accuracy: 0.9650 - val_loss: ...`
fn progress_line(history: &History, epoch: usize, epochs: usize, seconds: f64) -> String {
    let mut line = format!("Epoch {epoch}/{epochs} - {seconds:.1}s");
    for name in history.names() {
        if let Some(v) = history.last(name) {
            line.push_str(&format!(" - {name}: {v:.4}"));
        }
    }
    line
}
