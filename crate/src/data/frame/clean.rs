//! Missing values in a `DataFrame`: dropped, summarised, or filled in.

use super::polars_error;
use crate::error::{Error, Result};
use polars::prelude::{Column, DataFrame, IdxSize};
use std::collections::HashMap;

/// The rows of `df` without a null anywhere (house votes: 435 → 232; mammographic
/// masses: 961 → 830).
///
/// ```no_run
/// let df = dlcourse::data::frame::drop_missing(&dlcourse::data::mammographic_masses()?)?;
/// assert_eq!(df.height(), 830);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn drop_missing(df: &DataFrame) -> Result<DataFrame> {
    df.drop_nulls::<String>(None)
        .map_err(polars_error("dropping the rows with missing values"))
}

/// Each column of `df` summarised in five rows, as pandas' `describe()` does for text
/// columns: `count` (values present), `missing` (nulls), `unique` (distinct values),
/// `top` (the most frequent value) and `freq` (how often it occurs). The first column,
/// `statistic`, names the rows; every cell is text.
///
/// ```
/// use polars::prelude::*;
/// let df = df!("vote" => [Some("y"), None, Some("n"), Some("y")])?;
/// let d = dlcourse::data::frame::describe(&df)?;
/// assert_eq!(d.shape(), (5, 2));
/// let vote = d.column("vote")?.str()?;
/// let cells: Vec<_> = (0..5).map(|row| vote.get(row).unwrap()).collect();
/// assert_eq!(cells, ["3", "1", "2", "y", "2"]); // count, missing, unique, top, freq
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn describe(df: &DataFrame) -> Result<DataFrame> {
    let stats = ["count", "missing", "unique", "top", "freq"];
    let mut columns = vec![Column::new("statistic".into(), stats)];
    for col in df.columns() {
        let counts = frequencies(col)?;
        let present: usize = counts.iter().map(|c| c.count).sum();
        let (top, freq) = counts.first().map_or((String::new(), String::new()), |c| {
            (c.value.clone(), c.count.to_string())
        });
        let cells = [
            present.to_string(),
            col.null_count().to_string(),
            counts.len().to_string(),
            top,
            freq,
        ];
        columns.push(Column::new(col.name().clone(), cells));
    }
    DataFrame::new(stats.len(), columns).map_err(polars_error("describing the columns"))
}

/// `df` with every missing value replaced by the most frequent value of its column
/// (scikit-learn's `SimpleImputer(strategy="most_frequent")`): no row is lost, at the
/// price of guessing. A tie goes to the value that comes first in the column. A column
/// with no value at all cannot be filled: the error names it.
///
/// ```
/// use polars::prelude::*;
/// let df = df!("vote" => [Some("y"), None, Some("n"), Some("y")], "age" => [Some(40), Some(50), None, Some(50)])?;
/// let filled = dlcourse::data::frame::impute_most_frequent(&df)?;
/// assert_eq!(filled.column("vote")?.str()?.get(1), Some("y"));
/// assert_eq!(filled.column("age")?.i32()?.get(2), Some(50));
/// assert_eq!(dlcourse::data::frame::drop_missing(&filled)?.height(), 4); // no gap left
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn impute_most_frequent(df: &DataFrame) -> Result<DataFrame> {
    let mut columns = Vec::with_capacity(df.width());
    for col in df.columns() {
        if col.null_count() == 0 {
            columns.push(col.clone());
            continue;
        }
        let Some(top) = frequencies(col)?.into_iter().next() else {
            return Err(Error::shape(
                format!(
                    "imputing the missing values of column {:?}",
                    col.name().as_str()
                ),
                "at least one value to copy into the gaps",
                format!("only missing values ({} rows)", col.len()),
                "drop that column first (df.drop(name)), or fill it with a value you choose",
            ));
        };
        let missing = col.is_null();
        let rows: Vec<IdxSize> = (0..col.len())
            .map(|r| match missing.get(r) {
                Some(true) => top.first_row as IdxSize,
                _ => r as IdxSize,
            })
            .collect();
        let context = format!("imputing column {:?}", col.name().as_str());
        columns.push(col.take_slice(&rows).map_err(polars_error(&context))?);
    }
    DataFrame::new(df.height(), columns).map_err(polars_error("imputing the missing values"))
}

/// One distinct value of a column: its text, how often it occurs, where it first occurs.
struct Frequency {
    value: String,
    count: usize,
    first_row: usize,
}

/// The distinct non-null values of `col`, most frequent first (ties: first seen first).
fn frequencies(col: &Column) -> Result<Vec<Frequency>> {
    let context = format!("counting the values of column {:?}", col.name().as_str());
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut counts: Vec<Frequency> = Vec::new();
    for r in 0..col.len() {
        let value = col.get(r).map_err(polars_error(&context))?;
        if value.is_null() {
            continue;
        }
        let text = value.str_value().into_owned();
        let seen = index.get(&text).copied();
        match seen {
            Some(i) => counts[i].count += 1,
            None => {
                index.insert(text.clone(), counts.len());
                counts.push(Frequency {
                    value: text,
                    count: 1,
                    first_row: r,
                });
            }
        }
    }
    counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.first_row.cmp(&b.first_row)));
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::Column;

    #[test]
    fn imputing_a_column_without_values_names_it() {
        let df = DataFrame::new(
            2,
            vec![
                Column::new("party".into(), ["democrat", "republican"]),
                Column::new("crime".into(), [None::<&str>, None]),
            ],
        )
        .unwrap();
        let err = impute_most_frequent(&df).unwrap_err().to_string();
        assert!(
            err.contains("\"crime\"") && err.contains("only missing values"),
            "{err}"
        );
    }

    #[test]
    fn describe_counts_values_missing_and_the_most_frequent() {
        let df = DataFrame::new(
            3,
            vec![Column::new("n".into(), [Some(3i32), None, Some(3)])],
        )
        .unwrap();
        let d = describe(&df).unwrap();
        let cells: Vec<_> = d
            .column("n")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or_default())
            .collect();
        assert_eq!(cells, ["2", "1", "1", "3", "2"]);
    }
}
