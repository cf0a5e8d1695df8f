//! A wall-clock budget for training: stop after the epoch that uses it up, so a long run
//! (lesson 15's VAE, lesson 16's GAN) can be given "an hour" instead of a number of epochs.

use crate::error::{Error, Result};
use crate::train::{Callback, EpochEnd};
use std::time::{Duration, Instant};

/// Stops training after the first epoch that ends once `budget` has passed
/// (TensorFlow Addons: `TimeStopping`). The clock starts when the callback is made, so
/// make it in the `fit` call. An epoch already running is finished, never cut short.
///
/// ```
/// use dlcourse::train::{Fit, TimeLimit};
/// let fit = Fit::epochs(32).callback(TimeLimit::minutes(60.0));
/// ```
#[derive(Debug, Clone)]
pub struct TimeLimit {
    budget: Duration,
    started: Instant,
    stopped_after: Option<usize>,
}

impl TimeLimit {
    /// A budget of `budget` from now.
    pub fn new(budget: Duration) -> Self {
        TimeLimit {
            budget,
            started: Instant::now(),
            stopped_after: None,
        }
    }

    /// A budget of `minutes` minutes from now (negative or NaN counts as zero, too many to
    /// count as no limit).
    pub fn minutes(minutes: f64) -> Self {
        let seconds = if minutes.is_finite() {
            minutes.max(0.0) * 60.0
        } else {
            0.0
        };
        Self::new(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX))
    }

    /// A budget of the minutes in the environment variable `name` (e.g. `VAE_MINUTES=60`
    /// for an example program), `None` when it is not set; an error naming the variable
    /// when it is not a number of minutes above 0.
    pub fn from_env(name: &str) -> Result<Option<Self>> {
        parse_minutes(name, std::env::var(name).ok().as_deref())
    }

    /// The epoch after which this limit stopped training, if it did.
    pub fn stopped_after(&self) -> Option<usize> {
        self.stopped_after
    }
}

/// The budget `value` (in minutes) of the setting `name`: `None` when unset.
fn parse_minutes(name: &str, value: Option<&str>) -> Result<Option<TimeLimit>> {
    let Some(value) = value else {
        return Ok(None);
    };
    match value.trim().parse::<f64>() {
        Ok(minutes) if minutes.is_finite() && minutes > 0.0 => {
            Ok(Some(TimeLimit::minutes(minutes)))
        }
        _ => Err(Error::Usage(format!(
            "{name}={value}: expected a number of minutes above 0 (e.g. {name}=60), \
             or leave {name} unset for no time limit"
        ))),
    }
}

impl Callback for TimeLimit {
    fn on_epoch_end(&mut self, end: &mut EpochEnd) -> Result<()> {
        if self.started.elapsed() >= self.budget {
            self.stopped_after = Some(end.epoch);
            end.stop_training();
        }
        Ok(())
    }

    fn on_train_end(&mut self, _end: &mut EpochEnd) -> Result<()> {
        if let Some(epoch) = self.stopped_after {
            println!(
                "Time limit: stopped after epoch {epoch}, {:.1} minutes into a budget of {:.1}",
                self.started.elapsed().as_secs_f64() / 60.0,
                self.budget.as_secs_f64() / 60.0
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    fn epochs_trained(limit: TimeLimit) -> Result<usize> {
        let x = Tensor::arange(0f32, 8., &Device::Cpu)?.reshape((8, 1))?;
        let mut model = Sequential::new(&[1])
            .add(Dense::new(1))
            .build(&Device::Cpu, 0)?;
        model.compile(Optimizer::sgd(0.001), Loss::MeanSquaredError, &[])?;
        let history = model.fit(&x, &x, Fit::epochs(5).quiet().callback(limit))?;
        Ok(history.epochs())
    }

    #[test]
    fn a_spent_budget_stops_after_the_first_epoch_and_a_long_one_never() -> Result<()> {
        assert_eq!(epochs_trained(TimeLimit::minutes(0.0))?, 1);
        assert_eq!(epochs_trained(TimeLimit::minutes(f64::NAN))?, 1);
        assert_eq!(epochs_trained(TimeLimit::minutes(60.0))?, 5);
        Ok(())
    }

    #[test]
    fn a_budget_setting_is_a_positive_number_of_minutes() -> Result<()> {
        let name = "VAE_MINUTES";
        assert!(parse_minutes(name, None)?.is_none());
        let limit = parse_minutes(name, Some(" 90 "))?.unwrap();
        assert_eq!(limit.budget, Duration::from_secs(5400));
        assert_eq!(
            parse_minutes(name, Some("1e300"))?.unwrap().budget,
            Duration::MAX
        );
        for bad in ["0", "-5", "an hour", "inf", ""] {
            let err = parse_minutes(name, Some(bad)).unwrap_err().to_string();
            assert!(err.contains(name) && err.contains("above 0"), "{err}");
        }
        Ok(())
    }
}
