//! Reading the tensors plots are given: class labels, 2-D points, plain values.

use crate::error::{Error, Result};
use candle_core::{DType, Tensor};

/// All values of `t`, flattened, as `f64`.
pub(crate) fn values(t: &Tensor) -> Result<Vec<f64>> {
    Ok(t.flatten_all()?.to_dtype(DType::F64)?.to_vec1::<f64>()?)
}

/// The most classes a figure draws (ImageNet has 1,000).
const MAX_CLASSES: usize = 10_000;

/// Class indices from labels: `[n]` or `[n, 1]` integers of any dtype (probabilities of
/// class 1 from a sigmoid are cut at 0.5), or `[n, k]` scores, probabilities or one-hot
/// rows (the largest entry wins).
pub(crate) fn class_indices(t: &Tensor, context: &str) -> Result<Vec<usize>> {
    let dims = t.dims();
    match dims {
        [_] | [_, 1] => {}
        [_, _] => return Ok(values(&t.argmax(1)?)?.iter().map(|v| *v as usize).collect()),
        _ => {
            return Err(Error::shape(
                context,
                "labels of shape [n], [n, 1] or [n, classes]",
                format!("{dims:?}"),
                "pass one label (or one row of probabilities) per example",
            ));
        }
    }
    let v = values(t)?;
    if v.iter().all(|x| *x >= 0.0 && x.fract() == 0.0) {
        // A figure has one row or bar per class: a huge label is a mistake, not a class.
        if let Some(big) = v.iter().find(|x| **x >= MAX_CLASSES as f64) {
            return Err(Error::shape(
                context,
                format!("class indices below {MAX_CLASSES}"),
                format!("the value {big}"),
                "pass class numbers 0, 1, 2, ..., not ids or raw values",
            ));
        }
        return Ok(v.iter().map(|x| *x as usize).collect());
    }
    if v.iter().all(|x| (0.0..=1.0).contains(x)) {
        return Ok(v.iter().map(|x| usize::from(*x >= 0.5)).collect());
    }
    let bad = v
        .iter()
        .find(|x| !(**x >= 0.0 && x.fract() == 0.0))
        .copied()
        .unwrap_or(f64::NAN);
    Err(Error::shape(
        context,
        "class indices 0, 1, 2, ... (or probabilities between 0 and 1)",
        format!("the value {bad}"),
        "pass the class number of each example, e.g. `y.argmax(1)?` of one-hot rows",
    ))
}

/// Checks that two per-example inputs have the same length.
pub(crate) fn same_length(context: &str, what: &str, n: usize, found: usize) -> Result<()> {
    if n == found {
        return Ok(());
    }
    Err(Error::shape(
        context,
        format!("{n} {what} (one per example)"),
        format!("{found}"),
        "pass the same examples to every argument",
    ))
}

/// Points of shape `[n, 2]` as `(x, y)` pairs.
pub(crate) fn points_2d(t: &Tensor, context: &str) -> Result<Vec<(f64, f64)>> {
    if !matches!(t.dims(), [_, 2]) {
        return Err(Error::shape(
            context,
            "points of shape [n, 2]",
            format!("{:?}", t.dims()),
            "pass one (x, y) row per point, e.g. the 2-D latent codes",
        ));
    }
    let v = values(t)?;
    Ok(v.chunks(2).map(|p| (p[0], p[1])).collect())
}

/// Owned copies of class names.
pub(crate) fn names<S: AsRef<str>>(names: &[S]) -> Vec<String> {
    names.iter().map(|s| s.as_ref().to_owned()).collect()
}

/// The name of class `i`, or its number when there is no name for it.
pub(crate) fn class_name(names: &[String], i: usize) -> String {
    names.get(i).cloned().unwrap_or_else(|| i.to_string())
}

/// A range padded by `fraction` of its span on both sides (never empty).
pub(crate) fn padded(lo: f64, hi: f64, fraction: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) || lo > hi {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * fraction
    } else {
        lo.abs().max(1.0) * 0.5
    };
    (lo - pad, hi + pad)
}

/// The x and y ranges of `points`, padded by `fraction`.
pub(crate) fn bounds(points: &[(f64, f64)], fraction: f64) -> ((f64, f64), (f64, f64)) {
    let finite = points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in finite {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    (padded(x0, x1, fraction), padded(y0, y1, fraction))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn class_indices_reads_labels_probabilities_and_rows() -> Result<()> {
        let dev = Device::Cpu;
        let labels = Tensor::new(&[2u8, 0, 1], &dev)?;
        assert_eq!(class_indices(&labels, "t")?, vec![2, 0, 1]);
        let sigmoid = Tensor::new(&[[0.2f32], [0.9]], &dev)?;
        assert_eq!(class_indices(&sigmoid, "t")?, vec![0, 1]);
        let rows = Tensor::new(&[[0.1f32, 0.7, 0.2], [0.8, 0.1, 0.1]], &dev)?;
        assert_eq!(class_indices(&rows, "t")?, vec![1, 0]);
        assert!(class_indices(&Tensor::new(&[-3f32, 1.5], &dev)?, "t").is_err());
        Ok(())
    }
}
