//! Two small tables from the UCI Machine Learning Repository, as polars `DataFrame`s with
//! named columns; `?` in the files (a missing value) becomes a null.
//!
//! * [`house_votes`]: the 1984 Congressional Voting Records, 435 representatives, their
//!   party and 16 votes (`"y"`, `"n"` or null);
//! * [`mammographic_masses`]: 961 mammograms, five integer attributes and the severity.
//!
//! What cleans any table and turns its columns into tensors is in [`frame`](super::frame)
//! ([`drop_missing`], [`impute_most_frequent`], [`describe`], [`numeric`], [`binary`],
//! [`dummies`]), re-exported here for the lessons. Needs the `datasets` and `tables`
//! features (both on by default).
//!
//! ```no_run
//! use dlcourse::data::uci;
//! let votes = uci::drop_missing(&uci::house_votes()?)?; // 232 complete rows
//! let (x, y) = uci::house_votes_xy(&votes)?; // f32 [232, 16] and [232, 1]
//! # Ok::<(), dlcourse::Error>(())
//! ```

pub use super::frame::{binary, describe, drop_missing, dummies, impute_most_frequent, numeric};
use super::locate::{DataFile, Locator};
use crate::error::{Error, Result};
use candle_core::Tensor;
use polars::prelude::Column;
pub use polars::prelude::DataFrame;
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
