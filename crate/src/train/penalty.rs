//! L2 weight penalties (Keras: `kernel_regularizer=regularizers.l2(factor)`): a term
//! factor · Σ w² per penalised tensor, added to the loss, so every step also pulls those
//! weights towards 0 — "weight decay".

use crate::error::Result;
use crate::kernels::map_in_place;
use candle_core::backprop::GradStore;
use candle_core::{CpuStorage, DType, Storage, Tensor, Var};

/// The penalised tensors of a model and their factors; [`Dense::l2`](crate::nn::Dense::l2)
/// puts a layer's weights here when the model is built.
///
/// ```
/// use dlcourse::prelude::*;
/// use dlcourse::train::L2Penalty;
/// # fn main() -> dlcourse::Result<()> {
/// let w = Var::new(&[3f32, 4.], &Device::Cpu)?;
/// let mut penalty = L2Penalty::new();
/// penalty.add(w, 0.01);
/// assert!((penalty.value()? - 0.25).abs() < 1e-6); // 0.01 · (9 + 16)
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct L2Penalty {
    terms: Vec<(Var, f64)>,
}

impl L2Penalty {
    /// No penalty.
    pub fn new() -> Self {
        L2Penalty::default()
    }

    /// Penalises `var` with `factor` · Σ var².
    pub fn add(&mut self, var: Var, factor: f64) {
        self.terms.push((var, factor));
    }

    /// Whether nothing is penalised.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Σ factor · Σ w² over the penalised tensors (0 when nothing is penalised): what
    /// the penalty adds to the loss.
    pub fn value(&self) -> Result<f64> {
        let mut total = 0.0;
        for (var, factor) in &self.terms {
            total += factor * sum_of_squares(var.as_tensor())?;
        }
        Ok(total)
    }

    /// Adds the penalty's gradient, 2 · factor · w, to each penalised tensor's gradient
    /// in `grads`: in place on the CPU (the store owns each gradient), tensor arithmetic
    /// elsewhere.
    pub fn add_gradients(&self, grads: &mut GradStore) -> Result<()> {
        for (var, factor) in &self.terms {
            let w = var.as_tensor();
            let Some(g) = grads.get(var).cloned() else {
                grads.insert(var, w.affine(2.0 * factor, 0.0)?);
                continue;
            };
            let twice = (2.0 * factor) as f32;
            if !map_in_place(&g, w, |g, w| g + twice * w)? {
                grads.insert(var, (g + w.affine(2.0 * factor, 0.0)?)?);
            }
        }
        Ok(())
    }
}

/// Σ w²: a plain loop over the values of a contiguous f32 CPU tensor (candle's `sqr` and
/// `sum_all` would allocate a copy), tensor arithmetic elsewhere.
fn sum_of_squares(w: &Tensor) -> Result<f64> {
    {
        let (storage, layout) = w.storage_and_layout();
        if let (Storage::Cpu(CpuStorage::F32(data)), Some((start, end))) =
            (&*storage, layout.contiguous_offsets())
        {
            return Ok(data[start..end].iter().map(|&v| v as f64 * v as f64).sum());
        }
    }
    let squares = w.sqr()?.sum_all()?.to_dtype(DType::F64)?;
    Ok(squares.to_scalar::<f64>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn the_gradient_is_two_factor_w_added_to_the_loss_gradient() -> Result<()> {
        let w = Var::new(&[3f32, 4.], &Device::Cpu)?;
        let other = Var::new(&[1f32, -2.], &Device::Cpu)?;
        let mut penalty = L2Penalty::new();
        penalty.add(w.clone(), 0.5);
        penalty.add(other.clone(), 0.25);
        assert!((penalty.value()? - (0.5 * 25.0 + 0.25 * 5.0)).abs() < 1e-9);
        // The loss Σw has gradient 1 for w and none for `other`.
        let mut grads = w.as_tensor().sum_all()?.backward()?;
        penalty.add_gradients(&mut grads)?;
        assert_eq!(grads.get(&w).unwrap().to_vec1::<f32>()?, [4.0, 5.0]);
        assert_eq!(grads.get(&other).unwrap().to_vec1::<f32>()?, [0.5, -1.0]);
        assert_eq!(L2Penalty::new().value()?, 0.0);
        Ok(())
    }
}
