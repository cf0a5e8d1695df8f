//! Several training runs overlaid: one line per run for one loss or metric.

use crate::error::{Error, Result};
use crate::plot::{Curves, Figure};
use crate::train::History;

impl Curves {
    /// One line per named run for the column `metric` (`"loss"`, `"val_accuracy"`, ...).
    ///
    /// ```
    /// use dlcourse::plot::Curves;
    /// use dlcourse::train::History;
    /// let (mut fast, mut slow) = (History::new(), History::new());
    /// for e in 1..=5 {
    ///     fast.push("loss", 1.0 / e as f64);
    ///     slow.push("loss", 1.0 - 0.05 * e as f64);
    /// }
    /// let fig = Curves::compare(&[("lr 0.1", &fast), ("lr 0.01", &slow)], "loss")?.log_scale(true).figure();
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn compare(runs: &[(&str, &History)], metric: &str) -> Result<Curves> {
        let mut curves = Curves::new(metric).x_label("epoch").y_label(metric);
        for (name, history) in runs {
            let values = history.get(metric).ok_or_else(|| {
                let known: Vec<&str> = history.names().collect();
                Error::Usage(format!(
                    "comparing runs: the run {name:?} has no column {metric:?} — \
                     it has {known:?}"
                ))
            })?;
            curves = curves.line(name, values);
        }
        Ok(curves)
    }
}

/// Several runs' `metric` per epoch overlaid with a legend (a learning-rate sweep, an
/// optimiser race). For a log scale: `Curves::compare(..)?.log_scale(true).figure()`.
///
/// ```
/// # use dlcourse::train::History;
/// # let (mut h1, mut h2) = (History::new(), History::new());
/// # h1.push("loss", 1.0); h2.push("loss", 2.0);
/// let fig = dlcourse::plot::compare(&[("lr 0.1", &h1), ("lr 0.01", &h2)], "loss")?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn compare(runs: &[(&str, &History)], metric: &str) -> Result<Figure<Curves>> {
    Ok(Curves::compare(runs, metric)?.figure())
}
