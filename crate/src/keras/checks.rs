//! Whole-tensor checks of what `fit`, `evaluate` and `predict` are given, run once per
//! call (never per batch): no samples, NaN or infinite values, class labels the output
//! layer cannot score, binary targets outside 0..1.
//!
//! Each check is one reduction over the tensor; only when it fails is the tensor read
//! back to name the first bad row.

use crate::error::{Error, Result};
use crate::train::Loss;
use candle_core::{DType, Tensor};

/// An error unless `t` holds at least one sample.
pub(crate) fn check_not_empty(t: &Tensor, context: &str, what: &str) -> Result<()> {
    let n = t.dims().first().copied().unwrap_or(0);
    if n == 0 || t.elem_count() == 0 {
        return Err(Error::shape(
            context,
            format!("{what} with at least one sample"),
            format!("a tensor of shape {:?}", t.dims()),
            "check how the data was sliced or filtered (e.g. a split or a class filter that \
             kept nothing)",
        ));
    }
    Ok(())
}

/// An error naming the first NaN or infinite value of `t` (float tensors only: integer
/// tensors cannot hold one).
pub(crate) fn check_finite(t: &Tensor, context: &str, what: &str) -> Result<()> {
    if !t.dtype().is_float() || t.elem_count() == 0 {
        return Ok(());
    }
    // NaN and ±inf survive a sum; a finite sum proves every value finite.
    let sum = t.sum_all()?.to_dtype(DType::F64)?.to_scalar::<f64>()?;
    if sum.is_finite() {
        return Ok(());
    }
    // The sum may also overflow on large finite values: look at each one.
    let values = t.flatten_all()?.to_dtype(DType::F64)?.to_vec1::<f64>()?;
    let Some(i) = values.iter().position(|v| !v.is_finite()) else {
        return Ok(());
    };
    let per_row = (t.elem_count() / t.dims().first().copied().unwrap_or(1).max(1)).max(1);
    Err(Error::shape(
        context,
        format!("finite {what}"),
        format!(
            "{} at row {}, value {} of the row ({} of {} such value(s))",
            values[i],
            i / per_row,
            i % per_row,
            values.iter().filter(|v| !v.is_finite()).count(),
            values.len()
        ),
        "clean the data first: drop or impute the missing values (frame::drop_missing, \
         frame::impute_most_frequent) and check any division or log that made them",
    ))
}

/// An error unless the targets `y` suit `loss` on a model with `outputs` output units:
/// whole class labels `0..outputs` for sparse cross-entropy, values in 0..1 for binary
/// cross-entropy.
pub(crate) fn check_targets(y: &Tensor, loss: Loss, outputs: usize, context: &str) -> Result<()> {
    let (low, high, what, fix) = match loss {
        Loss::SparseCategoricalCrossEntropy => (
            0.0,
            outputs as f64 - 1.0,
            format!(
                "whole class labels 0..={} (the output layer has {outputs} unit(s))",
                outputs.saturating_sub(1)
            ),
            format!(
                "give the last layer one unit per class (Dense::new(classes)), or \
                 renumber the labels 0..{outputs}"
            ),
        ),
        Loss::BinaryCrossEntropy => (
            0.0,
            1.0,
            "targets between 0 and 1 (binary cross-entropy)".to_owned(),
            "encode the two classes as 0 and 1 (frame::binary), or use the sparse loss for \
             more classes"
                .to_owned(),
        ),
        _ => return Ok(()),
    };
    if y.elem_count() == 0 {
        return Ok(());
    }
    let flat = y.flatten_all()?.to_dtype(DType::F64)?;
    let (min, max) = (
        flat.min(0)?.to_scalar::<f64>()?,
        flat.max(0)?.to_scalar::<f64>()?,
    );
    let integral = loss != Loss::SparseCategoricalCrossEntropy
        || !y.dtype().is_float()
        || flat
            .sub(&flat.round()?)?
            .abs()?
            .max(0)?
            .to_scalar::<f64>()?
            == 0.0;
    if min >= low && max <= high && integral {
        return Ok(());
    }
    let values = flat.to_vec1::<f64>()?;
    let bad = |v: f64| {
        !(v >= low && v <= high)
            || (loss == Loss::SparseCategoricalCrossEntropy && v.fract() != 0.0)
    };
    let Some(i) = values.iter().position(|&v| bad(v)) else {
        return Ok(());
    };
    let per_row = (values.len() / y.dims().first().copied().unwrap_or(1).max(1)).max(1);
    Err(Error::shape(
        context,
        what,
        format!(
            "{} in row {} ({} such target(s))",
            values[i],
            i / per_row,
            values.iter().filter(|&&v| bad(v)).count()
        ),
        fix,
    ))
}

/// An error unless every token id of `x` (an integer tensor) is below `vocabulary`, the
/// size of the embedding table the ids index.
pub(crate) fn check_token_ids(x: &Tensor, vocabulary: usize, context: &str) -> Result<()> {
    if x.dtype().is_float() || x.elem_count() == 0 {
        return Ok(());
    }
    let flat = x.flatten_all()?.to_dtype(DType::F64)?;
    if flat.max(0)?.to_scalar::<f64>()? < vocabulary as f64 {
        return Ok(());
    }
    let ids = flat.to_vec1::<f64>()?;
    let Some(i) = ids.iter().position(|&v| v >= vocabulary as f64) else {
        return Ok(());
    };
    let per_row = (ids.len() / x.dims().first().copied().unwrap_or(1).max(1)).max(1);
    Err(Error::shape(
        context,
        format!("token ids below {vocabulary} (the Embedding layer's vocabulary size)"),
        format!(
            "id {} at row {}, position {}",
            ids[i],
            i / per_row,
            i % per_row
        ),
        "encode the texts with the vocabulary the model was built for \
         (Vocabulary::fit(texts, size) with Embedding::new(size, ..)), or build the \
         Embedding with a larger vocabulary",
    ))
}
