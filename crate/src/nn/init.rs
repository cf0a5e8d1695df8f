//! Seeded parameter initialisation.
//!
//! Candle's own initialisers draw from an unseeded generator on the CPU. The course needs
//! runs that repeat bit for bit, so parameters are drawn here from a generator seeded by
//! the model, then stored as ordinary `Var`s in a candle-nn `VarMap`.

use candle_core::{DType, Device, Shape, Tensor, Var};
use candle_nn::init::NormalOrUniform;
use candle_nn::var_builder::SimpleBackend;
use candle_nn::{Init, VarMap};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use std::sync::Mutex;

/// Keras' default initialiser for weights (`glorot_uniform`): uniform in ±√(6 / (fan_in +
/// fan_out)), which keeps the scale of signals steady from layer to layer.
pub fn glorot_uniform(fan_in: usize, fan_out: usize) -> Init {
    let limit = (6.0 / (fan_in + fan_out).max(1) as f64).sqrt();
    Init::Uniform {
        lo: -limit,
        up: limit,
    }
}

/// A variable of `shape` drawn from a normal distribution (`mean`, `stdev`) by a generator
/// seeded with `seed` — for networks written by hand (Candle's own `randn` cannot be
/// seeded on the CPU).
///
/// ```
/// use dlcourse::nn::seeded_normal;
/// let w = seeded_normal(&[784, 512], 0.0, 0.1, 7)?;
/// assert_eq!(w.dims(), &[784, 512]);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn seeded_normal(shape: &[usize], mean: f64, stdev: f64, seed: u64) -> crate::Result<Var> {
    let seeded = SeededVarMap::new(VarMap::new(), seed);
    let init = Init::Randn { mean, stdev };
    let values = seeded.sample(&init, &Shape::from(shape.to_vec()));
    Ok(Var::from_vec(values, shape.to_vec(), &Device::Cpu)?)
}

/// A `VarMap` whose new variables are drawn from a seeded random generator.
///
/// Use it through `VarBuilder::from_backend(Box::new(seeded), dtype, device)`; every
/// variable lands in [`SeededVarMap::var_map`], ready for an optimiser or safetensors.
pub struct SeededVarMap {
    vars: VarMap,
    rng: Mutex<StdRng>,
}

impl SeededVarMap {
    /// Stores new variables in `vars`, drawing their initial values from `seed`.
    pub fn new(vars: VarMap, seed: u64) -> Self {
        SeededVarMap {
            vars,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    /// The map that holds the variables.
    pub fn var_map(&self) -> &VarMap {
        &self.vars
    }

    fn sample(&self, init: &Init, shape: &Shape) -> Vec<f32> {
        let n = shape.elem_count();
        let mut rng = self
            .rng
            .lock()
            .expect("the seeded generator is never poisoned");
        let uniform = |rng: &mut StdRng, lo: f64, up: f64| -> Vec<f32> {
            (0..n).map(|_| rng.random_range(lo..up) as f32).collect()
        };
        let normal = |rng: &mut StdRng, mean: f64, stdev: f64| -> Vec<f32> {
            // An infinite deviation (a layer with no inputs) has no distribution: such a
            // tensor is empty, or its NaNs stop training with a clear error.
            match Normal::new(mean, stdev.max(0.0)) {
                Ok(dist) => (0..n).map(|_| dist.sample(rng) as f32).collect(),
                Err(_) => vec![f32::NAN; n],
            }
        };
        match *init {
            Init::Const(value) => vec![value as f32; n],
            Init::Uniform { lo, up } if lo < up => uniform(&mut rng, lo, up),
            Init::Uniform { lo, .. } => vec![lo as f32; n],
            Init::Randn { mean, stdev } => normal(&mut rng, mean, stdev),
            Init::Kaiming {
                dist,
                fan,
                non_linearity,
            } => {
                let std = non_linearity.gain() / (fan.for_shape(shape).max(1) as f64).sqrt();
                match dist {
                    NormalOrUniform::Uniform => {
                        let bound = 3f64.sqrt() * std;
                        uniform(&mut rng, -bound, bound)
                    }
                    NormalOrUniform::Normal => normal(&mut rng, 0.0, std),
                }
            }
        }
    }
}

impl SimpleBackend for SeededVarMap {
    fn get(
        &self,
        shape: Shape,
        name: &str,
        init: Init,
        dtype: DType,
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        let mut vars = self
            .vars
            .data()
            .lock()
            .expect("the var map is never poisoned");
        if let Some(var) = vars.get(name) {
            if var.shape() != &shape {
                candle_core::bail!(
                    "parameter {name}: expected shape {shape:?}, found {:?}",
                    var.shape()
                );
            }
            return Ok(var.as_tensor().clone());
        }
        let values = self.sample(&init, &shape);
        let tensor = Tensor::from_vec(values, shape, &Device::Cpu)?
            .to_dtype(dtype)?
            .to_device(device)?;
        let var = Var::from_tensor(&tensor)?;
        vars.insert(name.to_owned(), var.clone());
        Ok(var.as_tensor().clone())
    }

    fn get_unchecked(
        &self,
        name: &str,
        _dtype: DType,
        _dev: &Device,
    ) -> candle_core::Result<Tensor> {
        let vars = self
            .vars
            .data()
            .lock()
            .expect("the var map is never poisoned");
        match vars.get(name) {
            Some(var) => Ok(var.as_tensor().clone()),
            None => candle_core::bail!("no parameter named {name}"),
        }
    }

    fn contains_tensor(&self, name: &str) -> bool {
        let vars = self
            .vars
            .data()
            .lock()
            .expect("the var map is never poisoned");
        vars.contains_key(name)
    }
}

/// Makes the columns of a `[rows, cols]` parameter (rows ≥ cols) orthonormal, in place,
/// by Gram–Schmidt on its current (random normal) values: Keras' `Orthogonal`
/// initialiser, the default of recurrent kernels (`[4·units, units]` here is Keras'
/// `(units, 4·units)` transposed, whose rows Keras makes orthonormal). Orthonormal
/// recurrent weights neither grow nor shrink the hidden state, so early steps' signals
/// survive more steps of back-propagation through time.
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> dlcourse::Result<()> {
/// let w = dlcourse::nn::seeded_normal(&[6, 3], 0.0, 1.0, 1)?;
/// dlcourse::nn::orthogonal_in_place(&w)?;
/// let gram: Vec<Vec<f32>> = w.t()?.matmul(&w)?.to_vec2()?;
/// for (i, row) in gram.iter().enumerate() {
///     for (j, v) in row.iter().enumerate() {
///         assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-5);
///     }
/// }
/// # Ok(()) }
/// ```
pub fn orthogonal_in_place(parameter: &Tensor) -> crate::Result<()> {
    let (rows, cols) = parameter.dims2()?;
    if rows < cols {
        return Err(crate::Error::shape(
            "making a parameter orthogonal",
            "at least as many rows as columns",
            format!("{rows}×{cols}"),
            "pass the parameter as [outputs, inputs] with outputs ≥ inputs",
        ));
    }
    let values: Vec<f64> = parameter.to_dtype(DType::F64)?.flatten_all()?.to_vec1()?;
    let mut q = values;
    // Modified Gram–Schmidt over the columns, in f64.
    for j in 0..cols {
        for k in 0..j {
            let dot: f64 = (0..rows).map(|r| q[r * cols + j] * q[r * cols + k]).sum();
            for r in 0..rows {
                q[r * cols + j] -= dot * q[r * cols + k];
            }
        }
        let norm = (0..rows)
            .map(|r| q[r * cols + j].powi(2))
            .sum::<f64>()
            .sqrt();
        let norm = if norm > 1e-12 { norm } else { 1.0 };
        for r in 0..rows {
            q[r * cols + j] /= norm;
        }
    }
    let q = Tensor::from_vec(q, (rows, cols), parameter.device())?.to_dtype(parameter.dtype())?;
    parameter.slice_set(&q, 0, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_nn::VarBuilder;

    fn draw(seed: u64) -> Vec<f32> {
        let seeded = SeededVarMap::new(VarMap::new(), seed);
        let vb = VarBuilder::from_backend(Box::new(seeded), DType::F32, Device::Cpu);
        let w = vb
            .get_with_hints(
                (3, 4),
                "w",
                Init::Randn {
                    mean: 0.0,
                    stdev: 1.0,
                },
            )
            .unwrap();
        w.flatten_all().unwrap().to_vec1().unwrap()
    }

    #[test]
    fn same_seed_same_values_other_seed_other_values() {
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }
}
