//! `Logs`: the named values of one batch, one epoch or one evaluation.

use crate::error::{Error, Result};
use crate::train::{Key, Metric};
use std::fmt;

/// Values keyed by what they measure, in the order they were recorded: what `evaluate`
/// returns (Keras: the list `evaluate` returns, with its names) and what a training step
/// reports per batch.
///
/// ```
/// use dlcourse::train::{Key, Logs};
/// let logs = Logs::from([(Key::LOSS, 0.25), (Key::ACCURACY, 0.9)]);
/// assert_eq!(logs.loss()?, 0.25);
/// assert_eq!(logs.accuracy()?, 0.9);
/// assert_eq!(logs.to_string(), "loss: 0.2500 - accuracy: 0.9000");
/// assert!(Logs::from([(Key::LOSS, 0.25)]).accuracy().is_err());
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Logs {
    entries: Vec<(Key, f64)>,
}

impl Logs {
    /// No values yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `value` under `key` (replacing an earlier value of the same key).
    pub fn push(&mut self, key: Key, value: f64) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.entries.push((key, value)),
        }
    }

    /// The value of `key`, if recorded.
    pub fn get(&self, key: &Key) -> Option<f64> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// The value of `key`, or an error naming what was recorded instead.
    pub fn value(&self, key: &Key) -> Result<f64> {
        self.get(key).ok_or_else(|| {
            let known: Vec<String> = self.keys().map(Key::to_string).collect();
            let fix = match &key.quantity {
                crate::train::Quantity::Metric(m) => format!(
                    "compile the model with Metric::{m:?} to measure it (e.g. \
                     model.compile(optimizer, loss, &[Metric::{m:?}]))"
                ),
                _ => "ask for one of the recorded values".to_string(),
            };
            Error::Usage(format!(
                "`{key}` was not measured (recorded: {}) — {fix}",
                if known.is_empty() {
                    "nothing".to_string()
                } else {
                    known.join(", ")
                }
            ))
        })
    }

    /// The loss.
    pub fn loss(&self) -> Result<f64> {
        self.value(&Key::LOSS)
    }

    /// The accuracy (a fraction, 0 to 1); an error when the model was compiled without
    /// [`Metric::Accuracy`].
    pub fn accuracy(&self) -> Result<f64> {
        self.value(&Key::metric(Metric::Accuracy))
    }

    /// The keys, in recording order.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The (key, value) pairs, in recording order.
    pub fn iter(&self) -> impl Iterator<Item = (&Key, f64)> {
        self.entries.iter().map(|(k, v)| (k, *v))
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Shows the values as one line of text in Jupyter.
    pub fn evcxr_display(&self) {
        println!("EVCXR_BEGIN_CONTENT text/plain\n{self}\nEVCXR_END_CONTENT");
    }
}

impl FromIterator<(Key, f64)> for Logs {
    fn from_iter<I: IntoIterator<Item = (Key, f64)>>(iter: I) -> Self {
        let mut logs = Logs::new();
        for (key, value) in iter {
            logs.push(key, value);
        }
        logs
    }
}

impl<const N: usize> From<[(Key, f64); N]> for Logs {
    fn from(entries: [(Key, f64); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl IntoIterator for Logs {
    type Item = (Key, f64);
    type IntoIter = std::vec::IntoIter<(Key, f64)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl fmt::Display for Logs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (key, value)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" - ")?;
            }
            write!(f, "{key}: {value:.4}")?;
        }
        Ok(())
    }
}
