//! Tensor plumbing shared by the lessons: seeded shuffling, train/validation splits,
//! standard scaling, one-hot labels and k-fold index splits. Everything random takes a
//! seed, so a lesson gives the same numbers on every run.
//!
//! (Mini-batches during training are [`Batches`](crate::train::Batches)' job.)
//!
//! ```
//! use dlcourse::data::batch::{StandardScaler, one_hot, shuffle};
//! use candle_core::{Device, Tensor};
//! let x = Tensor::new(&[[1f32, 10.], [2., 20.], [3., 30.]], &Device::Cpu)?;
//! let y = Tensor::new(&[0u32, 1, 2], &Device::Cpu)?;
//! let mixed = shuffle(&[&x, &y], 42)?; // the same order for both
//! let scaled = StandardScaler::fit(&mixed[0])?.transform(&mixed[0])?; // mean 0, std 1
//! let targets = one_hot(&mixed[1], 3)?; // f32 [3, 3]
//! # Ok::<(), dlcourse::Error>(())
//! ```

use crate::error::{Error, Result};
use candle_core::{DType, Device, Tensor};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// The numbers `0..n` in a random order drawn from `seed`.
///
/// ```
/// let p = dlcourse::data::batch::permutation(5, 7);
/// let mut sorted = p.clone();
/// sorted.sort();
/// assert_eq!(sorted, [0, 1, 2, 3, 4]);
/// assert_eq!(p, dlcourse::data::batch::permutation(5, 7));
/// ```
pub fn permutation(n: usize, seed: u64) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    order
}

/// The rows `rows` of `t` (along its first dimension), in that order.
///
/// ```
/// use candle_core::{Device, Tensor};
/// let t = Tensor::new(&[10u32, 11, 12], &Device::Cpu)?;
/// let picked = dlcourse::data::batch::take_rows(&t, &[2, 0])?;
/// assert_eq!(picked.to_vec1::<u32>()?, [12, 10]);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn take_rows(t: &Tensor, rows: &[u32]) -> Result<Tensor> {
    let n = t.dim(0)?;
    if let Some(&bad) = rows.iter().find(|&&r| r as usize >= n) {
        return Err(Error::shape(
            "taking rows of a tensor",
            format!("row numbers below {n}"),
            format!("row {bad}"),
            "pass indices of existing rows",
        ));
    }
    let index = Tensor::from_slice(rows, rows.len(), t.device())?;
    Ok(t.index_select(&index, 0)?)
}

/// The tensors with their rows in one same random order drawn from `seed` (so inputs
/// and labels stay paired). All must have the same first dimension.
///
/// ```
/// use candle_core::{Device, Tensor};
/// let x = Tensor::new(&[0f32, 1., 2., 3.], &Device::Cpu)?;
/// let y = Tensor::new(&[0u32, 10, 20, 30], &Device::Cpu)?;
/// let s = dlcourse::data::batch::shuffle(&[&x, &y], 1)?;
/// let (xs, ys) = (s[0].to_vec1::<f32>()?, s[1].to_vec1::<u32>()?);
/// assert!(xs.iter().zip(&ys).all(|(a, b)| *a as u32 * 10 == *b));
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn shuffle(tensors: &[&Tensor], seed: u64) -> Result<Vec<Tensor>> {
    let n = same_len(tensors, "shuffling tensors together")?;
    let order = permutation(n, seed);
    tensors.iter().map(|t| take_rows(t, &order)).collect()
}

fn same_len(tensors: &[&Tensor], context: &str) -> Result<usize> {
    let lens = tensors
        .iter()
        .map(|t| t.dim(0))
        .collect::<candle_core::Result<Vec<_>>>()?;
    match lens.first() {
        Some(&n) if lens.iter().all(|&l| l == n) => Ok(n),
        Some(_) => Err(Error::shape(
            context,
            "the same number of rows in every tensor",
            format!("{lens:?} rows"),
            "pass inputs and labels of the same samples",
        )),
        None => Ok(0),
    }
}

/// The first `n` rows of `t` and the rest — e.g. the first 5,000 training images as the
/// validation set, as in the course notes.
///
/// ```
/// use candle_core::{Device, Tensor};
/// let t = Tensor::arange(0u32, 10, &Device::Cpu)?;
/// let (valid, train) = dlcourse::data::batch::split_first(&t, 3)?;
/// assert_eq!((valid.dim(0)?, train.dim(0)?), (3, 7));
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn split_first(t: &Tensor, n: usize) -> Result<(Tensor, Tensor)> {
    let total = t.dim(0)?;
    if n > total {
        return Err(Error::shape(
            "splitting off the first rows",
            format!("at most {total} rows"),
            format!("{n}"),
            "ask for fewer rows",
        ));
    }
    Ok((t.narrow(0, 0, n)?, t.narrow(0, n, total - n)?))
}

/// Labels as one-hot rows: `f32` `[n, classes]` with a 1 in each label's column.
///
/// ```
/// use candle_core::{Device, Tensor};
/// let y = Tensor::new(&[2u32, 0], &Device::Cpu)?;
/// let hot = dlcourse::data::batch::one_hot(&y, 3)?;
/// assert_eq!(hot.to_vec2::<f32>()?, [[0., 0., 1.], [1., 0., 0.]]);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn one_hot(labels: &Tensor, classes: usize) -> Result<Tensor> {
    let labels = labels
        .flatten_all()?
        .to_dtype(DType::U32)?
        .to_vec1::<u32>()?;
    let mut out = vec![0f32; labels.len() * classes];
    for (i, &l) in labels.iter().enumerate() {
        if l as usize >= classes {
            return Err(Error::shape(
                "one-hot encoding labels",
                format!("labels 0..{classes}"),
                format!("label {l} at position {i}"),
                "pass the right number of classes",
            ));
        }
        out[i * classes + l as usize] = 1.0;
    }
    Ok(Tensor::from_vec(
        out,
        (labels.len(), classes),
        &Device::Cpu,
    )?)
}

/// Standard scaling, fitted on the training data and applied to any data: each column
/// becomes `(x - mean) / std` with the training mean and (population) standard
/// deviation. A constant column gets std 1, so it becomes 0 rather than NaN.
///
/// ```
/// use candle_core::{Device, Tensor};
/// use dlcourse::data::batch::StandardScaler;
/// let train = Tensor::new(&[[0f32], [2.]], &Device::Cpu)?;
/// let scaler = StandardScaler::fit(&train)?; // mean 1, std 1
/// let test = Tensor::new(&[[3f32]], &Device::Cpu)?;
/// assert_eq!(scaler.transform(&test)?.to_vec2::<f32>()?, [[2.0]]);
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct StandardScaler {
    /// The mean of each column, shape `[1, ...]` (the data's shape without its rows).
    pub mean: Tensor,
    /// The standard deviation of each column, same shape, never 0.
    pub std: Tensor,
}

impl StandardScaler {
    /// Fits the scaler to `x`, one sample per row (any dtype; stats are `f32`).
    ///
    /// ```
    /// use candle_core::{Device, Tensor};
    /// let x = Tensor::new(&[[1f32, 5.], [3., 5.]], &Device::Cpu)?;
    /// let s = dlcourse::data::batch::StandardScaler::fit(&x)?;
    /// assert_eq!(s.std.to_vec2::<f32>()?, [[1.0, 1.0]]); // constant column: std 1
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn fit(x: &Tensor) -> Result<Self> {
        if x.dim(0)? == 0 {
            return Err(Error::shape(
                "fitting a standard scaler",
                "at least one row",
                "an empty tensor",
                "fit on the training data",
            ));
        }
        let x = x.to_dtype(DType::F32)?;
        let mean = x.mean_keepdim(0)?;
        let var = x.broadcast_sub(&mean)?.sqr()?.mean_keepdim(0)?;
        let std: Vec<f32> = var
            .sqrt()?
            .flatten_all()?
            .to_vec1::<f32>()?
            .into_iter()
            .map(|s| if s > 0.0 && s.is_finite() { s } else { 1.0 })
            .collect();
        let std = Tensor::from_vec(std, mean.shape(), mean.device())?;
        Ok(StandardScaler { mean, std })
    }

    /// `(x - mean) / std`, as `f32`.
    ///
    /// ```
    /// use candle_core::{Device, Tensor};
    /// let x = Tensor::new(&[[1f32], [3.]], &Device::Cpu)?;
    /// let (s, scaled) = dlcourse::data::batch::StandardScaler::fit_transform(&x)?;
    /// assert_eq!(scaled.to_vec2::<f32>()?, [[-1.0], [1.0]]);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn transform(&self, x: &Tensor) -> Result<Tensor> {
        let x = x.to_dtype(DType::F32)?;
        if x.dims().get(1..) != self.mean.dims().get(1..) {
            return Err(Error::shape(
                "standard-scaling data",
                format!(
                    "rows of shape {:?}, like the data it was fitted on",
                    &self.mean.dims()[1..]
                ),
                format!("rows of shape {:?}", x.dims().get(1..).unwrap_or(&[])),
                "scale data with the same columns as the training data",
            ));
        }
        Ok(x.broadcast_sub(&self.mean)?.broadcast_div(&self.std)?)
    }

    /// Fits on `x` and returns the scaler with `x` scaled.
    ///
    /// ```
    /// use candle_core::{Device, Tensor};
    /// let x = Tensor::new(&[[1f32], [3.]], &Device::Cpu)?;
    /// let (_scaler, scaled) = dlcourse::data::batch::StandardScaler::fit_transform(&x)?;
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn fit_transform(x: &Tensor) -> Result<(Self, Tensor)> {
        let scaler = Self::fit(x)?;
        let scaled = scaler.transform(x)?;
        Ok((scaler, scaled))
    }
}

/// One round of k-fold cross-validation: the row numbers to train on and to validate on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// Rows to train on (the other k − 1 folds), in increasing order.
    pub train: Vec<u32>,
    /// Rows to validate on (this fold), in increasing order.
    pub validation: Vec<u32>,
}

impl Fold {
    /// The training and validation rows of `t`.
    ///
    /// ```
    /// use candle_core::{Device, Tensor};
    /// let x = Tensor::arange(0f32, 6., &Device::Cpu)?;
    /// let fold = &dlcourse::data::batch::k_fold(6, 3, 0)?[0];
    /// let (train, valid) = fold.select(&x)?;
    /// assert_eq!((train.dim(0)?, valid.dim(0)?), (4, 2));
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn select(&self, t: &Tensor) -> Result<(Tensor, Tensor)> {
        Ok((take_rows(t, &self.train)?, take_rows(t, &self.validation)?))
    }
}

/// `k` folds over `n` rows, shuffled with `seed`: every row is in exactly one
/// validation set; fold sizes differ by at most one.
///
/// ```
/// let folds = dlcourse::data::batch::k_fold(10, 3, 42)?;
/// let sizes: Vec<usize> = folds.iter().map(|f| f.validation.len()).collect();
/// assert_eq!(sizes, [4, 3, 3]);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn k_fold(n: usize, k: usize, seed: u64) -> Result<Vec<Fold>> {
    if k < 2 || k > n {
        return Err(Error::shape(
            "splitting rows into folds",
            format!("between 2 and {n} folds"),
            format!("{k} folds"),
            "pick k ≥ 2 and no more than the number of samples",
        ));
    }
    let order = permutation(n, seed);
    let mut start = 0;
    let mut folds = Vec::with_capacity(k);
    for i in 0..k {
        let size = n / k + usize::from(i < n % k);
        let mut validation = order[start..start + size].to_vec();
        let mut train: Vec<u32> = order[..start]
            .iter()
            .chain(&order[start + size..])
            .copied()
            .collect();
        validation.sort_unstable();
        train.sort_unstable();
        folds.push(Fold { train, validation });
        start += size;
    }
    Ok(folds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_fold_covers_every_row_once_and_is_seeded() -> Result<()> {
        let folds = k_fold(23, 5, 3)?;
        let mut all: Vec<u32> = folds.iter().flat_map(|f| f.validation.clone()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..23).collect::<Vec<_>>());
        for f in &folds {
            assert_eq!(f.train.len() + f.validation.len(), 23);
            assert!(f.train.iter().all(|r| !f.validation.contains(r)));
        }
        assert_eq!(folds, k_fold(23, 5, 3)?);
        assert_ne!(folds, k_fold(23, 5, 4)?);
        assert!(k_fold(3, 1, 0).is_err() && k_fold(3, 4, 0).is_err());
        Ok(())
    }

    #[test]
    fn scaler_fits_on_train_and_applies_to_test() -> Result<()> {
        let dev = Device::Cpu;
        let train = Tensor::new(&[[1f32, 10.], [3., 30.]], &dev)?;
        let s = StandardScaler::fit(&train)?;
        assert_eq!(s.mean.to_vec2::<f32>()?, [[2.0, 20.0]]);
        let test = Tensor::new(&[[5f32, 20.]], &dev)?;
        assert_eq!(s.transform(&test)?.to_vec2::<f32>()?, [[3.0, 0.0]]);
        assert!(s.transform(&Tensor::new(&[[1f32]], &dev)?).is_err());
        Ok(())
    }

    #[test]
    fn one_hot_rejects_out_of_range_labels() {
        let y = Tensor::new(&[3u32], &Device::Cpu).unwrap();
        let err = one_hot(&y, 3).unwrap_err().to_string();
        assert!(err.contains("label 3"), "{err}");
    }
}
