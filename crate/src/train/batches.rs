//! Mini-batches over tensors, in a seeded random order.

use crate::error::{Error, Result};
use candle_core::{Device, Tensor};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// The samples of an epoch, split into mini-batches.
///
/// When shuffled, the data is permuted once per epoch (one bulk copy per tensor) and the
/// batches are then contiguous slices of it, so no batch copies its rows one by one.
pub struct Batches {
    tensors: Vec<Tensor>,
    batch_size: usize,
    len: usize,
}

impl Batches {
    /// Batches of `batch_size` samples over `tensors` (all with the same first dimension),
    /// in a random order drawn from `rng` when it is given, in order otherwise.
    pub fn new(tensors: &[&Tensor], batch_size: usize, rng: Option<&mut StdRng>) -> Result<Self> {
        let lens: Vec<usize> = tensors
            .iter()
            .map(|t| t.dims().first().copied().unwrap_or(0))
            .collect();
        let len = lens.first().copied().unwrap_or(0);
        if lens.iter().any(|&l| l != len) || tensors.iter().any(|t| t.rank() == 0) {
            return Err(Error::shape(
                "splitting tensors into batches",
                "tensors with the same number of samples (rows)",
                format!("{lens:?} rows"),
                "pass inputs and targets of the same samples",
            ));
        }
        let tensors = match rng {
            Some(rng) if len > 1 => {
                let mut order: Vec<u32> = (0..len as u32).collect();
                order.shuffle(rng);
                let device = tensors[0].device();
                let index = Tensor::from_vec(order, len, device)?;
                tensors
                    .iter()
                    .map(|t| permute_rows(t, &index, device))
                    .collect::<Result<Vec<_>>>()?
            }
            _ => tensors.iter().map(|t| (*t).clone()).collect(),
        };
        Ok(Batches {
            tensors,
            batch_size: batch_size.max(1),
            len,
        })
    }

    /// Number of batches.
    pub fn count(&self) -> usize {
        self.len.div_ceil(self.batch_size)
    }

    /// The `i`-th batch: one slice per tensor, in the order they were given; an error
    /// when `i` is not below [`Batches::count`].
    pub fn get(&self, i: usize) -> Result<Vec<Tensor>> {
        if i >= self.count() {
            return Err(Error::shape(
                "taking a batch",
                format!(
                    "a batch index below {} (the number of batches)",
                    self.count()
                ),
                format!("index {i}"),
                "loop over 0..batches.count()",
            ));
        }
        let start = i * self.batch_size;
        let size = self.batch_size.min(self.len - start);
        Ok(self
            .tensors
            .iter()
            .map(|t| t.narrow(0, start, size))
            .collect::<candle_core::Result<Vec<_>>>()?)
    }
}

fn permute_rows(t: &Tensor, index: &Tensor, device: &Device) -> Result<Tensor> {
    let index = if t.device().same_device(device) {
        index.clone()
    } else {
        index.to_device(t.device())?
    };
    Ok(t.index_select(&index, 0)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn batches_cover_every_sample_once_in_a_seeded_order() -> Result<()> {
        let x = Tensor::arange(0u32, 10, &Device::Cpu)?;
        let order = |seed| -> Result<Vec<u32>> {
            let mut rng = StdRng::seed_from_u64(seed);
            let b = Batches::new(&[&x], 4, Some(&mut rng))?;
            assert_eq!(b.count(), 3);
            let mut all = vec![];
            for i in 0..b.count() {
                all.extend(b.get(i)?[0].to_vec1::<u32>()?);
            }
            Ok(all)
        };
        let a = order(1)?;
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        assert_eq!(a, order(1)?);
        assert_ne!(a, order(2)?);
        Ok(())
    }

    #[test]
    fn an_index_past_the_end_or_unequal_tensors_give_errors() -> Result<()> {
        let x = Tensor::arange(0u32, 10, &Device::Cpu)?;
        let b = Batches::new(&[&x], 4, None)?;
        let err = b.get(3).unwrap_err().to_string();
        assert!(err.contains("below 3") && err.contains("index 3"), "{err}");
        assert!(b.get(usize::MAX).is_err());
        let y = Tensor::arange(0u32, 9, &Device::Cpu)?;
        let err = Batches::new(&[&x, &y], 4, None).err().unwrap().to_string();
        assert!(err.contains("[10, 9] rows"), "{err}");
        Ok(())
    }
}
