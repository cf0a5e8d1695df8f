//! Freezing layers for transfer learning (Keras: `layer.trainable = False`), and copying
//! the weights of a trained model's first layers into a new one.
//!
//! A frozen layer still runs forward (its dropout too, as in Keras), but the optimiser
//! does not update it: `compile` builds the optimiser over the trainable layers only, so
//! freeze or unfreeze *before* `compile` (as Keras asks; `fit` refuses to run with an
//! optimiser compiled for other layers). When the first layers are all frozen, training
//! does not even compute their gradients.
//!
//! ```
//! use dlcourse::prelude::*;
//! # fn main() -> dlcourse::Result<()> {
//! let mut model = Sequential::new(&[4])
//!     .add(Dense::new(8).activation(Activation::Relu))
//!     .add(Dense::new(2).activation(Activation::Softmax))
//!     .build(&Device::Cpu, 0)?;
//! model.freeze_until(1)?; // the first layer keeps its weights
//! assert_eq!(model.summary().trainable_params(), 18);
//! assert_eq!(model.summary().non_trainable_params(), 40);
//! # Ok(()) }
//! ```

use crate::error::{Error, Result};
use crate::keras::Model;
use candle_core::Var;

impl Model {
    /// Freezes the first `index` layers and makes every later one trainable (Keras:
    /// `for layer in model.layers[:index]: layer.trainable = False`). `freeze_until(0)`
    /// unfreezes everything. Compile afterwards.
    pub fn freeze_until(&mut self, index: usize) -> Result<()> {
        self.check_layer_index(index, self.layers.len(), "freezing the first layers")?;
        for (i, layer) in self.layers.iter_mut().enumerate() {
            layer.trainable = i >= index;
        }
        Ok(())
    }

    /// Freezes (`false`) or unfreezes (`true`) layer `index` (0 = the first, as in
    /// `summary()`). Compile afterwards.
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// # fn main() -> dlcourse::Result<()> {
    /// let mut model = Sequential::new(&[2]).add(Dense::new(3)).add(Dense::new(1)).build(&Device::Cpu, 0)?;
    /// model.set_trainable(1, false)?;
    /// assert_eq!(model.trainable_layers(), [true, false]);
    /// assert!(model.set_trainable(2, false).is_err());
    /// # Ok(()) }
    /// ```
    pub fn set_trainable(&mut self, index: usize, trainable: bool) -> Result<()> {
        self.check_layer_index(index, self.layers.len() - 1, "setting `trainable`")?;
        self.layers[index].trainable = trainable;
        Ok(())
    }

    /// Whether each layer is trainable, in order.
    pub fn trainable_layers(&self) -> Vec<bool> {
        self.layers.iter().map(|l| l.trainable).collect()
    }

    /// Copies the weights of the first `layers` layers of `source` into this model's
    /// first `layers` layers, which must be the same kinds of layers with parameters of
    /// the same shapes (e.g. the convolutional base of a trained model into a new model
    /// with another head). The later layers keep their own (fresh) weights.
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// # fn main() -> dlcourse::Result<()> {
    /// let stack = || Sequential::new(&[2]).add(Dense::new(3)).add(Dense::new(1));
    /// let trained = stack().build(&Device::Cpu, 1)?;
    /// let mut fresh = stack().build(&Device::Cpu, 2)?;
    /// fresh.copy_weights_from(&trained, 1)?;
    /// let same = |name| -> dlcourse::Result<bool> {
    ///     Ok(fresh.weight(name)?.to_vec2::<f32>()? == trained.weight(name)?.to_vec2::<f32>()?)
    /// };
    /// assert!(same("dense.weight")? && !same("dense_1.weight")?);
    /// # Ok(()) }
    /// ```
    pub fn copy_weights_from(&mut self, source: &Model, layers: usize) -> Result<()> {
        let most = self.layers.len().min(source.layers.len());
        self.check_layer_index(layers, most, "copying the weights of the first layers")?;
        let theirs = source
            .vars
            .data()
            .lock()
            .expect("the var map is never poisoned");
        let ours = self
            .vars
            .data()
            .lock()
            .expect("the var map is never poisoned");
        // Every layer and shape is checked before anything is copied, in name order, so a
        // mismatch leaves this model as it was and always names the same parameter.
        let mut copies = Vec::new();
        for (mine, other) in self.layers.iter().zip(&source.layers).take(layers) {
            if mine.name != other.name || mine.kind != other.kind {
                return Err(Error::shape(
                    "copying weights between models",
                    format!("layer `{}` ({}) in both models", mine.name, mine.kind),
                    format!("`{}` ({}) in the source", other.name, other.kind),
                    "copy only the layers the two models share, from the first one on",
                ));
            }
            let prefix = format!("{}.", mine.name);
            let mut names: Vec<&String> = ours.keys().filter(|n| n.starts_with(&prefix)).collect();
            names.sort();
            for name in names {
                let var = &ours[name];
                match theirs.get(name) {
                    Some(src) if src.dims() == var.dims() => copies.push((var, src)),
                    found => {
                        return Err(Error::shape(
                            format!("copying `{name}` between models"),
                            format!("a parameter of shape {:?}", var.dims()),
                            match found {
                                Some(src) => format!("shape {:?} in the source", src.dims()),
                                None => "no such parameter in the source".to_owned(),
                            },
                            "build both models with the same first layers (same filters, \
                             units and input shape)",
                        ));
                    }
                }
            }
        }
        for (var, src) in copies {
            var.set(src.as_tensor())?;
        }
        Ok(())
    }

    /// The parameters of the trainable layers, in name order: what `compile` gives the
    /// optimiser.
    pub(crate) fn trainable_vars(&self) -> Vec<Var> {
        let prefixes: Vec<String> = self
            .layers
            .iter()
            .filter(|l| l.trainable)
            .map(|l| format!("{}.", l.name))
            .collect();
        let data = self
            .vars
            .data()
            .lock()
            .expect("the var map is never poisoned");
        let mut named: Vec<_> = data
            .iter()
            .filter(|(name, _)| prefixes.iter().any(|p| name.starts_with(p)))
            .collect();
        named.sort_by(|a, b| a.0.cmp(b.0));
        named.into_iter().map(|(_, v)| v.clone()).collect()
    }

    /// How many layers at the bottom are all frozen: their output needs no gradient.
    pub(crate) fn frozen_prefix(&self) -> usize {
        self.layers.iter().take_while(|l| !l.trainable).count()
    }

    /// An error when the layers were frozen or unfrozen after `compile` (the optimiser
    /// would update the wrong ones), or when nothing is left to train.
    pub(crate) fn check_trainable(&self, compiled_for: &[bool]) -> Result<()> {
        if compiled_for != self.trainable_layers() {
            return Err(Error::Usage(
                "layers were frozen or unfrozen after compile — call model.compile(...) \
                 again, so that the optimiser updates exactly the trainable layers (Keras \
                 asks the same)"
                    .into(),
            ));
        }
        if self.trainable_vars().is_empty() {
            return Err(Error::Usage(
                "every layer with weights is frozen, so fit has nothing to train — unfreeze \
                 the head with model.set_trainable(index, true) or freeze_until(index)"
                    .into(),
            ));
        }
        Ok(())
    }

    fn check_layer_index(&self, index: usize, most: usize, context: &str) -> Result<()> {
        if index > most {
            return Err(Error::shape(
                context.to_owned(),
                format!("a layer index of at most {most} (counted from 0, as in summary())"),
                format!("{index}"),
                format!("the model has {} layers", self.layers.len()),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    fn model() -> Result<Model> {
        Sequential::new(&[3])
            .add(Dense::new(4).activation(Activation::Relu))
            .add(Dense::new(2).activation(Activation::Softmax))
            .build(&Device::Cpu, 7)
    }

    fn values(model: &Model, name: &str) -> Result<Vec<f32>> {
        Ok(model.weight(name)?.flatten_all()?.to_vec1()?)
    }

    #[test]
    fn frozen_weights_stay_and_the_others_train() -> Result<()> {
        let x = Tensor::randn(0f32, 1.0, (64, 3), &Device::Cpu)?;
        let y = x.sum(1)?.gt(0.0)?.to_dtype(DType::U32)?;
        let mut model = model()?;
        model.freeze_until(1)?;
        model.compile(
            Optimizer::adam(0.05),
            Loss::SparseCategoricalCrossEntropy,
            &[],
        )?;
        let before = [
            values(&model, "dense.weight")?,
            values(&model, "dense.bias")?,
        ];
        let head = values(&model, "dense_1.weight")?;
        model.fit(&x, &y, Fit::epochs(3).batch_size(16).quiet())?;
        assert_eq!(values(&model, "dense.weight")?, before[0]);
        assert_eq!(values(&model, "dense.bias")?, before[1]);
        assert_ne!(values(&model, "dense_1.weight")?, head);

        // Unfrozen and compiled again, the first layer trains too.
        model.freeze_until(0)?;
        model.compile(
            Optimizer::adam(0.05),
            Loss::SparseCategoricalCrossEntropy,
            &[],
        )?;
        model.fit(&x, &y, Fit::epochs(1).batch_size(16).quiet())?;
        assert_ne!(values(&model, "dense.weight")?, before[0]);
        Ok(())
    }

    #[test]
    fn fit_refuses_an_optimiser_compiled_for_other_layers() -> Result<()> {
        let x = Tensor::zeros((4, 3), DType::F32, &Device::Cpu)?;
        let y = Tensor::zeros(4, DType::U32, &Device::Cpu)?;
        let mut model = model()?;
        model.compile(
            Optimizer::adam(0.01),
            Loss::SparseCategoricalCrossEntropy,
            &[],
        )?;
        model.freeze_until(1)?;
        let err = model.fit(&x, &y, Fit::epochs(1).quiet()).unwrap_err();
        assert!(err.to_string().contains("compile"), "{err}");
        model.freeze_until(2)?;
        model.compile(
            Optimizer::adam(0.01),
            Loss::SparseCategoricalCrossEntropy,
            &[],
        )?;
        let err = model.fit(&x, &y, Fit::epochs(1).quiet()).unwrap_err();
        assert!(err.to_string().contains("nothing to train"), "{err}");
        assert!(model.freeze_until(3).is_err());
        Ok(())
    }

    #[test]
    fn summary_counts_frozen_parameters_as_non_trainable() -> Result<()> {
        let mut model = model()?;
        model.set_trainable(0, false)?;
        let summary = model.summary();
        assert_eq!(summary.non_trainable_params(), 16);
        assert_eq!(summary.trainable_params(), 10);
        assert!(summary.to_string().contains("Non-trainable params: 16"));
        Ok(())
    }

    #[test]
    fn copying_weights_checks_the_layers_match() -> Result<()> {
        let mut wide = Sequential::new(&[3])
            .add(Dense::new(5))
            .build(&Device::Cpu, 0)?;
        let before = wide.weight("dense.bias")?.to_vec1::<f32>()?;
        let err = wide.copy_weights_from(&model()?, 1).unwrap_err();
        // `dense.bias` sorts first: the same parameter is named on every run.
        assert!(err.to_string().contains("dense.bias"), "{err}");
        assert_eq!(wide.weight("dense.bias")?.to_vec1::<f32>()?, before);
        assert!(wide.copy_weights_from(&model()?, 2).is_err());
        Ok(())
    }
}
