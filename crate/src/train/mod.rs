//! Training machinery, independent of how a model is built: losses, optimisers, metrics,
//! the per-epoch `History`, fit settings, and batching.

mod batches;
mod fit;
mod history;
mod loss;
mod metric;
mod optimizer;

pub use batches::Batches;
pub use fit::{Fit, Validation};
pub use history::History;
pub use loss::Loss;
pub use metric::Metric;
pub use optimizer::{Optimizer, ParamUpdate};
