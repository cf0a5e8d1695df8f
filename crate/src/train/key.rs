//! Typed names of logged values: what a value measures ([`Quantity`]) and on which data
//! ([`Split`]). A [`Key`] shows as Keras' name (`loss`, `val_accuracy`), so progress lines
//! and pictures read like Keras', while code names columns with types, not strings.

use crate::train::Metric;
use std::borrow::Cow;
use std::fmt;

/// What a logged value measures.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Quantity {
    /// The compiled loss, or the total loss of a custom training step.
    Loss,
    /// A compiled metric.
    Metric(Metric),
    /// A value a custom training step names itself (a VAE's `kl_loss`). Lower is better.
    Named(Cow<'static, str>),
}

impl Quantity {
    /// The name Keras gives it (`loss`, `accuracy`, or the custom name).
    pub fn name(&self) -> &str {
        match self {
            Quantity::Loss => "loss",
            Quantity::Metric(metric) => metric.name(),
            Quantity::Named(name) => name,
        }
    }

    /// Whether larger values are better (metrics), rather than smaller (losses).
    pub fn higher_is_better(&self) -> bool {
        matches!(self, Quantity::Metric(_))
    }
}

/// The data a value was measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// The training batches (and `evaluate`'s data): no prefix, as in Keras.
    Training,
    /// The validation data given to `fit`: shown with Keras' `val_` prefix.
    Validation,
}

/// The name of one column of a [`History`](crate::train::History) or one value of
/// [`Logs`](crate::train::Logs): a quantity measured on training or validation data.
///
/// ```
/// use dlcourse::train::{Key, Metric};
/// assert_eq!(Key::VAL_ACCURACY.to_string(), "val_accuracy");
/// assert_eq!(Key::metric(Metric::Accuracy).validation(), Key::VAL_ACCURACY);
/// assert!(Key::VAL_ACCURACY.higher_is_better() && !Key::LOSS.higher_is_better());
/// assert_eq!(Key::named("kl_loss").to_string(), "kl_loss");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// What is measured.
    pub quantity: Quantity,
    /// On which data.
    pub split: Split,
}

impl Key {
    /// The training loss (Keras: `loss`).
    pub const LOSS: Key = Key::new(Quantity::Loss, Split::Training);
    /// The validation loss (Keras: `val_loss`).
    pub const VAL_LOSS: Key = Key::new(Quantity::Loss, Split::Validation);
    /// The training accuracy (Keras: `accuracy`).
    pub const ACCURACY: Key = Key::new(Quantity::Metric(Metric::Accuracy), Split::Training);
    /// The validation accuracy (Keras: `val_accuracy`).
    pub const VAL_ACCURACY: Key = Key::new(Quantity::Metric(Metric::Accuracy), Split::Validation);

    /// `quantity` measured on `split`.
    pub const fn new(quantity: Quantity, split: Split) -> Key {
        Key { quantity, split }
    }

    /// A compiled metric on the training data.
    pub const fn metric(metric: Metric) -> Key {
        Key::new(Quantity::Metric(metric), Split::Training)
    }

    /// A value a custom training step names itself, on its training batches.
    pub const fn named(name: &'static str) -> Key {
        Key::new(Quantity::Named(Cow::Borrowed(name)), Split::Training)
    }

    /// The same quantity on the validation data.
    pub fn validation(self) -> Key {
        Key {
            split: Split::Validation,
            ..self
        }
    }

    /// The same quantity on the training data.
    pub fn training(self) -> Key {
        Key {
            split: Split::Training,
            ..self
        }
    }

    /// Whether larger values are better (metrics), rather than smaller (losses).
    pub fn higher_is_better(&self) -> bool {
        self.quantity.higher_is_better()
    }
}

impl From<Metric> for Key {
    fn from(metric: Metric) -> Key {
        Key::metric(metric)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.split == Split::Validation {
            f.write_str("val_")?;
        }
        f.write_str(self.quantity.name())
    }
}
