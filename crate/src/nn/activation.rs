//! Activation functions, usable inside a layer (`Dense::new(64).activation(..)`) or as a
//! layer of their own.

use crate::error::Result;
use crate::nn::{BuildContext, BuiltLayer, LayerSpec};
use candle_core::{Module, Tensor};

/// The activation functions of the course.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Activation {
    /// No activation: the layer is linear.
    #[default]
    Linear,
    /// max(0, x).
    Relu,
    /// 1 / (1 + e^-x).
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// Softmax over the last dimension: turns scores into probabilities that sum to 1.
    Softmax,
    /// x for x > 0, `alpha`·x otherwise.
    LeakyRelu(f64),
    /// x for x > 0, `alpha`·(e^x − 1) otherwise.
    Elu(f64),
}

impl Activation {
    /// Applies the activation to `xs`.
    pub fn apply(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        match *self {
            Activation::Linear => Ok(xs.clone()),
            Activation::Relu => xs.relu(),
            Activation::Sigmoid => candle_nn::ops::sigmoid(xs),
            Activation::Tanh => xs.tanh(),
            // candle-nn's faster softmax_last_dim has no backward pass: gradients would
            // silently stop here.
            Activation::Softmax => candle_nn::ops::softmax(xs, candle_core::D::Minus1),
            // One pass each way on the CPU (candle-nn's takes ~20 passes backward).
            Activation::LeakyRelu(alpha) => crate::kernels::leaky_relu(xs, alpha as f32),
            Activation::Elu(alpha) => xs.elu(alpha),
        }
    }

    /// The negative slope under which the fast convolution kernels apply this activation
    /// themselves: `Some(0.0)` for ReLU, `Some(α)` for LeakyReLU(α) with a finite α ≥ 0,
    /// `None` for every other activation (applied after the kernel).
    pub(crate) fn fused_slope(self) -> Option<f32> {
        match self {
            Activation::Relu => Some(0.0),
            Activation::LeakyRelu(alpha) if alpha.is_finite() && alpha >= 0.0 => Some(alpha as f32),
            _ => None,
        }
    }

    /// The activation and its derivative at each of `xs`, the derivative computed by
    /// automatic differentiation (what training uses), for plotting.
    ///
    /// ```
    /// use dlcourse::nn::Activation;
    /// let (y, slope) = Activation::Relu.values_and_slopes(&[-1.0, 2.0])?;
    /// assert_eq!((y, slope), (vec![0.0, 2.0], vec![0.0, 1.0]));
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn values_and_slopes(&self, xs: &[f32]) -> crate::Result<(Vec<f32>, Vec<f32>)> {
        let x = candle_core::Var::new(xs, &candle_core::Device::Cpu)?;
        let y = self.apply(x.as_tensor())?;
        let grads = y.sum_all()?.backward()?;
        let slopes = match grads.get(&x) {
            Some(g) => g.to_vec1()?,
            None => vec![0.0; xs.len()],
        };
        Ok((y.to_vec1()?, slopes))
    }

    /// The lower-case name Keras uses (`"relu"`, `"softmax"`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Softmax => "softmax",
            Activation::LeakyRelu(_) => "leaky_relu",
            Activation::Elu(_) => "elu",
        }
    }
}

impl Module for Activation {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        self.apply(xs)
    }
}

/// The activation layer built by [`Activation`] as a [`LayerSpec`]; its activation can be
/// taken out when it is the model's last layer.
struct ActivationLayer(Activation);

impl Module for ActivationLayer {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        self.0.apply(xs)
    }
}

impl LayerSpec for Activation {
    fn kind(&self) -> &'static str {
        "Activation"
    }

    fn build(&self, input_shape: &[usize], _ctx: BuildContext) -> Result<BuiltLayer> {
        Ok(BuiltLayer {
            module: Box::new(ActivationLayer(*self)),
            output_shape: input_shape.to_vec(),
        })
    }

    fn take_output_activation(&mut self) -> Option<Activation> {
        Some(std::mem::take(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn activations_match_their_definitions() -> Result<()> {
        let xs = Tensor::new(&[-2f32, 0., 3.], &Device::Cpu)?;
        let relu: Vec<f32> = Activation::Relu.apply(&xs)?.to_vec1()?;
        assert_eq!(relu, [0., 0., 3.]);
        let leaky: Vec<f32> = Activation::LeakyRelu(0.1).apply(&xs)?.to_vec1()?;
        assert!((leaky[0] + 0.2).abs() < 1e-6);
        let soft: Vec<f32> = Activation::Softmax.apply(&xs)?.to_vec1()?;
        assert!((soft.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        Ok(())
    }

    #[test]
    fn gradients_flow_through_softmax() -> Result<()> {
        // −log softmax(z)[0] has gradient p − y with respect to z.
        let z = candle_core::Var::new(&[[1f32, 2., 3.]], &Device::Cpu)?;
        let p = Activation::Softmax.apply(z.as_tensor())?;
        let loss = p.narrow(1, 0, 1)?.log()?.neg()?.sum_all()?;
        let grads = loss.backward()?;
        let grad: Vec<f32> = grads
            .get(&z)
            .expect("z gets a gradient")
            .flatten_all()?
            .to_vec1()?;
        let p: Vec<f32> = p.flatten_all()?.to_vec1()?;
        for (i, (g, p)) in grad.iter().zip(&p).enumerate() {
            let expected = p - if i == 0 { 1.0 } else { 0.0 };
            assert!(
                (g - expected).abs() < 1e-5,
                "component {i}: {g} vs {expected}"
            );
        }
        Ok(())
    }
}
