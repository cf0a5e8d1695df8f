//! `Dense`: the fully connected layer, y = activation(x·Wᵀ + b), with weights laid out
//! as in candle-nn's `Linear` (`[units, inputs]`), computed by
//! [`crate::kernels::linear_bias`] (bias, and ReLU or LeakyReLU, fused into the op).

use crate::error::{Error, Result};
use crate::nn::glorot_uniform;
use crate::nn::{Activation, BuildContext, BuiltLayer, LayerSpec};
use candle_core::{Module, Tensor};
use candle_nn::{Init, VarBuilder};

/// A fully connected layer of `units` neurons.
///
/// Weights start Glorot-uniform and biases at zero, as in Keras, so the course's
/// hyperparameters carry over.
///
/// ```
/// use dlcourse::nn::{Activation, Dense};
/// let hidden = Dense::new(512).activation(Activation::Relu);
/// ```
#[derive(Debug, Clone)]
pub struct Dense {
    units: usize,
    activation: Activation,
    l2: f64,
}

impl Dense {
    /// A linear layer of `units` neurons (add an activation with [`Dense::activation`]).
    pub fn new(units: usize) -> Self {
        Dense {
            units,
            activation: Activation::Linear,
            l2: 0.0,
        }
    }

    /// Applies `activation` to the layer's output.
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// Penalises the weights (not the biases) with `factor` · Σ w², added to the loss
    /// (Keras: `Dense(n, kernel_regularizer=regularizers.l2(factor))`): "weight decay",
    /// a pull of every weight towards 0 at each step. Typical factors are 1e-5 to 1e-3.
    /// As in Keras, the loss that `fit` and `evaluate` report includes the penalty.
    ///
    /// ```
    /// use dlcourse::nn::{Activation, Dense};
    /// let hidden = Dense::new(512).activation(Activation::Relu).l2(1e-4);
    /// ```
    pub fn l2(mut self, factor: f64) -> Self {
        self.l2 = factor;
        self
    }
}

/// The settings of [`dense`]: what to apply to the layer's output (linear by default).
///
/// ```
/// use dlcourse::nn::{Activation, DenseConfig};
/// let config = DenseConfig { activation: Activation::Relu };
/// assert_eq!(DenseConfig::default().activation, Activation::Linear);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DenseConfig {
    /// Applied to x·Wᵀ + b.
    pub activation: Activation,
}

/// A fully connected layer, y = activation(x·Wᵀ + b), built by [`dense`]: weights
/// `[units, inputs]` and biases `[units]` as in candle-nn's `Linear`, computed by
/// [`crate::kernels::linear_bias`] (ReLU and LeakyReLU fused into the op, other
/// activations applied after it). Inputs are `[batch, inputs]`.
#[derive(Debug, Clone)]
pub struct DenseModule {
    weight: Tensor,
    bias: Tensor,
    activation: Activation,
}

impl DenseModule {
    /// The weights, `[units, inputs]`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The biases, `[units]`.
    pub fn bias(&self) -> &Tensor {
        &self.bias
    }
}

impl Module for DenseModule {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        let (w, b) = (&self.weight, &self.bias);
        match self.activation.fused_slope() {
            Some(slope) => crate::kernels::linear_bias(xs, w, b, Some(slope)),
            None => self
                .activation
                .apply(&crate::kernels::linear_bias(xs, w, b, None)?),
        }
    }
}

/// A fully connected layer from `inputs` to `units` over `vb` (candle-nn:
/// `linear(inputs, units, vb)`), on the crate's fast kernel. Creates `weight`
/// (`[units, inputs]`, Glorot-uniform as in Keras) and `bias` (`[units]`, zeros), or reuses
/// them if `vb` already holds them — the names [`Dense`] uses inside a `Sequential`, so
/// either can load the other's weights.
///
/// ```
/// use candle_core::{DType, Device, Module, Tensor};
/// use candle_nn::{VarBuilder, VarMap};
/// use dlcourse::nn::{Activation, DenseConfig, dense};
/// # fn main() -> dlcourse::Result<()> {
/// let vars = VarMap::new();
/// let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
/// let config = DenseConfig { activation: Activation::Relu };
/// let hidden = dense(784, 128, config, vb.pp("hidden"))?;
/// let ys = hidden.forward(&Tensor::zeros((2, 784), DType::F32, &Device::Cpu)?)?;
/// assert_eq!(ys.dims(), &[2, 128]);
/// # Ok(()) }
/// ```
pub fn dense(
    inputs: usize,
    units: usize,
    config: DenseConfig,
    vb: VarBuilder,
) -> Result<DenseModule> {
    if units == 0 || inputs == 0 {
        return Err(Error::shape(
            "building a Dense layer",
            "at least one input and one unit",
            format!("{inputs} inputs, {units} units"),
            "give the layer a positive number of units, after a layer with outputs",
        ));
    }
    let weight = vb.get_with_hints((units, inputs), "weight", glorot_uniform(inputs, units))?;
    let bias = vb.get_with_hints(units, "bias", Init::Const(0.0))?;
    Ok(DenseModule {
        weight,
        bias,
        activation: config.activation,
    })
}

impl LayerSpec for Dense {
    fn kind(&self) -> &'static str {
        "Dense"
    }

    fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
        let [inputs] = input_shape else {
            return Err(Error::shape(
                "building a Dense layer",
                "a flat input (one dimension per sample)",
                format!("input shape {input_shape:?}"),
                "add Flatten before Dense",
            ));
        };
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(Error::Usage(format!(
                "building a Dense layer: expected an L2 factor of 0 or more, found l2({}) \
                 — use a small positive factor such as Dense::new(n).l2(1e-4)",
                self.l2
            )));
        }
        if self.units == 0 {
            return Err(Error::shape(
                "building a Dense layer",
                "at least one unit",
                "0 units",
                "give Dense::new a positive number of units",
            ));
        }
        let config = DenseConfig {
            activation: self.activation,
        };
        let module = dense(*inputs, self.units, config, ctx.vb)?;
        Ok(BuiltLayer::new(module, vec![self.units]))
    }

    fn take_output_activation(&mut self) -> Option<Activation> {
        Some(std::mem::take(&mut self.activation))
    }

    fn l2_penalties(&self) -> Vec<(&'static str, f64)> {
        if self.l2 == 0.0 {
            Vec::new()
        } else {
            vec![("weight", self.l2)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    /// The Frobenius norm of the first layer's weights after training with `l2`.
    fn trained_norm(l2: f64) -> Result<f64> {
        let x = crate::nn::seeded_normal(&[128, 8], 0.0, 1.0, 11)?
            .as_tensor()
            .clone();
        let y = x
            .narrow(1, 0, 1)?
            .squeeze(1)?
            .gt(0f64)?
            .to_dtype(DType::U32)?;
        let mut model = Sequential::new(&[8])
            .add(Dense::new(32).activation(Activation::Relu).l2(l2))
            .add(Dense::new(2).activation(Activation::Softmax).l2(l2))
            .build(&Device::Cpu, 3)?;
        model.compile(
            Optimizer::adam(0.01),
            Loss::SparseCategoricalCrossEntropy,
            &[],
        )?;
        model.fit(&x, &y, Fit::epochs(30).quiet())?;
        let w = model.weight("dense.weight")?;
        Ok(w.sqr()?.sum_all()?.sqrt()?.to_scalar::<f32>()? as f64)
    }

    #[test]
    fn l2_shrinks_the_weights_against_the_same_seed_without_it() -> Result<()> {
        let (plain, decayed) = (trained_norm(0.0)?, trained_norm(0.01)?);
        assert!(
            decayed < 0.8 * plain,
            "weight norm with L2 {decayed:.3}, without {plain:.3}"
        );
        Ok(())
    }

    #[test]
    fn the_reported_loss_includes_the_penalty() -> Result<()> {
        let x = Tensor::ones((4, 2), DType::F32, &Device::Cpu)?;
        let y = Tensor::zeros((4, 1), DType::F32, &Device::Cpu)?;
        let loss_with = |l2| -> Result<f64> {
            let mut model = Sequential::new(&[2])
                .add(Dense::new(1).l2(l2))
                .build(&Device::Cpu, 0)?;
            model.compile(Optimizer::sgd(0.1), Loss::MeanSquaredError, &[])?;
            let w = model
                .weight("dense.weight")?
                .sqr()?
                .sum_all()?
                .to_scalar::<f32>()? as f64;
            Ok(model.evaluate(&x, &y)?.loss()? - l2 * w)
        };
        assert!((loss_with(0.5)? - loss_with(0.0)?).abs() < 1e-5);
        Ok(())
    }

    #[test]
    fn a_negative_or_nan_factor_is_refused() {
        for bad in [-1e-4, f64::NAN] {
            let built = Sequential::new(&[3])
                .add(Dense::new(2).l2(bad))
                .build(&Device::Cpu, 0);
            let err = built.err().expect("a bad L2 factor must fail").to_string();
            assert!(err.contains("L2 factor of 0 or more"), "{err}");
        }
    }
}
