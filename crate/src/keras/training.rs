//! `compile`, `fit`, `evaluate` and `predict` on a [`Model`].

use crate::error::{Error, Result};
use crate::keras::Model;
use crate::keras::checks::{check_finite, check_not_empty, check_targets, check_token_ids};
use crate::train::{
    Batches, Fit, Key, Logs, Loss, Metric, Optimizer, ParamUpdate, Quantity, Split, TrainStep,
    Validation, run_epochs,
};
use crate::train::{LrFind, LrFinder};
use candle_core::{D, Tensor, Var};

/// Batch size for `evaluate` and `predict`: large batches are faster and change nothing.
const INFERENCE_BATCH: usize = 1000;

/// What `compile` fixed: the loss, the metrics and the optimiser's state.
pub(crate) struct Compiled {
    loss: Loss,
    metrics: Vec<Metric>,
    optimizer: Box<dyn ParamUpdate>,
    /// Which layers were trainable at `compile`: the ones the optimiser updates.
    trainable: Vec<bool>,
    /// The optimiser as compiled, to build fresh state from (the learning-rate finder).
    config: Optimizer,
}

impl Model {
    /// Chooses the optimiser, the loss and the metrics to report (Keras: `compile`).
    /// Compiling again starts the optimiser afresh and keeps the weights. The optimiser
    /// updates the layers trainable now (see [`Model::freeze_until`]).
    pub fn compile(&mut self, optimizer: Optimizer, loss: Loss, metrics: &[Metric]) -> Result<()> {
        for metric in metrics {
            metric.check(loss)?;
        }
        let built = optimizer.build(self.trainable_vars())?;
        let rate = built.learning_rate();
        if !(rate.is_finite() && rate >= 0.0) {
            return Err(Error::shape(
                "compiling the model: the optimiser's learning rate",
                "a finite rate of 0 or more",
                format!("{rate}"),
                "pass a small positive rate, e.g. Optimizer::adam(0.001) or Optimizer::sgd(0.01)",
            ));
        }
        self.compiled = Some(Compiled {
            loss,
            metrics: metrics.to_vec(),
            optimizer: built,
            trainable: self.trainable_layers(),
            config: optimizer,
        });
        Ok(())
    }

    /// The parameters in name order (a stable order for optimisers and snapshots).
    fn sorted_vars(&self) -> Vec<Var> {
        let data = self
            .vars
            .data()
            .lock()
            .expect("the var map is never poisoned");
        let mut named: Vec<_> = data.iter().collect();
        named.sort_by(|a, b| a.0.cmp(b.0));
        named.into_iter().map(|(_, v)| v.clone()).collect()
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

    /// Trains on inputs `x` and targets `y` and returns the per-epoch
    /// [`History`](crate::train::History) (Keras: `fit`). Targets are numbers for
    /// regression and binary cross-entropy, one-hot rows for categorical and integer
    /// labels for sparse cross-entropy.
    ///
    /// The data is checked once, before the first epoch (a few whole-tensor reductions):
    /// at least one sample, as many targets as inputs, the model's input shape, no NaN or
    /// infinite value, and targets the loss can score (class labels below the number of
    /// output units for sparse cross-entropy, 0..1 for binary cross-entropy) — in the
    /// training data and in the validation data.
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// # fn main() -> dlcourse::Result<()> {
    /// let mut model = Sequential::new(&[2]).add(Dense::new(3)).build(&Device::Cpu, 0)?;
    /// model.compile(Optimizer::sgd(0.1), Loss::SparseCategoricalCrossEntropy, &[])?;
    /// let x = Tensor::new(&[[0f32, 1.], [1., 0.]], &Device::Cpu)?;
    /// let err = model.fit(&x, &Tensor::new(&[0u32, 3], &Device::Cpu)?, Fit::epochs(1).quiet());
    /// assert!(err.unwrap_err().to_string().contains("3 in row 1"));
    /// # Ok(()) }
    /// ```
    pub fn fit(&mut self, x: &Tensor, y: &Tensor, mut fit: Fit) -> Result<crate::train::History> {
        self.check_trainable(&self.compiled()?.trainable)?;
        check_same_count(x, y, "training")?;
        let (x, y, validation) = split_validation(x, y, &fit.validation)?;
        let (x, y) = self.checked_data(&x, &y, "fit")?;
        let validation = match validation {
            Some((vx, vy)) => {
                check_same_count(&vx, &vy, "validation")?;
                Some(self.checked_data(&vx, &vy, "fit's validation data")?)
            }
            None => None,
        };
        let mut rng = self.rng.clone();
        let vars = self.sorted_vars();
        let mut step = ModelStep {
            model: self,
            validation,
            vars,
        };
        let history = run_epochs(&mut step, &[&x, &y], &mut fit, &mut rng);
        self.rng = rng;
        history
    }

    /// Scans learning rates over one pass of `x`, `y` (fast.ai's `lr_find`; see
    /// [`LrFind`]) with fresh state of the compiled optimiser, then puts back the weights,
    /// the optimiser and its shuffling seed, so training goes on as if it had not run.
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// use dlcourse::train::LrFind;
    /// # fn main() -> dlcourse::Result<()> {
    /// let x = Tensor::arange(0f32, 64., &Device::Cpu)?.affine(1. / 32., -1.)?.reshape((64, 1))?;
    /// let y = x.affine(3.0, 1.0)?;
    /// let mut model = Sequential::new(&[1]).add(Dense::new(1)).build(&Device::Cpu, 0)?;
    /// model.compile(Optimizer::sgd(0.01), Loss::MeanSquaredError, &[])?;
    /// let finder = model.lr_find(&x, &y, &LrFind::new().range(1e-4, 1e3).batch_size(2))?;
    /// assert!(finder.exploded() && finder.suggestion() < finder.minimum());
    /// # Ok(()) }
    /// ```
    pub fn lr_find(&mut self, x: &Tensor, y: &Tensor, find: &LrFind) -> Result<LrFinder> {
        let fresh = self.compiled()?.config.build(self.trainable_vars())?;
        check_same_count(x, y, "learning-rate finder")?;
        let (x, y) = self.checked_data(x, y, "lr_find")?;
        let compiled = self.compiled.as_mut().expect("checked above");
        let kept = std::mem::replace(&mut compiled.optimizer, fresh);
        let mut rng = self.rng.clone();
        let vars = self.sorted_vars();
        let mut step = ModelStep {
            model: self,
            validation: None,
            vars,
        };
        let found = crate::train::lr_find(&mut step, &[&x, &y], find, &mut rng);
        self.compiled.as_mut().expect("checked above").optimizer = kept;
        found
    }

    /// `x` and `y` on the model's device and dtype, once checked (see [`Model::fit`]);
    /// `call` names the method in the error messages.
    fn checked_data(&self, x: &Tensor, y: &Tensor, call: &str) -> Result<(Tensor, Tensor)> {
        let (inputs, targets) = (format!("{call}: inputs x"), format!("{call}: targets y"));
        check_not_empty(x, &inputs, "inputs")?;
        let x = self.check_input(x)?;
        self.check_values(&x, &inputs)?;
        let y = y.to_device(&self.device)?;
        check_finite(&y, &targets, "targets")?;
        let outputs = self
            .layers
            .last()
            .and_then(|l| l.output_shape.last().copied())
            .unwrap_or(0);
        check_targets(&y, self.compiled()?.loss, outputs, &targets)?;
        Ok((x, y))
    }

    /// An error when the inputs `x` (already checked for shape) hold a NaN or infinite
    /// value, or a token id outside the first layer's embedding table.
    fn check_values(&self, x: &Tensor, context: &str) -> Result<()> {
        check_finite(x, context, "inputs")?;
        let Some(first) = self.layers.first().filter(|l| l.kind == "Embedding") else {
            return Ok(());
        };
        let vocabulary = {
            let data = self
                .vars
                .data()
                .lock()
                .expect("the var map is never poisoned");
            data.get(&format!("{}.embeddings", first.name))
                .and_then(|table| table.dims().first().copied())
        };
        match vocabulary {
            Some(vocabulary) => check_token_ids(x, vocabulary, context),
            None => Ok(()),
        }
    }

    /// Loss and metric means over a dataset, in inference mode, keyed for `split`.
    fn measure(&self, x: &Tensor, y: &Tensor, split: Split) -> Result<Logs> {
        let compiled = self.compiled()?;
        let x = self.check_input(x)?;
        let y = y.to_device(&self.device)?;
        check_same_count(&x, &y, "evaluation")?;
        let batches = Batches::new(&[&x, &y], INFERENCE_BATCH, None)?;
        let mut sums = vec![0.0; 1 + compiled.metrics.len()];
        for i in 0..batches.count() {
            let batch = batches.get(i)?;
            let logits = self.logits(&batch[0], false)?;
            let n = batch[0].dim(0)? as f64;
            for (sum, value) in sums.iter_mut().zip(self.batch_logs(&logits, &batch[1])?) {
                *sum += value * n;
            }
        }
        let n = x.dim(0)?.max(1) as f64;
        sums[0] += self.l2.value()? * n; // as Keras: the loss includes the penalty
        let quantities = std::iter::once(Quantity::Loss)
            .chain(compiled.metrics.iter().map(|m| Quantity::Metric(*m)));
        Ok(quantities
            .zip(sums)
            .map(|(quantity, sum)| (Key::new(quantity, split), sum / n))
            .collect())
    }

    /// The batch's mean loss followed by each metric, from its logits and raw targets.
    fn batch_logs(&self, logits: &Tensor, targets: &Tensor) -> Result<Vec<f64>> {
        let compiled = self.compiled()?;
        let targets = compiled.loss.prepare_targets(targets, logits)?;
        let loss = compiled
            .loss
            .compute(logits, self.output_activation, &targets)?;
        let mut values = vec![loss.to_scalar::<f32>()? as f64];
        if !compiled.metrics.is_empty() {
            let n = logits.dim(0)? as f64;
            let probabilities = self.output_activation.apply(&logits.detach())?;
            for metric in &compiled.metrics {
                values.push(metric.correct(compiled.loss, &probabilities, &targets)? / n);
            }
        }
        Ok(values)
    }

    /// The mean loss and metrics on `x`, `y` (Keras: `evaluate`), keyed as in `History`:
    /// `model.evaluate(&x, &y)?.accuracy()?`.
    /// The data is checked first, as by [`Model::fit`].
    pub fn evaluate(&self, x: &Tensor, y: &Tensor) -> Result<Logs> {
        self.compiled()?;
        check_same_count(x, y, "evaluation")?;
        let (x, y) = self.checked_data(x, y, "evaluate")?;
        self.measure(&x, &y, Split::Training)
    }

    /// The model's outputs for `x` in inference mode (Keras: `predict`): probabilities
    /// after a softmax or sigmoid, values for regression.
    /// `x` must hold at least one sample and no NaN or infinite value.
    pub fn predict(&self, x: &Tensor) -> Result<Tensor> {
        check_not_empty(x, "predict: inputs x", "inputs")?;
        let x = self.check_input(x)?;
        self.check_values(&x, "predict: inputs x")?;
        let batches = Batches::new(&[&x], INFERENCE_BATCH, None)?;
        let outputs = (0..batches.count())
            .map(|i| {
                let logits = self.logits(&batches.get(i)?[0], false)?;
                Ok(self.output_activation.apply(&logits)?)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Tensor::cat(&outputs, 0)?)
    }

    /// The outputs for one sample given by its values (Keras: `predict` on a batch of
    /// one): `model.predict_one(&[100.0])?` gives the model's outputs as a `Vec`.
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// # fn main() -> dlcourse::Result<()> {
    /// let model = Sequential::new(&[2]).add(Dense::new(3)).build(&Device::Cpu, 0)?;
    /// assert_eq!(model.predict_one(&[1.0, 2.0])?.len(), 3);
    /// assert!(model.predict_one(&[1.0]).is_err());
    /// # Ok(()) }
    /// ```
    pub fn predict_one(&self, sample: &[f32]) -> Result<Vec<f32>> {
        let features: usize = self.input_shape.iter().product();
        if sample.len() != features {
            return Err(Error::shape(
                "predicting one sample",
                format!("{features} values (input shape {:?})", self.input_shape),
                format!("{} values", sample.len()),
                "pass one sample's values, in the order the model was trained on",
            ));
        }
        let mut shape = vec![1];
        shape.extend_from_slice(&self.input_shape);
        let x = Tensor::from_slice(sample, shape, &candle_core::Device::Cpu)?;
        Ok(self
            .predict(&x)?
            .flatten_all()?
            .to_dtype(candle_core::DType::F32)?
            .to_vec1()?)
    }

    /// The most probable class of each sample of `x`.
    pub fn predict_classes(&self, x: &Tensor) -> Result<Tensor> {
        Ok(self.predict(x)?.argmax(D::Minus1)?)
    }
}

/// A compiled model as a [`TrainStep`] of the shared epoch loop.
struct ModelStep<'a> {
    model: &'a mut Model,
    validation: Option<(Tensor, Tensor)>,
    vars: Vec<Var>,
}

impl TrainStep for ModelStep<'_> {
    fn train_batch(&mut self, batch: &[Tensor]) -> Result<Logs> {
        let model = &mut *self.model;
        let logits = model.logits(&batch[0], true)?;
        let compiled = model.compiled()?;
        let targets = compiled.loss.prepare_targets(&batch[1], &logits)?;
        let loss = compiled
            .loss
            .compute(&logits, model.output_activation, &targets)?;
        let value = loss.to_scalar::<f32>()? as f64 + model.l2.value()?;
        if value.is_finite() {
            let mut grads = loss.backward()?;
            model.l2.add_gradients(&mut grads)?;
            let compiled = model.compiled.as_mut().expect("checked by fit");
            compiled.optimizer.step(&grads)?;
        }
        let mut logs = Logs::from([(Key::LOSS, value)]);
        let compiled = model.compiled()?;
        if !compiled.metrics.is_empty() {
            let values = model.batch_logs(&logits.detach(), &batch[1])?;
            for (metric, value) in compiled.metrics.iter().zip(values.into_iter().skip(1)) {
                logs.push(Key::metric(*metric), value);
            }
        }
        Ok(logs)
    }

    fn end_of_epoch(&mut self) -> Result<Logs> {
        match &self.validation {
            Some((x, y)) => self.model.measure(x, y, Split::Validation),
            None => Ok(Logs::new()),
        }
    }

    fn learning_rate(&self) -> Option<f64> {
        self.model
            .compiled
            .as_ref()
            .map(|c| c.optimizer.learning_rate())
    }

    fn set_learning_rate(&mut self, learning_rate: f64) {
        if let Some(compiled) = self.model.compiled.as_mut() {
            compiled.optimizer.set_learning_rate(learning_rate);
        }
    }

    fn vars(&self) -> Vec<Var> {
        self.vars.clone()
    }
}

fn check_same_count(x: &Tensor, y: &Tensor, what: &str) -> Result<()> {
    let first = |t: &Tensor| t.dims().first().copied().unwrap_or(0);
    let (nx, ny) = (first(x), first(y));
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

/// Inputs and targets.
type Pair = (Tensor, Tensor);

/// Splits off the validation set named by `validation`.
fn split_validation(
    x: &Tensor,
    y: &Tensor,
    validation: &Validation,
) -> Result<(Tensor, Tensor, Option<Pair>)> {
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
