//! `History`: what `fit` returns, one value per epoch for each loss and metric.

/// Per-epoch values of the loss and metrics (`loss`, `accuracy`, `val_loss`,
/// `val_accuracy`, ...), like Keras' `history.history`.
///
/// In Jupyter, a `History` at the end of a cell draws its loss and accuracy curves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    columns: Vec<(String, Vec<f64>)>,
    seconds: Vec<f64>,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `value` to the column `name` (creating it on first use).
    pub fn push(&mut self, name: &str, value: f64) {
        match self.columns.iter_mut().find(|(n, _)| n == name) {
            Some((_, values)) => values.push(value),
            None => self.columns.push((name.to_owned(), vec![value])),
        }
    }

    /// Records the wall time of an epoch.
    pub fn push_seconds(&mut self, seconds: f64) {
        self.seconds.push(seconds);
    }

    /// The values of one column, e.g. `history.get("val_loss")`.
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The training loss per epoch (empty before training).
    pub fn loss(&self) -> &[f64] {
        self.get("loss").unwrap_or(&[])
    }

    /// The last value of a column.
    pub fn last(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(|v| v.last().copied())
    }

    /// Column names in the order they were first recorded.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(n, _)| n.as_str())
    }

    /// Number of epochs recorded.
    pub fn epochs(&self) -> usize {
        self.loss().len()
    }

    /// Wall-clock seconds of each epoch.
    pub fn epoch_seconds(&self) -> &[f64] {
        &self.seconds
    }

    /// Appends another history (for a `fit` that continues training).
    pub fn extend(&mut self, other: &History) {
        for (name, values) in &other.columns {
            for v in values {
                self.push(name, *v);
            }
        }
        self.seconds.extend_from_slice(&other.seconds);
    }
}
