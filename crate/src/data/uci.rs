//! Two small tables from the UCI Machine Learning Repository, as polars `DataFrame`s with
//! named columns; `?` in the files (a missing value) becomes a null.
//!
//! * [`house_votes`]: the 1984 Congressional Voting Records, 435 representatives, their
//!   party and 16 votes (`"y"`, `"n"` or null);
//! * [`mammographic_masses`]: 961 mammograms, five integer attributes and the severity.
//!
//! Missing values can be dropped ([`drop_missing`]) or filled in
//! ([`impute_most_frequent`]); [`describe`] summarises each column, as pandas'
//! `describe()` does for text columns. [`numeric`], [`binary`] and [`dummies`] (one-hot)
//! turn columns into tensors.
//!
//! ```no_run
//! use dlcourse::data::uci;
//! let votes = uci::drop_missing(&uci::house_votes()?)?; // 232 complete rows
//! let (x, y) = uci::house_votes_xy(&votes)?; // f32 [232, 16] and [232, 1]
//! # Ok::<(), dlcourse::Error>(())
//! ```

use super::locate::{DataFile, Locator};
use crate::error::{Error, Result};
use candle_core::{Device, Tensor};
pub use polars::prelude::DataFrame;
use polars::prelude::{Column, DataType, IdxSize, PolarsError};
use std::collections::HashMap;
use std::path::Path;

/// The house votes file (UCI `voting-records/house-votes-84.data`).
///
/// ```
/// assert_eq!(dlcourse::data::uci::HOUSE_VOTES_FILE.path, "uci/house-votes-84.data");
/// ```
pub const HOUSE_VOTES_FILE: DataFile = DataFile {
    path: "uci/house-votes-84.data",
    also: &[],
    url: "https://archive.ics.uci.edu/ml/machine-learning-databases/voting-records/house-votes-84.data",
    sha256: Some("c87c14110a5ba91d4a1e313ec7392824458152bf071fa5f5452340488337936e"),
};

/// The mammographic masses file (UCI `mammographic-masses/mammographic_masses.data`).
///
/// ```
/// assert_eq!(dlcourse::data::uci::MAMMOGRAPHIC_FILE.path, "uci/mammographic_masses.data");
/// ```
pub const MAMMOGRAPHIC_FILE: DataFile = DataFile {
    path: "uci/mammographic_masses.data",
    also: &[],
    url: "https://archive.ics.uci.edu/ml/machine-learning-databases/mammographic-masses/mammographic_masses.data",
    sha256: Some("d8a6281e6c43b8646fe885c6e4041764df098ab9deb1dc3c69760bd9a5ccfd62"),
};

/// The columns of [`house_votes`]: the party, then the 16 votes in UCI order.
pub const HOUSE_VOTES_COLUMNS: [&str; 17] = [
    "party",
    "handicapped-infants",
    "water-project-cost-sharing",
    "adoption-of-the-budget-resolution",
    "physician-fee-freeze",
    "el-salvador-aid",
    "religious-groups-in-schools",
    "anti-satellite-test-ban",
    "aid-to-nicaraguan-contras",
    "mx-missile",
    "immigration",
    "synfuels-corporation-cutback",
    "education-spending",
    "superfund-right-to-sue",
    "crime",
    "duty-free-exports",
    "export-administration-act-south-africa",
];

/// The columns of [`mammographic_masses`]. BI-RADS is the radiologist's assessment, not
/// a measurement: leave it out of the features (as [`mammographic_xy`] does).
pub const MAMMOGRAPHIC_COLUMNS: [&str; 6] =
    ["bi_rads", "age", "shape", "margin", "density", "severity"];

const FIX: &str = "delete it (it will be downloaded again) or set DLCOURSE_DATA to a folder \
                   with the official UCI files";

/// The 1984 house votes, found as described in [`locate`](super::locate): 435 rows,
/// `party` (`"democrat"`/`"republican"`) and 16 vote columns (`"y"`/`"n"`/null).
///
/// ```no_run
/// let df = dlcourse::data::house_votes()?;
/// assert_eq!(df.shape(), (435, 17));
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn house_votes() -> Result<DataFrame> {
    house_votes_from(&Locator::from_env())
}

/// [`house_votes`] with the file found by `locator`.
///
/// ```no_run
/// use dlcourse::data::{Locator, uci};
/// let df = uci::house_votes_from(&Locator::only("../shared/data"))?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn house_votes_from(locator: &Locator) -> Result<DataFrame> {
    read_house_votes(&locator.path(&HOUSE_VOTES_FILE)?)
}

/// The mammographic masses, found as described in [`locate`](super::locate): 961 rows,
/// the integer columns of [`MAMMOGRAPHIC_COLUMNS`], nulls where the file has `?`.
///
/// ```no_run
/// let df = dlcourse::data::mammographic_masses()?;
/// assert_eq!(df.height(), 961);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn mammographic_masses() -> Result<DataFrame> {
    mammographic_masses_from(&Locator::from_env())
}

/// [`mammographic_masses`] with the file found by `locator`.
///
/// ```no_run
/// use dlcourse::data::{Locator, uci};
/// let df = uci::mammographic_masses_from(&Locator::only("../shared/data"))?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn mammographic_masses_from(locator: &Locator) -> Result<DataFrame> {
    read_mammographic_masses(&locator.path(&MAMMOGRAPHIC_FILE)?)
}

/// Reads a file laid out like UCI's `house-votes-84.data` (no header, 17 fields a line).
///
/// ```no_run
/// let df = dlcourse::data::uci::read_house_votes("../shared/data/uci/house-votes-84.data".as_ref())?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn read_house_votes(path: &Path) -> Result<DataFrame> {
    let rows = read_rows(path, &HOUSE_VOTES_COLUMNS, "the party and 16 votes")?;
    let mut columns = Vec::with_capacity(17);
    for (c, name) in HOUSE_VOTES_COLUMNS.iter().enumerate() {
        let allowed: &[&str] = if c == 0 {
            &["democrat", "republican"]
        } else {
            &["y", "n", "?"]
        };
        let mut values: Vec<Option<&str>> = Vec::with_capacity(rows.len());
        for (line, fields) in &rows {
            let v = fields[c].as_str();
            if !allowed.contains(&v) {
                return Err(bad_field(path, *line, name, &allowed.join(", "), v));
            }
            values.push((v != "?").then_some(v));
        }
        columns.push(Column::new((*name).into(), values));
    }
    frame(path, rows.len(), columns)
}

/// Reads a file laid out like UCI's `mammographic_masses.data` (no header, 6 integer
/// fields a line, `?` for a missing one).
///
/// ```no_run
/// let df = dlcourse::data::uci::read_mammographic_masses("../shared/data/uci/mammographic_masses.data".as_ref())?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn read_mammographic_masses(path: &Path) -> Result<DataFrame> {
    let rows = read_rows(
        path,
        &MAMMOGRAPHIC_COLUMNS,
        "BI-RADS, age, shape, margin, density, severity",
    )?;
    let mut columns = Vec::with_capacity(6);
    for (c, name) in MAMMOGRAPHIC_COLUMNS.iter().enumerate() {
        let mut values: Vec<Option<i32>> = Vec::with_capacity(rows.len());
        for (line, fields) in &rows {
            let v = fields[c].as_str();
            values.push(match v {
                "?" => None,
                _ => Some(
                    v.parse()
                        .map_err(|_| bad_field(path, *line, name, "a whole number or ?", v))?,
                ),
            });
        }
        columns.push(Column::new((*name).into(), values));
    }
    frame(path, rows.len(), columns)
}

/// The non-empty lines of `path` split on commas, with their 1-based line numbers.
fn read_rows(path: &Path, columns: &[&str], what: &str) -> Result<Vec<(usize, Vec<String>)>> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Error::data(
            path,
            "expected comma-separated text, found bytes that are not UTF-8",
            FIX,
        ),
        _ => Error::io("reading", path, e),
    })?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<String> = line.split(',').map(|f| f.trim().to_owned()).collect();
        if fields.len() != columns.len() {
            return Err(Error::data(
                path,
                format!(
                    "line {}: expected {} comma-separated fields ({what}), found {}: {line:?}",
                    i + 1,
                    columns.len(),
                    fields.len()
                ),
                FIX,
            ));
        }
        rows.push((i + 1, fields));
    }
    if rows.is_empty() {
        return Err(Error::data(
            path,
            "expected rows of comma-separated values, found an empty file",
            FIX,
        ));
    }
    Ok(rows)
}

fn bad_field(path: &Path, line: usize, column: &str, expected: &str, found: &str) -> Error {
    Error::data(
        path,
        format!("line {line}, column {column}: expected {expected}, found {found:?}"),
        FIX,
    )
}

fn frame(path: &Path, height: usize, columns: Vec<Column>) -> Result<DataFrame> {
    DataFrame::new(height, columns).map_err(|e| Error::data(path, e.to_string(), FIX))
}

fn polars_error(context: &str) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::Usage(format!("{context}: {e}"))
}

/// The rows of `df` without a null anywhere (house votes: 435 → 232; mammographic
/// masses: 961 → 830).
///
/// ```no_run
/// let df = dlcourse::data::uci::drop_missing(&dlcourse::data::mammographic_masses()?)?;
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
/// let d = dlcourse::data::uci::describe(&df)?;
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
/// let filled = dlcourse::data::uci::impute_most_frequent(&df)?;
/// assert_eq!(filled.column("vote")?.str()?.get(1), Some("y"));
/// assert_eq!(filled.column("age")?.i32()?.get(2), Some(50));
/// assert_eq!(dlcourse::data::uci::drop_missing(&filled)?.height(), 4); // no gap left
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

/// Numeric columns of `df` as an `f32` tensor `[rows, columns.len()]`. The columns must
/// have no null (see [`drop_missing`]) and hold numbers (or text that reads as one): a
/// value that is not a number is an error naming the column and the row, never a NaN.
///
/// ```no_run
/// use dlcourse::data::uci;
/// let df = uci::drop_missing(&uci::mammographic_masses()?)?;
/// let x = uci::numeric(&df, &["age", "shape", "margin", "density"])?;
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
                    "clean or drop that column first (uci::dummies turns text categories into 0/1 columns)",
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
            "drop the incomplete rows first with dlcourse::data::uci::drop_missing",
        )),
    }
}

/// `y`/`n`-style text columns as 1/0: an `f32` tensor `[rows, columns.len()]` with 1
/// where the value is `one`, 0 where it is `zero`; anything else is an error.
///
/// ```no_run
/// use dlcourse::data::uci;
/// let df = uci::drop_missing(&uci::house_votes()?)?;
/// let y = uci::binary(&df, &["party"], "democrat", "republican")?;
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
/// let (hot, names) = dlcourse::data::uci::dummies(&df, &["shape"])?;
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

/// House votes without nulls as tensors: the 16 votes (`y` → 1, `n` → 0), `f32`
/// `[n, 16]`, and the party (democrat → 1, republican → 0), `f32` `[n, 1]`.
///
/// ```no_run
/// use dlcourse::data::uci;
/// let (x, y) = uci::house_votes_xy(&uci::drop_missing(&uci::house_votes()?)?)?;
/// assert_eq!((x.dims(), y.dims()), (&[232, 16][..], &[232, 1][..]));
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn house_votes_xy(df: &DataFrame) -> Result<(Tensor, Tensor)> {
    let x = binary(df, &HOUSE_VOTES_COLUMNS[1..], "y", "n")?;
    let y = binary(df, &HOUSE_VOTES_COLUMNS[..1], "democrat", "republican")?;
    Ok((x, y))
}

/// Mammographic masses without nulls as tensors: age, shape, margin and density, `f32`
/// `[n, 4]` (BI-RADS left out), and the severity (1 malignant, 0 benign), `f32` `[n, 1]`.
///
/// ```no_run
/// use dlcourse::data::uci;
/// let (x, y) = uci::mammographic_xy(&uci::drop_missing(&uci::mammographic_masses()?)?)?;
/// assert_eq!(x.dims(), &[830, 4]);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn mammographic_xy(df: &DataFrame) -> Result<(Tensor, Tensor)> {
    let x = numeric(df, &MAMMOGRAPHIC_COLUMNS[1..5])?;
    let y = numeric(df, &MAMMOGRAPHIC_COLUMNS[5..])?;
    Ok((x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

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
