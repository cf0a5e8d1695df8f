//! `History`: what `fit` returns, one value per epoch for each loss and metric.

use crate::train::{Key, Logs, Metric};

/// Per-epoch values of the loss and metrics (`loss`, `accuracy`, `val_loss`,
/// `val_accuracy`, ...), like Keras' `history.history`, keyed by [`Key`].
///
/// In Jupyter, a `History` at the end of a cell draws its loss and accuracy curves.
///
/// ```
/// use dlcourse::train::{History, Key};
/// let mut history = History::new();
/// for (loss, val) in [(0.9, 0.6), (0.5, 0.7), (0.3, 0.65)] {
///     history.push(Key::LOSS, loss);
///     history.push(Key::VAL_ACCURACY, val);
/// }
/// assert_eq!(history.loss(), [0.9, 0.5, 0.3]);
/// assert_eq!(history.best(&Key::VAL_ACCURACY), Some((2, 0.7)));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    columns: Vec<(Key, Vec<f64>)>,
    seconds: Vec<f64>,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `value` to the column `key` (creating it on first use).
    pub fn push(&mut self, key: Key, value: f64) {
        match self.columns.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push(value),
            None => self.columns.push((key, vec![value])),
        }
    }

    /// Appends every value of `logs` to its column.
    pub fn push_logs(&mut self, logs: Logs) {
        for (key, value) in logs {
            self.push(key, value);
        }
    }

    /// Records the wall time of an epoch.
    pub fn push_seconds(&mut self, seconds: f64) {
        self.seconds.push(seconds);
    }

    /// The values of one column, e.g. `history.get(&Key::VAL_LOSS)`.
    pub fn get(&self, key: &Key) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }

    /// The values of one column, empty when it was not recorded.
    fn column(&self, key: &Key) -> &[f64] {
        self.get(key).unwrap_or(&[])
    }

    /// The training loss per epoch (empty before training).
    pub fn loss(&self) -> &[f64] {
        self.column(&Key::LOSS)
    }

    /// The validation loss per epoch (empty without validation data).
    pub fn val_loss(&self) -> &[f64] {
        self.column(&Key::VAL_LOSS)
    }

    /// The training accuracy per epoch (empty when not compiled with it).
    pub fn accuracy(&self) -> &[f64] {
        self.column(&Key::metric(Metric::Accuracy))
    }

    /// The validation accuracy per epoch (empty without validation data).
    pub fn val_accuracy(&self) -> &[f64] {
        self.column(&Key::VAL_ACCURACY)
    }

    /// The last value of a column.
    pub fn last(&self, key: &Key) -> Option<f64> {
        self.get(key).and_then(|v| v.last().copied())
    }

    /// The best epoch of a column (1-based) and its value: the largest for metrics, the
    /// smallest for losses; the first such epoch on ties.
    pub fn best(&self, key: &Key) -> Option<(usize, f64)> {
        let values = self.get(key)?;
        let better = |a: f64, b: f64| {
            if key.higher_is_better() { a > b } else { a < b }
        };
        let mut best: Option<(usize, f64)> = None;
        for (i, &v) in values.iter().enumerate() {
            if best.is_none_or(|(_, b)| better(v, b)) {
                best = Some((i + 1, v));
            }
        }
        best
    }

    /// Column keys in the order they were first recorded.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.columns.iter().map(|(k, _)| k)
    }

    /// Number of epochs recorded.
    pub fn epochs(&self) -> usize {
        self.columns.first().map_or(0, |(_, v)| v.len())
    }

    /// Wall-clock seconds of each epoch.
    pub fn epoch_seconds(&self) -> &[f64] {
        &self.seconds
    }

    /// Appends another history (for a `fit` that continues training).
    pub fn extend(&mut self, other: &History) {
        for (key, values) in &other.columns {
            for v in values {
                self.push(key.clone(), *v);
            }
        }
        self.seconds.extend_from_slice(&other.seconds);
    }
}
