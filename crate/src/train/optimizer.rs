//! Optimisers: candle-nn's SGD and AdamW where they fit, and the two the course needs
//! that candle-nn lacks (SGD with momentum, RMSprop). Defaults follow Keras.

use crate::error::Result;
use candle_core::Var;
use candle_core::backprop::GradStore;
use candle_nn::Optimizer as _;

/// An optimiser and its hyperparameters (Keras: `optimizers.Adam(learning_rate=0.1)`).
///
/// ```
/// use dlcourse::train::Optimizer;
/// let adam = Optimizer::adam(0.1);
/// let sgd = Optimizer::sgd(0.01).momentum(0.9);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Optimizer {
    /// Stochastic gradient descent, optionally with momentum.
    Sgd {
        /// Step size.
        learning_rate: f64,
        /// Fraction of the previous step kept (0 = plain SGD).
        momentum: f64,
    },
    /// RMSprop: divides each step by a running root-mean-square of the gradients.
    RmsProp {
        /// Step size.
        learning_rate: f64,
        /// Decay of the running average of squared gradients.
        rho: f64,
        /// Added to the denominator for stability.
        epsilon: f64,
    },
    /// Adam: momentum plus RMSprop-style scaling, with bias correction.
    Adam {
        /// Step size.
        learning_rate: f64,
        /// Decay of the first-moment (mean) estimate.
        beta_1: f64,
        /// Decay of the second-moment (variance) estimate.
        beta_2: f64,
        /// Added to the denominator for stability.
        epsilon: f64,
    },
}

impl Optimizer {
    /// Plain SGD with `learning_rate` (add momentum with [`Optimizer::momentum`]).
    pub fn sgd(learning_rate: f64) -> Self {
        Optimizer::Sgd {
            learning_rate,
            momentum: 0.0,
        }
    }

    /// RMSprop with Keras' defaults (ρ = 0.9, ε = 1e-7).
    pub fn rmsprop(learning_rate: f64) -> Self {
        Optimizer::RmsProp {
            learning_rate,
            rho: 0.9,
            epsilon: 1e-7,
        }
    }

    /// Adam with Keras' defaults (β₁ = 0.9, β₂ = 0.999, ε = 1e-7).
    pub fn adam(learning_rate: f64) -> Self {
        Optimizer::Adam {
            learning_rate,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
        }
    }

    /// Sets the momentum of SGD (other optimisers are returned unchanged).
    pub fn momentum(self, momentum: f64) -> Self {
        match self {
            Optimizer::Sgd { learning_rate, .. } => Optimizer::Sgd {
                learning_rate,
                momentum,
            },
            other => other,
        }
    }

    /// The initial learning rate.
    pub fn learning_rate(&self) -> f64 {
        match *self {
            Optimizer::Sgd { learning_rate, .. }
            | Optimizer::RmsProp { learning_rate, .. }
            | Optimizer::Adam { learning_rate, .. } => learning_rate,
        }
    }

    /// Creates the optimiser's state for `vars`.
    pub fn build(&self, vars: Vec<Var>) -> Result<Box<dyn ParamUpdate>> {
        Ok(match *self {
            Optimizer::Sgd {
                learning_rate,
                momentum,
            } if momentum == 0.0 => Box::new(candle_nn::SGD::new(vars, learning_rate)?),
            Optimizer::Sgd {
                learning_rate,
                momentum,
            } => Box::new(Momentum::new(vars, learning_rate, momentum)?),
            Optimizer::RmsProp {
                learning_rate,
                rho,
                epsilon,
            } => Box::new(RmsProp::new(vars, learning_rate, rho, epsilon)?),
            Optimizer::Adam {
                learning_rate,
                beta_1,
                beta_2,
                epsilon,
            } => Box::new(candle_nn::AdamW::new(
                vars,
                candle_nn::ParamsAdamW {
                    lr: learning_rate,
                    beta1: beta_1,
                    beta2: beta_2,
                    eps: epsilon,
                    weight_decay: 0.0,
                },
            )?),
        })
    }
}

/// A built optimiser: applies one update from gradients; its learning rate can change
/// between steps (for schedules).
pub trait ParamUpdate: Send {
    /// Updates the variables from `grads`.
    fn step(&mut self, grads: &GradStore) -> Result<()>;
    /// The current learning rate.
    fn learning_rate(&self) -> f64;
    /// Changes the learning rate.
    fn set_learning_rate(&mut self, learning_rate: f64);
}

macro_rules! candle_optimizer {
    ($ty:ty) => {
        impl ParamUpdate for $ty {
            fn step(&mut self, grads: &GradStore) -> Result<()> {
                Ok(candle_nn::Optimizer::step(self, grads)?)
            }
            fn learning_rate(&self) -> f64 {
                candle_nn::Optimizer::learning_rate(self)
            }
            fn set_learning_rate(&mut self, learning_rate: f64) {
                candle_nn::Optimizer::set_learning_rate(self, learning_rate)
            }
        }
    };
}
candle_optimizer!(candle_nn::SGD);
candle_optimizer!(candle_nn::AdamW);

/// A variable with one slot of optimiser state of the same shape.
struct Slot {
    var: Var,
    state: Var,
}

fn slots(vars: Vec<Var>) -> Result<Vec<Slot>> {
    vars.into_iter()
        .filter(|v| v.dtype().is_float())
        .map(|var| {
            let state = Var::zeros(var.shape(), var.dtype(), var.device())?;
            Ok(Slot { var, state })
        })
        .collect()
}

/// SGD with momentum, as Keras: v ← m·v − lr·g; θ ← θ + v.
struct Momentum {
    slots: Vec<Slot>,
    learning_rate: f64,
    momentum: f64,
}

impl Momentum {
    fn new(vars: Vec<Var>, learning_rate: f64, momentum: f64) -> Result<Self> {
        Ok(Momentum {
            slots: slots(vars)?,
            learning_rate,
            momentum,
        })
    }
}

impl ParamUpdate for Momentum {
    fn step(&mut self, grads: &GradStore) -> Result<()> {
        for Slot { var, state } in &self.slots {
            if let Some(g) = grads.get(var) {
                let velocity = ((state.as_tensor() * self.momentum)? - (g * self.learning_rate)?)?;
                var.set(&(var.as_tensor() + &velocity)?)?;
                state.set(&velocity)?;
            }
        }
        Ok(())
    }
    fn learning_rate(&self) -> f64 {
        self.learning_rate
    }
    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }
}

/// RMSprop, as Keras: s ← ρ·s + (1 − ρ)·g²; θ ← θ − lr·g / (√s + ε).
struct RmsProp {
    slots: Vec<Slot>,
    learning_rate: f64,
    rho: f64,
    epsilon: f64,
}

impl RmsProp {
    fn new(vars: Vec<Var>, learning_rate: f64, rho: f64, epsilon: f64) -> Result<Self> {
        Ok(RmsProp {
            slots: slots(vars)?,
            learning_rate,
            rho,
            epsilon,
        })
    }
}

impl ParamUpdate for RmsProp {
    fn step(&mut self, grads: &GradStore) -> Result<()> {
        for Slot { var, state } in &self.slots {
            if let Some(g) = grads.get(var) {
                let mean_square =
                    ((state.as_tensor() * self.rho)? + (g.sqr()? * (1.0 - self.rho))?)?;
                let step = (g / (mean_square.sqrt()? + self.epsilon)?)?;
                var.set(&(var.as_tensor() - (step * self.learning_rate)?)?)?;
                state.set(&mean_square)?;
            }
        }
        Ok(())
    }
    fn learning_rate(&self) -> f64 {
        self.learning_rate
    }
    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor};

    /// Minimises (θ − 3)² and returns θ after `steps` steps.
    fn minimise(optimizer: Optimizer, steps: usize) -> f32 {
        let theta = Var::new(&[0f32], &Device::Cpu).unwrap();
        let mut opt = optimizer.build(vec![theta.clone()]).unwrap();
        for _ in 0..steps {
            let loss = (theta.as_tensor() - 3.0)
                .unwrap()
                .sqr()
                .unwrap()
                .sum_all()
                .unwrap();
            opt.step(&loss.backward().unwrap()).unwrap();
        }
        let t: Tensor = theta.as_tensor().clone();
        t.to_vec1::<f32>().unwrap()[0]
    }

    #[test]
    fn every_optimizer_reaches_the_minimum() {
        for opt in [
            Optimizer::sgd(0.1),
            Optimizer::sgd(0.05).momentum(0.9),
            Optimizer::rmsprop(0.01),
            Optimizer::adam(0.1),
        ] {
            let theta = minimise(opt, 500);
            assert!((theta - 3.0).abs() < 0.05, "{opt:?} ended at {theta}");
        }
    }
}
