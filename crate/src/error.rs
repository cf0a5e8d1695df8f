//! The crate's error type: every message says what was being done, what was expected,
//! what was found, and how to fix it.

use std::path::PathBuf;

/// Everything that can go wrong in `dlcourse`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tensor operation failed inside Candle.
    #[error("tensor operation failed: {0}")]
    Candle(#[from] candle_core::Error),

    /// Reading or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("reading", "writing", ...).
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A data file is missing, damaged or not in the expected format.
    #[error("reading {path}: {problem} — {fix}")]
    Data {
        /// The file (or folder) concerned.
        path: PathBuf,
        /// What was expected and what was found.
        problem: String,
        /// What to do about it.
        fix: String,
    },

    /// Downloading a dataset failed; nothing was left in the cache.
    #[error("downloading {url}: {problem} — {fix}")]
    Download {
        /// The address.
        url: String,
        /// What went wrong.
        problem: String,
        /// What to do about it.
        fix: String,
    },

    /// A model, layer or training setting does not fit the data it was given.
    #[error("{context}: expected {expected}, found {found} — {fix}")]
    Shape {
        /// What was being done, with the layer or argument concerned.
        context: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
        /// What to do about it.
        fix: String,
    },

    /// The loss became NaN or infinite during training.
    #[error(
        "the loss became {value} at epoch {epoch}, batch {batch}: training diverged — \
         lower the learning rate (it is {learning_rate}) or scale the inputs"
    )]
    NonFiniteLoss {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based batch within the epoch.
        batch: usize,
        /// The loss value (NaN or ±inf).
        value: f64,
        /// The learning rate in use.
        learning_rate: f64,
    },

    /// A method was called at the wrong moment (for example `fit` before `compile`).
    #[error("{0}")]
    Usage(String),

    /// Drawing or encoding a picture failed.
    #[error("drawing {what}: {message}")]
    Plot {
        /// The picture being drawn.
        what: &'static str,
        /// What went wrong.
        message: String,
    },

    /// An environment variable holds a value the crate does not understand.
    #[error("environment variable {name}={value:?} is not valid: expected {expected}")]
    Env {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// The accepted values.
        expected: &'static str,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A shape/setting mismatch (see [`Error::Shape`]).
    pub fn shape(
        context: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Error::Shape {
            context: context.into(),
            expected: expected.into(),
            found: found.into(),
            fix: fix.into(),
        }
    }

    /// A problem with the data file `path` (see [`Error::Data`]).
    pub fn data(
        path: impl Into<PathBuf>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Error::Data {
            path: path.into(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
