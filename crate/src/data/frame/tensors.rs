//! `DataFrame` columns as `f32` tensors: numbers, two-valued text, one-hot dummies.

use super::polars_error;
use crate::error::{Error, Result};
use candle_core::{Device, Tensor};
use polars::prelude::{Column, DataFrame, DataType};

/// Numeric columns of `df` as an `f32` tensor `[rows, columns.len()]`. The columns must
/// have no null (see [`drop_missing`](super::drop_missing)) and hold numbers (or text that reads as one): a
/// value that is not a number is an error naming the column and the row, never a NaN.
///
/// ```no_run
/// use dlcourse::data::{frame, uci};
/// let df = frame::drop_missing(&uci::mammographic_masses()?)?;
/// let x = frame::numeric(&df, &["age", "shape", "margin", "density"])?;
/// assert_eq!(x.dims(), &[830, 4]);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn numeric(df: &DataFrame, columns: &[&str]) -> Result<Tensor> {
    let n = df.height();
    let mut data = vec![0f32; n * columns.len()];
    for (c, name) in columns.iter().enumerate() {
        let context = format!("converting column {name:?} to a tensor");
        let col = df.column(name).map_err(polars_error(&context))?;
        no_nulls(col, &context)?;
        let values = col
            .cast(&DataType::Float32)
            .map_err(polars_error(&context))?;
        let values = values.f32().map_err(polars_error(&context))?;
        for (r, v) in values.iter().enumerate() {
            // The column has no null, so a null after the cast is a value that is not a number.
            let Some(v) = v else {
                let found = col
                    .get(r)
                    .map(|value| value.to_string())
                    .unwrap_or_default();
                return Err(Error::shape(
                    &context,
                    "a number in every row",
                    format!("{found} in row {r}"),
                    "clean or drop that column first (frame::dummies turns text categories into 0/1 columns)",
                ));
            };
            data[r * columns.len() + c] = v;
        }
    }
    Ok(Tensor::from_vec(data, (n, columns.len()), &Device::Cpu)?)
}

fn no_nulls(col: &Column, context: &str) -> Result<()> {
    match col.null_count() {
        0 => Ok(()),
        k => Err(Error::shape(
            context,
            "a value in every row",
            format!("{k} missing value(s)"),
            "drop the incomplete rows first with dlcourse::data::frame::drop_missing",
        )),
    }
}

/// `y`/`n`-style text columns as 1/0: an `f32` tensor `[rows, columns.len()]` with 1
/// where the value is `one`, 0 where it is `zero`; anything else is an error.
///
/// ```no_run
/// use dlcourse::data::{frame, uci};
/// let df = frame::drop_missing(&uci::house_votes()?)?;
/// let y = frame::binary(&df, &["party"], "democrat", "republican")?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn binary(df: &DataFrame, columns: &[&str], one: &str, zero: &str) -> Result<Tensor> {
    let n = df.height();
    let mut data = vec![0f32; n * columns.len()];
    for (c, name) in columns.iter().enumerate() {
        let context = format!("encoding column {name:?} as {one} → 1, {zero} → 0");
        let col = df.column(name).map_err(polars_error(&context))?;
        no_nulls(col, &context)?;
        let values = col.str().map_err(polars_error(&context))?;
        for (r, v) in values.iter().enumerate() {
            data[r * columns.len() + c] = match v {
                Some(v) if v == one => 1.0,
                Some(v) if v == zero => 0.0,
                other => {
                    return Err(Error::shape(
                        context,
                        format!("{one:?} or {zero:?}"),
                        format!(
                            "{} in row {r}",
                            other.map_or("null".to_owned(), |v| format!("{v:?}"))
                        ),
                        "fix the value or pick other labels",
                    ));
                }
            };
        }
    }
    Ok(Tensor::from_vec(data, (n, columns.len()), &Device::Cpu)?)
}

/// Nominal columns one-hot encoded (pandas' `get_dummies`): for each column, one 0/1
/// column per distinct value, in increasing order, named `column=value`. Returns an
/// `f32` tensor `[rows, columns]` and the names. A shape coded 1-4 becomes four columns,
/// so "irregular" (4) is no longer "four times round" (1). The columns must have no
/// null.
///
/// ```
/// use polars::prelude::*;
/// let df = df!("shape" => [1, 4, 2, 4])?;
/// let (hot, names) = dlcourse::data::frame::dummies(&df, &["shape"])?;
/// assert_eq!(names, ["shape=1", "shape=2", "shape=4"]);
/// assert_eq!(hot.to_vec2::<f32>()?[1], [0., 0., 1.]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn dummies(df: &DataFrame, columns: &[&str]) -> Result<(Tensor, Vec<String>)> {
    let n = df.height();
    let mut encoded: Vec<(String, Vec<f32>)> = Vec::new();
    for name in columns {
        let context = format!("one-hot encoding column {name:?}");
        let col = df.column(name).map_err(polars_error(&context))?;
        no_nulls(col, &context)?;
        let mut values = Vec::with_capacity(n);
        for r in 0..n {
            values.push(
                col.get(r)
                    .map_err(polars_error(&context))?
                    .str_value()
                    .into_owned(),
            );
        }
        let mut distinct = values.clone();
        distinct.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.total_cmp(&y),
            _ => a.cmp(b),
        });
        distinct.dedup();
        for value in distinct {
            let hot = values
                .iter()
                .map(|v| f32::from(u8::from(*v == value)))
                .collect();
            encoded.push((format!("{name}={value}"), hot));
        }
    }
    let width = encoded.len();
    let mut data = vec![0f32; n * width];
    for (c, (_, hot)) in encoded.iter().enumerate() {
        for (r, v) in hot.iter().enumerate() {
            data[r * width + c] = *v;
        }
    }
    let names = encoded.into_iter().map(|(name, _)| name).collect();
    Ok((Tensor::from_vec(data, (n, width), &Device::Cpu)?, names))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::Column;

    #[test]
    fn text_that_is_not_a_number_names_column_and_row() {
        let df = DataFrame::new(
            3,
            vec![
                Column::new("age".into(), ["61", "43", "old"]),
                Column::new("shape".into(), [1i32, 4, 2]),
            ],
        )
        .unwrap();
        let x = numeric(&df, &["shape"]).unwrap();
        assert_eq!(x.to_vec2::<f32>().unwrap(), [[1.], [4.], [2.]]);
        let err = numeric(&df, &["shape", "age"]).unwrap_err().to_string();
        assert!(
            err.contains("\"age\"") && err.contains("row 2") && err.contains("old"),
            "{err}"
        );
    }

    #[test]
    fn dummies_order_values_as_numbers_and_refuse_nulls() {
        let df = DataFrame::new(
            3,
            vec![
                Column::new("margin".into(), [10i32, 2, 10]),
                Column::new("gap".into(), [Some(1i32), None, Some(2)]),
            ],
        )
        .unwrap();
        let (hot, names) = dummies(&df, &["margin"]).unwrap();
        assert_eq!(names, ["margin=2", "margin=10"]);
        assert_eq!(
            hot.to_vec2::<f32>().unwrap(),
            [[0., 1.], [1., 0.], [0., 1.]]
        );
        let err = dummies(&df, &["gap"]).unwrap_err().to_string();
        assert!(
            err.contains("\"gap\"") && err.contains("1 missing"),
            "{err}"
        );
    }
}
