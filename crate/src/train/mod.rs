//! Training machinery, independent of how a model is built: losses, optimisers, metrics,
//! `Fit` settings, the epoch loop (also for custom training steps), callbacks and the
//! per-epoch `History`.

mod batches;
mod callbacks;
mod checkpoint;
mod epochs;
mod fit;
mod history;
mod key;
mod logs;
mod loss;
mod lr_finder;
mod metric;
mod optimizer;
mod penalty;
mod resume;
mod thresholds;
mod time_limit;

pub use batches::Batches;
pub use callbacks::{
    Callback, EarlyStopping, EpochEnd, LearningRateSchedule, Weights, on_epoch_end,
};
pub use checkpoint::Checkpoint;
pub use epochs::{TrainStep, fit_custom, run_epochs};
pub use fit::{Fit, Validation};
pub use history::History;
pub use key::{Key, Quantity, Split};
pub use logs::Logs;
pub use loss::Loss;
pub use lr_finder::{LrFind, LrFinder, lr_find};
pub use metric::Metric;
pub use optimizer::{Optimizer, ParamUpdate};
pub use penalty::L2Penalty;
pub(crate) use resume::Resumable;
pub use thresholds::{Costs, Counts, PrPoint, RocPoint, Thresholds};
pub use time_limit::TimeLimit;
