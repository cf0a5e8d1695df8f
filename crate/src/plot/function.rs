//! Function plots: a curve y = f(x) (activation functions and their derivatives), and
//! gradient descent's steps on a curve.

use crate::plot::{Curves, Figure};
use std::ops::Range;

/// How many points a curve is drawn through.
const SAMPLES: usize = 400;

impl Curves {
    /// Adds the line y = `f`(x) over `range`.
    ///
    /// ```
    /// use dlcourse::plot::Curves;
    /// let fig = Curves::new("Activations")
    ///     .function("sigmoid", |x| 1.0 / (1.0 + (-x).exp()), -6.0..6.0)
    ///     .function("ReLU", |x| x.max(0.0), -6.0..6.0)
    ///     .figure();
    /// ```
    pub fn function(self, name: &str, f: impl Fn(f64) -> f64, range: Range<f64>) -> Self {
        let step = (range.end - range.start) / (SAMPLES - 1) as f64;
        let points = (0..SAMPLES)
            .map(|i| range.start + step * i as f64)
            .map(|x| (x, f(x)))
            .collect();
        self.points(name, points)
    }
}

/// The curve y = `f`(x) over `range` with each run's visited x values marked on it as
/// joined dots (`runs`: a name and the x after each step).
///
/// ```
/// let f = |x: f64| x.powi(4) - 3.0 * x.powi(2) + x;
/// let plain = [2.0, 1.6, 1.3, 1.15];
/// let fig = dlcourse::plot::descent(f, -2.2..2.2, &[("plain", &plain[..])]);
/// assert!(fig.to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn descent(
    f: impl Fn(f64) -> f64,
    range: Range<f64>,
    runs: &[(&str, &[f64])],
) -> Figure<Curves> {
    let mut curves = Curves::new("Gradient descent")
        .x_label("x")
        .y_label("f(x)")
        .function("f(x)", &f, range);
    for (name, xs) in runs {
        curves = curves.path(name, xs.iter().map(|&x| (x, f(x))).collect());
    }
    curves.figure()
}
