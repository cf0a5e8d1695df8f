//! `Model`: a built network with its parameters, ready to train and predict.

use crate::error::{Error, Result};
use crate::keras::training::Compiled;
use crate::nn::Activation;
use candle_core::{DType, Device, ModuleT, Tensor};
use candle_nn::VarMap;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::Path;

/// One built layer of a model.
pub(crate) struct Layer {
    pub name: String,
    pub kind: &'static str,
    pub output_shape: Vec<usize>,
    pub params: usize,
    pub module: Box<dyn ModuleT + Send + Sync>,
    /// Whether `compile` hands this layer's parameters to the optimiser (see `freeze.rs`).
    pub trainable: bool,
}

/// A built model (Keras' `Model`). It is a Candle module: `forward_t` works as for any
/// candle-nn layer, and its parameters are in an ordinary `VarMap`.
pub struct Model {
    pub(crate) layers: Vec<Layer>,
    pub(crate) input_shape: Vec<usize>,
    pub(crate) input_dtype: DType,
    pub(crate) output_activation: Activation,
    pub(crate) vars: VarMap,
    pub(crate) device: Device,
    pub(crate) rng: StdRng,
    pub(crate) compiled: Option<Compiled>,
    /// The weights layers asked to penalise ([`Dense::l2`](crate::nn::Dense::l2)).
    pub(crate) l2: crate::train::L2Penalty,
}

impl Model {
    pub(crate) fn new(
        layers: Vec<Layer>,
        input_shape: Vec<usize>,
        input_dtype: DType,
        output_activation: Activation,
        vars: VarMap,
        device: Device,
        seed: u64,
    ) -> Self {
        Model {
            layers,
            input_shape,
            input_dtype,
            output_activation,
            vars,
            device,
            rng: StdRng::seed_from_u64(seed ^ 0x5eed_5eed),
            compiled: None,
            l2: crate::train::L2Penalty::new(),
        }
    }

    /// The device the parameters live on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The parameters, as a candle-nn `VarMap` (for a custom loop or optimiser).
    pub fn vars(&self) -> &VarMap {
        &self.vars
    }

    /// The activation of the last layer (softmax, sigmoid, ...), applied after the logits.
    pub fn output_activation(&self) -> Activation {
        self.output_activation
    }

    /// Shape of one input sample.
    pub fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }

    /// The outputs before the final activation, in training (`train = true`: dropout on)
    /// or inference mode.
    pub fn logits(&self, xs: &Tensor, train: bool) -> Result<Tensor> {
        let mut xs = self.check_input(xs)?;
        let frozen = self.frozen_prefix();
        for (i, layer) in self.layers.iter().enumerate() {
            xs = layer.module.forward_t(&xs, train)?;
            if i + 1 == frozen {
                // Nothing below needs a gradient: backward stops here.
                xs = xs.detach();
            }
        }
        Ok(xs)
    }

    /// The output of layer `index` (0 = the first layer) for inputs `xs`, in inference
    /// mode: what the layers up to and including that one make of the inputs, after the
    /// layer's activation (Keras: a `Model` from `model.input` to
    /// `model.layers[index].output`). For a convolution these are its **feature maps**,
    /// `[N, filters, H, W]`; for the last layer, the same as [`predict`](Model::predict).
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// # fn main() -> dlcourse::Result<()> {
    /// let model = Sequential::new(&[1, 28, 28])
    ///     .add(Conv2d::new(8, 3).activation(Activation::Relu))
    ///     .add(MaxPool2d(2))
    ///     .add(Flatten)
    ///     .add(Dense::new(10).activation(Activation::Softmax))
    ///     .build(&Device::Cpu, 0)?;
    /// let digit = Tensor::zeros((1, 1, 28, 28), DType::F32, &Device::Cpu)?;
    /// assert_eq!(model.layer_output(&digit, 0)?.dims(), &[1, 8, 26, 26]);
    /// assert_eq!(model.layer_output(&digit, 1)?.dims(), &[1, 8, 13, 13]);
    /// # Ok(()) }
    /// ```
    pub fn layer_output(&self, xs: &Tensor, index: usize) -> Result<Tensor> {
        if index >= self.layers.len() {
            let names: Vec<String> = self
                .layers
                .iter()
                .enumerate()
                .map(|(i, l)| format!("{i}: {}", l.name))
                .collect();
            return Err(Error::shape(
                "taking the output of a layer",
                format!(
                    "a layer index below {} (the model's layers are {})",
                    self.layers.len(),
                    names.join(", ")
                ),
                format!("index {index}"),
                "count layers from 0, as in summary()",
            ));
        }
        let mut xs = self.check_input(xs)?;
        for layer in &self.layers[..=index] {
            xs = layer.module.forward_t(&xs, false)?;
        }
        if index + 1 == self.layers.len() {
            xs = self.output_activation.apply(&xs)?;
        }
        Ok(xs)
    }

    /// Checks that `xs` is a batch of samples of the model's input shape, and converts it
    /// to the first layer's dtype (f32, or u32 token ids) on the model's device.
    pub(crate) fn check_input(&self, xs: &Tensor) -> Result<Tensor> {
        let dims = xs.dims();
        if dims.len() != self.input_shape.len() + 1 || dims[1..] != self.input_shape[..] {
            let mut expected = vec!["N".to_string()];
            expected.extend(self.input_shape.iter().map(|d| d.to_string()));
            return Err(Error::shape(
                "feeding the model",
                format!(
                    "inputs of shape [{}] (a batch of samples)",
                    expected.join(", ")
                ),
                format!("{dims:?}"),
                "reshape the inputs, e.g. x.reshape((n, ..))? — a single sample needs a \
                 batch dimension too: x.unsqueeze(0)?",
            ));
        }
        let xs = if xs.dtype() == self.input_dtype {
            xs.clone()
        } else {
            xs.to_dtype(self.input_dtype)?
        };
        Ok(xs.to_device(&self.device)?)
    }

    /// Saves the parameters as a safetensors file, atomically: they are written to a
    /// hidden file in the same folder, flushed to disk, then renamed over `path`, so an
    /// interrupted save never leaves a half-written file where a good one was. The folder
    /// must exist.
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// # fn main() -> dlcourse::Result<()> {
    /// let model = Sequential::new(&[2]).add(Dense::new(1)).build(&Device::Cpu, 0)?;
    /// let err = model.save_weights("/no/such/folder/model.safetensors").unwrap_err();
    /// assert!(err.to_string().contains("does not exist"));
    /// # Ok(()) }
    /// ```
    pub fn save_weights(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "saving weights to {}: the folder {} does not exist — create it first \
                 (std::fs::create_dir_all) or save into an existing folder",
                path.display(),
                dir.display()
            )));
        }
        let part = crate::data::temp_file::TempFile::new(path)?;
        self.vars.save(&part.path).map_err(|err| {
            Error::Usage(format!(
                "saving weights to {}: {err} — check that the folder is writable and the \
                 disk not full (the previous file, if any, is untouched)",
                path.display()
            ))
        })?;
        std::fs::File::open(&part.path)
            .and_then(|file| file.sync_all())
            .map_err(|e| Error::io("writing", &part.path, e))?;
        part.persist(path)
    }

    /// Loads parameters saved by [`Model::save_weights`] from a model of the same shape.
    /// The whole file is read and checked before any weight changes: a file that is not
    /// safetensors, or holds the weights of another architecture (a parameter missing,
    /// extra, or of another shape), gives an error naming the parameters and leaves the
    /// model as it was.
    pub fn load_weights(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let fix = "load a file written by save_weights of a model built with the same layers \
                   (same kinds, units, filters and input shape)";
        if !path.is_file() {
            return Err(Error::data(
                path,
                "expected a weights file, found no such file",
                "check the path, or save the weights first with model.save_weights(path)",
            ));
        }
        let saved = candle_core::safetensors::load(path, &Device::Cpu).map_err(|e| {
            Error::data(
                path,
                format!("expected a safetensors file (from save_weights), could not read it: {e}"),
                fix,
            )
        })?;
        let data = self
            .vars
            .data()
            .lock()
            .expect("the var map is never poisoned");
        let mut problems = Vec::new();
        let mut names: Vec<&String> = data.keys().collect();
        names.sort();
        for name in &names {
            let dims = data[*name].dims();
            match saved.get(*name) {
                None => problems.push(format!("`{name}` is missing")),
                Some(t) if t.dims() != dims => problems.push(format!(
                    "`{name}` has shape {:?} in the file, {dims:?} in the model",
                    t.dims()
                )),
                Some(_) => {}
            }
        }
        let mut extra: Vec<&String> = saved.keys().filter(|k| !data.contains_key(*k)).collect();
        extra.sort();
        problems.extend(extra.iter().map(|k| format!("`{k}` is not in the model")));
        if !problems.is_empty() {
            let shown = problems.len().min(5);
            return Err(Error::data(
                path,
                format!(
                    "expected the {} parameters of this model, found weights of another \
                     architecture: {}{}",
                    names.len(),
                    problems[..shown].join("; "),
                    match problems.len() - shown {
                        0 => String::new(),
                        more => format!("; and {more} more"),
                    }
                ),
                fix,
            ));
        }
        for name in names {
            let var = &data[name];
            let value = saved[name].to_dtype(var.dtype())?.to_device(var.device())?;
            var.set(&value)?;
        }
        Ok(())
    }

    /// Reads a parameter by its name (`"dense.weight"`, `"dense_1.bias"`, ...).
    pub fn weight(&self, name: &str) -> Result<Tensor> {
        let data = self
            .vars
            .data()
            .lock()
            .expect("the var map is never poisoned");
        match data.get(name) {
            Some(var) => Ok(var.as_tensor().clone()),
            None => {
                let mut names: Vec<_> = data.keys().cloned().collect();
                names.sort();
                Err(Error::Usage(format!(
                    "the model has no parameter `{name}`; it has: {}",
                    names.join(", ")
                )))
            }
        }
    }
}

impl ModuleT for Model {
    fn forward_t(&self, xs: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let logits = self.logits(xs, train).map_err(candle_core::Error::wrap)?;
        self.output_activation.apply(&logits)
    }
}
