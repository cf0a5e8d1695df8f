//! Settings of a `fit` call (Keras: `model.fit(x, y, epochs=.., batch_size=.., ...)`).

use crate::data::augment::Augment;
use crate::train::Callback;
use candle_core::Tensor;
use std::fmt;

/// Where validation numbers come from.
#[derive(Debug, Clone, Default)]
pub enum Validation {
    /// No validation.
    #[default]
    None,
    /// Separate validation inputs and targets (Keras: `validation_data=(x, y)`).
    Data(Tensor, Tensor),
    /// Hold out this fraction of the training data, taken from the end before shuffling
    /// (Keras: `validation_split=0.2`).
    Split(f64),
}

/// How to train: epochs, batch size, shuffling, validation, verbosity and callbacks.
///
/// ```
/// use dlcourse::train::Fit;
/// let fit = Fit::epochs(10).batch_size(100).quiet();
/// assert_eq!(fit.epochs, 10);
/// ```
pub struct Fit {
    /// Passes over the training data.
    pub epochs: usize,
    /// Samples per gradient step (Keras' default is 32).
    pub batch_size: usize,
    /// Reshuffle the samples every epoch (seeded by the model).
    pub shuffle: bool,
    /// Validation data, if any.
    pub validation: Validation,
    /// Print one progress line per epoch.
    pub verbose: bool,
    /// Run after every epoch, in order.
    pub callbacks: Vec<Box<dyn Callback>>,
    /// Random shifts/flips applied to each training batch's inputs (see [`Fit::augment`]).
    pub augment: Option<Augment>,
}

impl fmt::Debug for Fit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fit")
            .field("epochs", &self.epochs)
            .field("batch_size", &self.batch_size)
            .field("shuffle", &self.shuffle)
            .field("validation", &self.validation)
            .field("verbose", &self.verbose)
            .field("callbacks", &self.callbacks.len())
            .field("augment", &self.augment)
            .finish()
    }
}

impl Fit {
    /// Train for `epochs` epochs with Keras' defaults: batch size 32, shuffled, verbose.
    pub fn epochs(epochs: usize) -> Self {
        Fit {
            epochs,
            batch_size: 32,
            shuffle: true,
            validation: Validation::None,
            verbose: true,
            callbacks: Vec::new(),
            augment: None,
        }
    }

    /// Sets the batch size.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Validates on separate data after every epoch.
    pub fn validation_data(mut self, x: &Tensor, y: &Tensor) -> Self {
        self.validation = Validation::Data(x.clone(), y.clone());
        self
    }

    /// Holds out the last `fraction` of the training data for validation.
    pub fn validation_split(mut self, fraction: f64) -> Self {
        self.validation = Validation::Split(fraction);
        self
    }

    /// Keeps the samples in order (no shuffling).
    pub fn no_shuffle(mut self) -> Self {
        self.shuffle = false;
        self
    }

    /// Prints nothing while training (Keras: `verbose=0`).
    pub fn quiet(mut self) -> Self {
        self.verbose = false;
        self
    }

    /// Changes each training batch's inputs (the first tensor) at random before the step:
    /// shifts and flips of images, new ones every batch, drawn from the model's seed
    /// (Keras: augmentation layers or `ImageDataGenerator`). Validation data is left as it is.
    ///
    /// ```
    /// use dlcourse::data::augment::Augment;
    /// use dlcourse::train::Fit;
    /// let fit = Fit::epochs(10).augment(Augment::new().shift(2).flip_horizontal());
    /// ```
    pub fn augment(mut self, augment: Augment) -> Self {
        self.augment = Some(augment);
        self
    }

    /// Adds a callback (early stopping, a learning-rate schedule, a hook).
    pub fn callback(mut self, callback: impl Callback + 'static) -> Self {
        self.callbacks.push(Box::new(callback));
        self
    }
}
