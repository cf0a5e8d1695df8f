//! A strip plot with boxes: the values of a few groups side by side (the final accuracy
//! of several seeds per batch size), so the spread of each group shows at a glance.

use crate::error::{Error, Result};
use crate::plot::curves::tick;
use crate::plot::figure::drawing;
use crate::plot::setters::text_setters;
use crate::plot::{Figure, Plot, font, palette};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One column per group: every value as a dot (spread sideways so equal values stay
/// visible), over a box from the lower to the upper quartile with the median as a line
/// and whiskers to the smallest and largest value.
///
/// ```
/// use dlcourse::plot::Strip;
/// let small = [0.91, 0.93, 0.92, 0.94];
/// let large = [0.85, 0.88, 0.80, 0.87];
/// let strip = Strip::new(&[("batch 16", &small[..]), ("batch 512", &large[..])])?
///     .title("Final accuracy over 4 seeds")
///     .y_label("test accuracy");
/// assert!((strip.spreads()[1] - 0.08).abs() < 1e-12);
/// assert!(strip.figure().to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Strip {
    groups: Vec<(String, Vec<f64>)>,
    title: String,
    y_label: String,
}

/// The five numbers a box shows.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Summary {
    min: f64,
    lower: f64,
    median: f64,
    upper: f64,
    max: f64,
}

impl Strip {
    text_setters!(title: "A title above the chart.", y_label: "Names the y axis.");

    /// One column per `(name, values)` group, in order; an error when there is no group,
    /// or a group is empty or has a value that is not finite.
    pub fn new<S: AsRef<str>>(groups: &[(S, &[f64])]) -> Result<Self> {
        if groups.is_empty() {
            return Err(Error::Usage(
                "drawing a strip plot: expected at least one group, found none — pass \
                 (name, values) pairs, e.g. &[(\"batch 32\", &accuracies[..])]"
                    .into(),
            ));
        }
        for (name, values) in groups {
            let name = name.as_ref();
            if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
                return Err(Error::Usage(format!(
                    "drawing a strip plot: expected finite values in group {name:?}, found \
                     {values:?} — leave out runs that failed, or give each group one value \
                     per run"
                )));
            }
        }
        Ok(Strip {
            groups: groups
                .iter()
                .map(|(n, v)| (n.as_ref().to_owned(), v.to_vec()))
                .collect(),
            title: String::new(),
            y_label: String::new(),
        })
    }

    /// The range (largest − smallest) of each group's values, in order.
    pub fn spreads(&self) -> Vec<f64> {
        self.summaries().iter().map(|s| s.max - s.min).collect()
    }

    fn summaries(&self) -> Vec<Summary> {
        self.groups.iter().map(|(_, v)| summary(v)).collect()
    }

    /// The plot as a figure, 720×440 pixels (wider for more than five groups).
    pub fn figure(self) -> Figure<Self> {
        let width = 720.max(120 + 130 * self.groups.len() as u32);
        Figure::new(self, width, 440)
    }
}

/// Quartiles by linear interpolation between sorted values (NumPy's default).
fn summary(values: &[f64]) -> Summary {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (sorted.len() - 1) as f64;
        let (i, frac) = (pos.floor() as usize, pos.fract());
        let next = sorted[(i + 1).min(sorted.len() - 1)];
        sorted[i] + frac * (next - sorted[i])
    };
    Summary {
        min: sorted[0],
        lower: at(0.25),
        median: at(0.5),
        upper: at(0.75),
        max: sorted[sorted.len() - 1],
    }
}

impl Plot for Strip {
    fn what(&self) -> &'static str {
        "a strip plot"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let what = self.what();
        let summaries = self.summaries();
        let lo = summaries.iter().map(|s| s.min).fold(f64::MAX, f64::min);
        let hi = summaries.iter().map(|s| s.max).fold(f64::MIN, f64::max);
        let pad = if hi > lo {
            (hi - lo) * 0.08
        } else {
            lo.abs().max(1.0) * 0.05
        };
        let n = self.groups.len();
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (font::FAMILY, 22))
            .margin(12)
            .margin_right(28)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, (lo - pad)..(hi + pad))
            .map_err(|e| drawing(what, e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc(&self.y_label)
            .y_label_formatter(&tick)
            .label_style((font::FAMILY, 14))
            .axis_desc_style((font::FAMILY, 16))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| drawing(what, e))?;
        // The group names under their columns, in the label area below the chart.
        let (base_x, base_y) = area.get_base_pixel();
        let style = font::style(15.0).pos(Pos::new(HPos::Center, VPos::Top));
        for (i, (name, _)) in self.groups.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(i as f64, lo - pad));
            area.draw_text(name, &style, (px - base_x, py - base_y + 10))
                .map_err(|e| drawing(what, e))?;
        }
        for (i, ((_, values), s)) in self.groups.iter().zip(&summaries).enumerate() {
            let (x, color) = (i as f64, palette::color(i));
            let edge = color.stroke_width(2);
            let (left, right) = (x - 0.22, x + 0.22);
            let parts = [
                Rectangle::new(
                    [(left, s.lower), (right, s.upper)],
                    palette::tint(color, 0.18).filled(),
                ),
                Rectangle::new([(left, s.lower), (right, s.upper)], edge),
            ];
            chart.draw_series(parts).map_err(|e| drawing(what, e))?;
            let lines = [
                vec![(left, s.median), (right, s.median)],
                vec![(x, s.upper), (x, s.max)],
                vec![(x, s.lower), (x, s.min)],
                vec![(x - 0.1, s.max), (x + 0.1, s.max)],
                vec![(x - 0.1, s.min), (x + 0.1, s.min)],
            ];
            let lines = lines.into_iter().map(|l| PathElement::new(l, edge));
            chart.draw_series(lines).map_err(|e| drawing(what, e))?;
            // A fixed low-discrepancy spread, so a picture never changes between runs.
            let dots = values.iter().enumerate().map(|(k, &v)| {
                let offset = ((k as f64 * 0.618_034).fract() - 0.5) * 0.3;
                Circle::new((x + offset, v), 5, color.filled())
            });
            chart.draw_series(dots).map_err(|e| drawing(what, e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_show_quartiles_and_bad_groups_are_rejected() {
        let s = summary(&[4.0, 1.0, 3.0, 2.0, 5.0]);
        assert_eq!(
            (s.min, s.lower, s.median, s.upper, s.max),
            (1.0, 2.0, 3.0, 4.0, 5.0)
        );
        let even = summary(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((even.lower, even.median, even.upper), (1.75, 2.5, 3.25));
        let empty: &[f64] = &[];
        assert!(Strip::new(&[("a", empty)]).is_err());
        assert!(Strip::new(&[("a", &[1.0, f64::NAN][..])]).is_err());
        assert!(Strip::new::<&str>(&[]).is_err());
        let one = Strip::new(&[("one", &[0.5][..])]).unwrap();
        assert_eq!(one.spreads(), [0.0]);
        assert!(one.figure().to_png().is_ok());
    }
}
