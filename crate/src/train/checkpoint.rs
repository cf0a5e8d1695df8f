//! Checkpoints: a training run saved after an epoch — the weights, the optimiser's state
//! and the history so far — in one safetensors file, so a long run can stop and go on
//! later from where it was (Keras: `ModelCheckpoint` plus the optimiser's variables).

use crate::error::{Error, Result};
use crate::train::{History, Key, Metric, ParamUpdate, Quantity, Split};
use candle_core::{DType, Device, Tensor, Var};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const RUN: &str = "run";
const HISTORY_KEYS: &str = "history.keys";
const SECONDS: &str = "history.seconds";

/// One file holding a run's named weights, its optimiser's state, its [`History`] and a
/// description of the run (data size, batch size, seed…), so that a checkpoint of a
/// different run is refused rather than resumed by mistake.
///
/// Saving writes a temporary file next to `path` and renames it, so a run stopped while
/// saving leaves the previous checkpoint intact.
///
/// ```
/// use dlcourse::prelude::*;
/// use dlcourse::train::Checkpoint;
/// # fn main() -> dlcourse::Result<()> {
/// let w = Var::new(&[1f32, 2.0], &Device::Cpu)?;
/// let weights = vec![("w".to_string(), w.clone())];
/// let mut adam = Optimizer::adam(0.1).build(vec![w.clone()])?;
/// adam.step(&w.as_tensor().sqr()?.sum_all()?.backward()?)?;
/// let mut history = History::new();
/// history.push(Key::LOSS, 5.0);
///
/// let path = std::env::temp_dir().join("dlcourse-doc-checkpoint.safetensors");
/// let checkpoint = Checkpoint::new(&path, "toy run, seed 0");
/// checkpoint.save(&weights, adam.as_ref(), &history)?;
///
/// w.set(&Tensor::zeros(2, DType::F32, &Device::Cpu)?)?; // lose the weights…
/// let restored = checkpoint.restore(&weights, adam.as_mut())?; // …and get them back
/// assert_eq!(restored.map(|h| h.loss().to_vec()), Some(vec![5.0]));
/// assert!(w.as_tensor().to_vec1::<f32>()?[1] > 1.8);
/// # std::fs::remove_file(&path).ok();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    path: PathBuf,
    run: String,
}

impl Checkpoint {
    /// A checkpoint at `path` for the run described by `run` (a line naming what must
    /// match to resume: the model, the data size, the batch size, the seed).
    pub fn new(path: impl AsRef<Path>, run: impl Into<String>) -> Self {
        Checkpoint {
            path: path.as_ref().to_path_buf(),
            run: run.into(),
        }
    }

    /// Where the checkpoint is saved.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a checkpoint file exists at the path.
    pub fn exists(&self) -> bool {
        self.path.is_file()
    }

    /// Saves `weights` (by name), the state of `optimizer` and `history`.
    pub fn save(
        &self,
        weights: &[(String, Var)],
        optimizer: &dyn ParamUpdate,
        history: &History,
    ) -> Result<()> {
        self.save_with_optimizers(weights, &[optimizer], history)
    }

    /// Like [`Checkpoint::save`] for a run with several optimisers (a GAN's two), each
    /// one's state stored apart; [`Checkpoint::restore_with_optimizers`] reads them back
    /// in the same order. With one optimiser the file is the same as `save`'s.
    pub fn save_with_optimizers(
        &self,
        weights: &[(String, Var)],
        optimizers: &[&dyn ParamUpdate],
        history: &History,
    ) -> Result<()> {
        let mut tensors: HashMap<String, Tensor> = HashMap::new();
        for (name, var) in weights {
            tensors.insert(format!("weights.{name}"), var.as_tensor().clone());
        }
        for (k, optimizer) in optimizers.iter().enumerate() {
            for (i, tensor) in optimizer.state()?.into_iter().enumerate() {
                tensors.insert(format!("{}.{i}", optimizer_prefix(k)), tensor);
            }
        }
        let keys: Vec<String> = history.keys().map(Key::to_string).collect();
        for (i, key) in history.keys().enumerate() {
            let values = history.get(key).unwrap_or(&[]).to_vec();
            let len = values.len();
            tensors.insert(
                format!("history.{i}"),
                Tensor::from_vec(values, len, &Device::Cpu)?,
            );
        }
        tensors.insert(HISTORY_KEYS.into(), text_tensor(&keys.join("\n"))?);
        let seconds = history.epoch_seconds().to_vec();
        let len = seconds.len();
        tensors.insert(
            SECONDS.into(),
            Tensor::from_vec(seconds, len, &Device::Cpu)?,
        );
        tensors.insert(RUN.into(), text_tensor(&self.run)?);
        let partial = self.path.with_extension("partial");
        candle_core::safetensors::save(&tensors, &partial).map_err(|err| {
            Error::Usage(format!(
                "saving a checkpoint to {}: {err} — check that the folder exists and is \
                 writable",
                partial.display()
            ))
        })?;
        std::fs::rename(&partial, &self.path).map_err(|e| Error::io("renaming", &partial, e))
    }

    /// Loads a checkpoint saved by [`Checkpoint::save`] into `weights` and `optimizer`
    /// and returns its history; `Ok(None)` when there is no file yet (a new run). An error
    /// when the file describes another run or lacks one of the weights.
    pub fn restore(
        &self,
        weights: &[(String, Var)],
        optimizer: &mut dyn ParamUpdate,
    ) -> Result<Option<History>> {
        self.restore_with_optimizers(weights, &mut [optimizer])
    }

    /// Like [`Checkpoint::restore`] for a checkpoint saved by
    /// [`Checkpoint::save_with_optimizers`]: each optimiser gets back its own state, in
    /// the order they were saved.
    pub fn restore_with_optimizers(
        &self,
        weights: &[(String, Var)],
        optimizers: &mut [&mut dyn ParamUpdate],
    ) -> Result<Option<History>> {
        if !self.exists() {
            return Ok(None);
        }
        let device = weights
            .first()
            .map_or(Device::Cpu, |(_, v)| v.device().clone());
        let tensors = candle_core::safetensors::load(&self.path, &device)
            .map_err(|err| self.damaged(format!("not a readable safetensors file ({err})")))?;
        let saved_run = read_text(&tensors, RUN).map_err(|problem| self.damaged(problem))?;
        if saved_run != self.run {
            return Err(Error::data(
                &self.path,
                format!(
                    "a checkpoint of the run \"{}\", found \"{saved_run}\"",
                    self.run
                ),
                "delete the file to start afresh, or give this run another checkpoint path",
            ));
        }
        for (name, var) in weights {
            let saved = tensors
                .get(&format!("weights.{name}"))
                .ok_or_else(|| self.damaged(format!("no weight `{name}`")))?;
            if saved.shape() != var.shape() {
                return Err(self.damaged(format!(
                    "weight `{name}` of shape {:?}, expected {:?}",
                    saved.dims(),
                    var.dims()
                )));
            }
            var.set(&saved.to_dtype(var.dtype())?)?;
        }
        for (k, optimizer) in optimizers.iter_mut().enumerate() {
            let prefix = optimizer_prefix(k);
            let mut state = Vec::new();
            while let Some(tensor) = tensors.get(&format!("{prefix}.{}", state.len())) {
                state.push(tensor.clone());
            }
            optimizer.set_state(&state)?;
        }
        self.history(&tensors).map(Some)
    }

    /// The history stored in `tensors`.
    fn history(&self, tensors: &HashMap<String, Tensor>) -> Result<History> {
        let keys = read_text(tensors, HISTORY_KEYS).map_err(|problem| self.damaged(problem))?;
        let mut history = History::new();
        for (i, name) in keys.lines().enumerate() {
            let values = tensors
                .get(&format!("history.{i}"))
                .ok_or_else(|| self.damaged(format!("no values for `{name}`")))?;
            for value in values.to_dtype(DType::F64)?.to_vec1::<f64>()? {
                history.push(parse_key(name), value);
            }
        }
        if let Some(seconds) = tensors.get(SECONDS) {
            for s in seconds.to_dtype(DType::F64)?.to_vec1::<f64>()? {
                history.push_seconds(s);
            }
        }
        Ok(history)
    }

    fn damaged(&self, problem: String) -> Error {
        Error::data(
            &self.path,
            format!("a checkpoint saved by Checkpoint::save, found {problem}"),
            "delete the file to start afresh",
        )
    }
}

/// Where optimiser `k`'s state is stored: `optimizer.0`, `optimizer.1`, … for the first
/// (as files saved with one optimiser always had it), `optimizer1.0`, … for the second.
fn optimizer_prefix(k: usize) -> String {
    match k {
        0 => "optimizer".to_string(),
        k => format!("optimizer{k}"),
    }
}

/// Text as a `u8` tensor (safetensors holds tensors only).
fn text_tensor(text: &str) -> Result<Tensor> {
    let bytes = text.as_bytes().to_vec();
    let len = bytes.len();
    Ok(Tensor::from_vec(bytes, len, &Device::Cpu)?)
}

/// The text stored under `name` by [`text_tensor`].
fn read_text(tensors: &HashMap<String, Tensor>, name: &str) -> Result<String, String> {
    let tensor = tensors.get(name).ok_or(format!("no `{name}` entry"))?;
    let bytes = tensor
        .to_vec1::<u8>()
        .map_err(|e| format!("`{name}` unreadable ({e})"))?;
    String::from_utf8(bytes).map_err(|_| format!("`{name}` not UTF-8 text"))
}

/// The [`Key`] whose name is `name` (`loss`, `val_accuracy`, `kl_loss`).
fn parse_key(name: &str) -> Key {
    let (split, bare) = match name.strip_prefix("val_") {
        Some(rest) => (Split::Validation, rest),
        None => (Split::Training, name),
    };
    let quantity = match bare {
        "loss" => Quantity::Loss,
        b if b == Metric::Accuracy.name() => Quantity::Metric(Metric::Accuracy),
        other => Quantity::Named(Cow::Owned(other.to_string())),
    };
    Key::new(quantity, split)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::Optimizer;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dlcourse-checkpoint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    /// Named weights and an optimiser over them.
    type Setup = (Vec<(String, Var)>, Box<dyn ParamUpdate>);

    /// Two weights and an Adam optimiser that has taken one step.
    fn setup() -> Result<Setup> {
        let a = Var::new(&[[1f32, -2.0], [0.5, 3.0]], &Device::Cpu)?;
        let b = Var::new(&[0.25f32], &Device::Cpu)?;
        let mut adam = Optimizer::adam(0.01).build(vec![a.clone(), b.clone()])?;
        let loss = (a.as_tensor().sqr()?.sum_all()? + b.as_tensor().sum_all()?)?;
        adam.step(&loss.backward()?)?;
        Ok((vec![("a".into(), a), ("b".into(), b)], adam))
    }

    #[test]
    fn a_checkpoint_round_trip_restores_weights_state_and_history() -> Result<()> {
        let (weights, adam) = setup()?;
        let mut history = History::new();
        for (loss, kl) in [(300.0, 2.5), (280.0, 4.0)] {
            history.push(Key::LOSS, loss);
            history.push(Key::named("kl_loss"), kl);
            history.push(Key::VAL_ACCURACY, 0.5);
            history.push_seconds(1.5);
        }
        let path = temp("round-trip.safetensors");
        let checkpoint = Checkpoint::new(&path, "test run");
        checkpoint.save(&weights, adam.as_ref(), &history)?;

        let (fresh, mut fresh_adam) = setup()?;
        for (_, var) in &fresh {
            var.set(&var.as_tensor().zeros_like()?)?;
        }
        let restored = checkpoint.restore(&fresh, fresh_adam.as_mut())?;
        assert_eq!(restored.as_ref(), Some(&history));
        for ((_, saved), (_, loaded)) in weights.iter().zip(&fresh) {
            let (s, l) = (
                saved.as_tensor().flatten_all()?,
                loaded.as_tensor().flatten_all()?,
            );
            assert_eq!(s.to_vec1::<f32>()?, l.to_vec1::<f32>()?);
        }
        let (saved_state, loaded_state) = (adam.state()?, fresh_adam.state()?);
        assert_eq!(saved_state.len(), loaded_state.len());
        for (s, l) in saved_state.iter().zip(&loaded_state) {
            let (s, l) = (s.flatten_all()?, l.flatten_all()?);
            assert_eq!(
                s.to_dtype(DType::F64)?.to_vec1::<f64>()?,
                l.to_dtype(DType::F64)?.to_vec1::<f64>()?
            );
        }
        std::fs::remove_file(&path).ok();
        Ok(())
    }

    #[test]
    fn no_file_is_a_new_run_and_another_run_is_refused() -> Result<()> {
        let (weights, mut adam) = setup()?;
        let path = temp("other-run.safetensors");
        std::fs::remove_file(&path).ok();
        let checkpoint = Checkpoint::new(&path, "3,000 images");
        assert!(checkpoint.restore(&weights, adam.as_mut())?.is_none());
        checkpoint.save(&weights, adam.as_ref(), &History::new())?;
        let other = Checkpoint::new(&path, "70,000 images");
        let err = other
            .restore(&weights, adam.as_mut())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"70,000 images\", found \"3,000 images\""),
            "{err}"
        );
        std::fs::write(&path, b"not a checkpoint").unwrap();
        let err = checkpoint
            .restore(&weights, adam.as_mut())
            .unwrap_err()
            .to_string();
        assert!(err.contains("delete the file"), "{err}");
        std::fs::remove_file(&path).ok();
        Ok(())
    }

    #[test]
    fn two_optimisers_get_their_own_state_back() -> Result<()> {
        let (weights, first) = setup()?;
        let (_, mut second) = setup()?;
        // A second step makes the second optimiser's state differ from the first's.
        let (a, b) = (&weights[0].1, &weights[1].1);
        let loss = (a.as_tensor().sum_all()? * 3.0)?.add(&b.as_tensor().sqr()?.sum_all()?)?;
        second.step(&loss.backward()?)?;
        let path = temp("two-optimisers.safetensors");
        let checkpoint = Checkpoint::new(&path, "two optimisers");
        checkpoint.save_with_optimizers(
            &weights,
            &[first.as_ref(), second.as_ref()],
            &History::new(),
        )?;
        let (_, mut fresh_first) = setup()?;
        let (_, mut fresh_second) = setup()?;
        checkpoint.restore_with_optimizers(
            &weights,
            &mut [fresh_first.as_mut(), fresh_second.as_mut()],
        )?;
        let step = |o: &dyn ParamUpdate| -> Result<f64> { Ok(o.state()?[0].to_scalar::<f64>()?) };
        assert_eq!(
            (step(fresh_first.as_ref())?, step(fresh_second.as_ref())?),
            (1.0, 2.0)
        );
        // The first optimiser alone reads the same file as a one-optimiser checkpoint.
        let (_, mut alone) = setup()?;
        checkpoint.restore(&weights, alone.as_mut())?;
        assert_eq!(step(alone.as_ref())?, 1.0);
        std::fs::remove_file(&path).ok();
        Ok(())
    }

    #[test]
    fn history_keys_come_back_as_the_same_keys() {
        for key in [
            Key::LOSS,
            Key::VAL_LOSS,
            Key::ACCURACY,
            Key::VAL_ACCURACY,
            Key::named("kl_loss"),
        ] {
            assert_eq!(parse_key(&key.to_string()), key);
        }
    }
}
