//! Several training runs overlaid: one line per run for one loss or metric.

use crate::error::{Error, Result};
use crate::plot::{Curves, Figure};
use crate::train::{History, Key};

impl Curves {
    /// One line per named run for the column `key` ([`Key::LOSS`], [`Key::VAL_ACCURACY`], ...).
    ///
    /// ```
    /// use dlcourse::plot::Curves;
    /// use dlcourse::train::{History, Key};
    /// let (mut fast, mut slow) = (History::new(), History::new());
    /// for e in 1..=5 {
    ///     fast.push(Key::LOSS, 1.0 / e as f64);
    ///     slow.push(Key::LOSS, 1.0 - 0.05 * e as f64);
    /// }
    /// let fig = Curves::compare(&[("lr 0.1", &fast), ("lr 0.01", &slow)], &Key::LOSS)?.log_scale(true).figure();
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn compare(runs: &[(&str, &History)], key: &Key) -> Result<Curves> {
        let title = key.to_string();
        let mut curves = Curves::new(&title).x_label("epoch").y_label(&title);
        for (name, history) in runs {
            let values = history.get(key).ok_or_else(|| {
                let known: Vec<String> = history.keys().map(Key::to_string).collect();
                Error::Usage(format!(
                    "comparing runs: the run {name:?} has no column `{key}` — \
                     it has {known:?}"
                ))
            })?;
            curves = curves.line(name, values);
        }
        Ok(curves)
    }
}

/// Several runs' `key` per epoch overlaid with a legend (a learning-rate sweep, an
/// optimiser race). For a log scale: `Curves::compare(..)?.log_scale(true).figure()`.
///
/// ```
/// # use dlcourse::train::{History, Key};
/// # let (mut h1, mut h2) = (History::new(), History::new());
/// # h1.push(Key::LOSS, 1.0); h2.push(Key::LOSS, 2.0);
/// let fig = dlcourse::plot::compare(&[("lr 0.1", &h1), ("lr 0.01", &h2)], &Key::LOSS)?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn compare(runs: &[(&str, &History)], key: &Key) -> Result<Figure<Curves>> {
    Ok(Curves::compare(runs, key)?.figure())
}
