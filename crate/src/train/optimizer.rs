//! Optimisers: candle-nn's SGD, and Keras' SGD with momentum, RMSprop and Adam (same
//! formulas and defaults as Keras). On the CPU each update is one fused in-place pass per
//! tensor ([`crate::kernels`]) instead of a new tensor per arithmetic operation; other
//! devices use the same formulas in tensor arithmetic.

use crate::error::Result;
use crate::kernels::{map_in_place, map_in_place2};
use candle_core::backprop::GradStore;
use candle_core::{Tensor, Var};
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
                momentum: 0.0,
            } => Box::new(candle_nn::SGD::new(vars, learning_rate)?),
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
            } => Box::new(Adam::new(vars, learning_rate, beta_1, beta_2, epsilon)?),
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

    /// A copy of the optimiser's state (moment estimates, step count), in a fixed order,
    /// for a checkpoint; [`ParamUpdate::set_state`] puts it back. Empty for plain SGD.
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// # fn main() -> dlcourse::Result<()> {
    /// let theta = Var::new(&[1f32, 2.0], &Device::Cpu)?;
    /// let mut adam = Optimizer::adam(0.1).build(vec![theta.clone()])?;
    /// adam.step(&theta.as_tensor().sqr()?.sum_all()?.backward()?)?;
    /// let saved = adam.state()?; // the step count, then m and v of θ
    /// let mut again = Optimizer::adam(0.1).build(vec![theta.clone()])?;
    /// again.set_state(&saved)?;
    /// assert_eq!(again.state()?[0].to_scalar::<f64>()?, 1.0);
    /// # Ok(()) }
    /// ```
    fn state(&self) -> Result<Vec<Tensor>> {
        Ok(Vec::new())
    }

    /// Puts back a state taken with [`ParamUpdate::state`] from the same optimiser built
    /// on variables of the same shapes, in the same order.
    fn set_state(&mut self, state: &[Tensor]) -> Result<()> {
        check_state_len("a stateless optimiser (plain SGD)", 0, state)
    }
}

/// An error unless `state` holds `expected` tensors.
fn check_state_len(optimiser: &str, expected: usize, state: &[Tensor]) -> Result<()> {
    if state.len() == expected {
        return Ok(());
    }
    Err(crate::Error::shape(
        format!("restoring the state of {optimiser}"),
        format!("{expected} saved tensors"),
        format!("{}", state.len()),
        "restore a state saved from the same optimiser over the same variables",
    ))
}

/// Copies `saved` into `vars`, checking each shape.
fn restore_vars<'a>(
    optimiser: &str,
    vars: impl Iterator<Item = &'a Var>,
    saved: &[Tensor],
) -> Result<()> {
    for (i, (var, tensor)) in vars.zip(saved).enumerate() {
        if var.shape() != tensor.shape() {
            return Err(crate::Error::shape(
                format!("restoring the state of {optimiser} (tensor {i})"),
                format!("shape {:?}", var.dims()),
                format!("{:?}", tensor.dims()),
                "restore a state saved from the same optimiser over the same variables",
            ));
        }
        let tensor = tensor.to_dtype(var.dtype())?.to_device(var.device())?;
        var.set(&tensor)?;
    }
    Ok(())
}

/// The state of a single-slot optimiser: one tensor per variable.
macro_rules! slot_state {
    ($name:literal) => {
        fn state(&self) -> Result<Vec<Tensor>> {
            Ok(self
                .slots
                .iter()
                .map(|slot| slot.state.as_tensor().copy())
                .collect::<candle_core::Result<_>>()?)
        }
        fn set_state(&mut self, state: &[Tensor]) -> Result<()> {
            check_state_len($name, self.slots.len(), state)?;
            restore_vars($name, self.slots.iter().map(|slot| &slot.state), state)
        }
    };
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

/// The learning-rate accessors of an optimiser that keeps it in a `learning_rate` field.
macro_rules! learning_rate_field {
    () => {
        fn learning_rate(&self) -> f64 {
            self.learning_rate
        }
        fn set_learning_rate(&mut self, learning_rate: f64) {
            self.learning_rate = learning_rate;
        }
    };
}

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
            let Some(g) = grads.get(var) else { continue };
            let (lr, momentum) = (self.learning_rate as f32, self.momentum as f32);
            if map_in_place(state, g, |v, g| momentum * v - lr * g)? {
                map_in_place(var, state, |theta, v| theta + v)?;
            } else {
                let velocity = ((state.as_tensor() * self.momentum)? - (g * self.learning_rate)?)?;
                var.set(&(var.as_tensor() + &velocity)?)?;
                state.set(&velocity)?;
            }
        }
        Ok(())
    }
    learning_rate_field!();
    slot_state!("SGD with momentum");
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
            let Some(g) = grads.get(var) else { continue };
            let (lr, rho, eps) = (
                self.learning_rate as f32,
                self.rho as f32,
                self.epsilon as f32,
            );
            if map_in_place(state, g, |s, g| rho * s + (1.0 - rho) * g * g)? {
                map_in_place2(var, g, state, |theta, g, s| {
                    theta - lr * g / (s.sqrt() + eps)
                })?;
            } else {
                let mean_square =
                    ((state.as_tensor() * self.rho)? + (g.sqr()? * (1.0 - self.rho))?)?;
                let step = (g / (mean_square.sqrt()? + self.epsilon)?)?;
                var.set(&(var.as_tensor() - (step * self.learning_rate)?)?)?;
                state.set(&mean_square)?;
            }
        }
        Ok(())
    }
    learning_rate_field!();
    slot_state!("RMSprop");
}

/// Adam, as Keras: m ← β₁·m + (1 − β₁)·g; v ← β₂·v + (1 − β₂)·g²;
/// θ ← θ − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε).
struct Adam {
    slots: Vec<(Slot, Var)>,
    learning_rate: f64,
    beta_1: f64,
    beta_2: f64,
    epsilon: f64,
    steps: i32,
}

impl Adam {
    fn new(
        vars: Vec<Var>,
        learning_rate: f64,
        beta_1: f64,
        beta_2: f64,
        epsilon: f64,
    ) -> Result<Self> {
        let slots = slots(vars)?
            .into_iter()
            .map(|slot| {
                let second = Var::zeros(slot.var.shape(), slot.var.dtype(), slot.var.device())?;
                Ok((slot, second))
            })
            .collect::<Result<_>>()?;
        Ok(Adam {
            slots,
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
            steps: 0,
        })
    }
}

impl ParamUpdate for Adam {
    fn step(&mut self, grads: &GradStore) -> Result<()> {
        self.steps += 1;
        let rate = self.learning_rate * (1.0 - self.beta_2.powi(self.steps)).sqrt()
            / (1.0 - self.beta_1.powi(self.steps));
        let (b1, b2, eps) = (self.beta_1 as f32, self.beta_2 as f32, self.epsilon as f32);
        for (Slot { var, state: m }, v) in &self.slots {
            let Some(g) = grads.get(var) else { continue };
            let lr = rate as f32;
            if map_in_place(m, g, |m, g| b1 * m + (1.0 - b1) * g)? {
                map_in_place(v, g, |v, g| b2 * v + (1.0 - b2) * g * g)?;
                map_in_place2(var, m, v, |theta, m, v| theta - lr * m / (v.sqrt() + eps))?;
            } else {
                let next_m = ((m.as_tensor() * self.beta_1)? + (g * (1.0 - self.beta_1))?)?;
                let next_v = ((v.as_tensor() * self.beta_2)? + (g.sqr()? * (1.0 - self.beta_2))?)?;
                let step = ((&next_m / (next_v.sqrt()? + self.epsilon)?)? * rate)?;
                var.set(&(var.as_tensor() - step)?)?;
                m.set(&next_m)?;
                v.set(&next_v)?;
            }
        }
        Ok(())
    }
    learning_rate_field!();

    /// The step count (an f64 scalar), then each variable's m and v.
    fn state(&self) -> Result<Vec<Tensor>> {
        let device = self
            .slots
            .first()
            .map_or(candle_core::Device::Cpu, |(s, _)| s.var.device().clone());
        let mut state = vec![Tensor::new(self.steps as f64, &device)?];
        for (Slot { state: m, .. }, v) in &self.slots {
            state.push(m.as_tensor().copy()?);
            state.push(v.as_tensor().copy()?);
        }
        Ok(state)
    }

    fn set_state(&mut self, state: &[Tensor]) -> Result<()> {
        check_state_len("Adam", 1 + 2 * self.slots.len(), state)?;
        let steps = state[0]
            .to_dtype(candle_core::DType::F64)?
            .to_scalar::<f64>()?;
        if !(steps >= 0.0 && steps.fract() == 0.0 && steps <= i32::MAX as f64) {
            return Err(crate::Error::shape(
                "restoring the state of Adam",
                "a whole, non-negative step count",
                format!("{steps}"),
                "restore a state saved from Adam",
            ));
        }
        let moments = self.slots.iter().flat_map(|(slot, v)| [&slot.state, v]);
        restore_vars("Adam", moments, &state[1..])?;
        self.steps = steps as i32;
        Ok(())
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

    /// θ after `steps` steps on Σ(θ − target)², θ starting at zero, in `dtype`.
    fn trajectory(optimizer: Optimizer, dtype: candle_core::DType, steps: usize) -> Vec<f64> {
        let target = Tensor::new(&[3f32, -1.0, 0.5, 20.0], &Device::Cpu)
            .unwrap()
            .to_dtype(dtype)
            .unwrap();
        let theta = Var::zeros(4, dtype, &Device::Cpu).unwrap();
        let mut opt = optimizer.build(vec![theta.clone()]).unwrap();
        for _ in 0..steps {
            let loss = (theta.as_tensor() - &target)
                .unwrap()
                .sqr()
                .unwrap()
                .sum_all()
                .unwrap();
            opt.step(&loss.backward().unwrap()).unwrap();
        }
        let t = theta.as_tensor().to_dtype(candle_core::DType::F64).unwrap();
        t.to_vec1::<f64>().unwrap()
    }

    #[test]
    fn the_fused_cpu_update_follows_the_tensor_formula() {
        // f32 on the CPU takes the fused in-place path, f64 the tensor arithmetic.
        for opt in [
            Optimizer::sgd(0.05).momentum(0.9),
            Optimizer::rmsprop(0.01),
            Optimizer::adam(0.1),
        ] {
            let fused = trajectory(opt, candle_core::DType::F32, 30);
            let reference = trajectory(opt, candle_core::DType::F64, 30);
            for (a, b) in fused.iter().zip(&reference) {
                assert!(
                    (a - b).abs() < 1e-4 * b.abs().max(1.0),
                    "{opt:?}: {fused:?} vs {reference:?}"
                );
            }
            assert!(
                fused.iter().any(|v| v.abs() > 0.1),
                "{opt:?} moved θ: {fused:?}"
            );
        }
    }

    #[test]
    fn adam_takes_keras_first_step() {
        // After one step m = (1−β₁)·g and v = (1−β₂)·g², so Keras moves θ by
        // lr·√(1−β₂)/(1−β₁)·m/(√v + ε) ≈ lr·sign(g) (θ − target's gradient is −2·target).
        let theta = trajectory(Optimizer::adam(0.1), candle_core::DType::F32, 1);
        for (value, target) in theta.iter().zip([3.0, -1.0, 0.5, 20.0f64]) {
            assert!((value - 0.1 * target.signum()).abs() < 1e-5, "{theta:?}");
        }
    }

    /// What happens to the optimiser halfway through [`halves`].
    #[derive(Clone, Copy)]
    enum Halfway {
        Keep,
        Restore,
        Forget,
    }

    /// θ after 5 steps on Σ(θ − target)² from θ = 0, then 5 more with the same optimiser
    /// (`Keep`), a new one given its state (`Restore`) or a new one without it (`Forget`).
    fn halves(optimizer: Optimizer, halfway: Halfway) -> Vec<f32> {
        let target = Tensor::new(&[3f32, -1.0, 0.5, 20.0], &Device::Cpu).unwrap();
        let theta = Var::zeros(4, candle_core::DType::F32, &Device::Cpu).unwrap();
        let mut opt = optimizer.build(vec![theta.clone()]).unwrap();
        let run = |opt: &mut Box<dyn ParamUpdate>| {
            for _ in 0..5 {
                let loss = (theta.as_tensor() - &target).unwrap().sqr().unwrap();
                let grads = loss.sum_all().unwrap().backward().unwrap();
                opt.step(&grads).unwrap();
            }
        };
        run(&mut opt);
        let mut fresh = optimizer.build(vec![theta.clone()]).unwrap();
        match halfway {
            Halfway::Keep => {}
            Halfway::Restore => {
                fresh.set_state(&opt.state().unwrap()).unwrap();
                opt = fresh;
            }
            Halfway::Forget => opt = fresh,
        }
        run(&mut opt);
        theta.as_tensor().to_vec1::<f32>().unwrap()
    }

    #[test]
    fn a_restored_state_continues_the_same_trajectory() {
        for opt in [
            Optimizer::sgd(0.05).momentum(0.9),
            Optimizer::rmsprop(0.01),
            Optimizer::adam(0.1),
        ] {
            let straight = halves(opt, Halfway::Keep);
            assert_eq!(straight, halves(opt, Halfway::Restore), "{opt:?}");
            // Without the state (momentum's velocity, Adam's moments and bias correction)
            // the path differs: the state is what a checkpoint must keep.
            assert_ne!(straight, halves(opt, Halfway::Forget), "{opt:?}");
        }
    }

    #[test]
    fn a_state_of_the_wrong_size_or_shape_is_an_error() {
        let theta = Var::zeros(4, candle_core::DType::F32, &Device::Cpu).unwrap();
        let mut adam = Optimizer::adam(0.1).build(vec![theta]).unwrap();
        let err = adam.set_state(&[]).unwrap_err().to_string();
        assert!(err.contains("expected 3 saved tensors, found 0"), "{err}");
        let other = Var::zeros(5, candle_core::DType::F32, &Device::Cpu).unwrap();
        let state = Optimizer::adam(0.1)
            .build(vec![other])
            .unwrap()
            .state()
            .unwrap();
        let err = adam.set_state(&state).unwrap_err().to_string();
        assert!(err.contains("shape [4]") && err.contains("[5]"), "{err}");
        let mut sgd = Optimizer::sgd(0.1).build(vec![]).unwrap();
        assert!(sgd.state().unwrap().is_empty());
        assert!(sgd.set_state(&state).is_err());
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
