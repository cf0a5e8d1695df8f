//! Tables (polars `DataFrame`s) made ready for a network, whatever file they came from:
//! missing values dropped ([`drop_missing`]) or filled in ([`impute_most_frequent`]),
//! each column summarised ([`describe`], as pandas' `describe()` does for text columns),
//! and columns turned into tensors ([`numeric`], [`binary`], [`dummies`] for one-hot).
//! Needs the `tables` feature (on by default).
//!
//! ```
//! use dlcourse::data::frame;
//! use dlcourse::polars::prelude::{Column, DataFrame};
//! let df = DataFrame::new(3, vec![
//!     Column::new("age".into(), [Some(61i32), None, Some(43)]),
//!     Column::new("smoker".into(), ["yes", "no", "no"]),
//! ])?;
//! let complete = frame::drop_missing(&df)?;
//! let x = frame::numeric(&complete, &["age"])?;
//! let y = frame::binary(&complete, &["smoker"], "yes", "no")?;
//! assert_eq!(x.to_vec2::<f32>()?, [[61.], [43.]]);
//! assert_eq!(y.to_vec2::<f32>()?, [[1.], [0.]]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod clean;
mod tensors;

pub use clean::{describe, drop_missing, impute_most_frequent};
pub use tensors::{binary, dummies, numeric};

use crate::error::Error;
use polars::prelude::PolarsError;

pub(crate) fn polars_error(context: &str) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::Usage(format!("{context}: {e}"))
}
