//! A histogram: how many values fall into each of a number of equal bins (the lengths
//! of the reviews, the weights of a layer), with optional marked values.

use crate::error::{Error, Result};
use crate::plot::curves::{draw_axes, draw_legend, tick};
use crate::plot::figure::drawing;
use crate::plot::setters::text_setters;
use crate::plot::{Figure, Plot, font, palette};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Counts of values in equal bins, drawn as bars, with vertical lines at marked values
/// (a cut-off length). Values above the range's end are counted, not drawn, and the
/// title says how many there are.
///
/// ```
/// use dlcourse::plot::Histogram;
/// let lengths = [12.0, 80.0, 95.0, 130.0, 260.0, 1900.0];
/// let hist = Histogram::new(&lengths)?.bins(20).range(0.0, 400.0).mark(80.0, "80 tokens");
/// assert_eq!(hist.counts().iter().sum::<usize>(), 5);
/// assert_eq!(hist.beyond(), 1);
/// assert!(hist.title("Review lengths").figure().to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Histogram {
    values: Vec<f64>,
    bins: usize,
    range: Option<(f64, f64)>,
    marks: Vec<(f64, String)>,
    title: String,
    x_label: String,
    y_label: String,
}

impl Histogram {
    text_setters!(
        title: "A title above the chart.",
        x_label: "Names the x axis.",
        y_label: "Names the y axis (default: `count`).",
    );

    /// A histogram of `values` in 30 bins over their whole range; an error when no
    /// value is finite.
    pub fn new(values: &[f64]) -> Result<Self> {
        let values: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if values.is_empty() {
            return Err(Error::Usage(
                "drawing a histogram: expected at least one finite value, found none — \
                 pass the values to count (e.g. the length of every review)"
                    .into(),
            ));
        }
        Ok(Histogram {
            values,
            bins: 30,
            range: None,
            marks: Vec::new(),
            title: String::new(),
            x_label: String::new(),
            y_label: "count".into(),
        })
    }

    /// Uses `bins` equal bins (at least 1).
    pub fn bins(mut self, bins: usize) -> Self {
        self.bins = bins.max(1);
        self
    }

    /// Counts only values from `start` to `end` (values beyond `end` are reported in
    /// the title, values below `start` are left out). Without it: from the smallest
    /// value to the largest.
    pub fn range(mut self, start: f64, end: f64) -> Self {
        if start.is_finite() && end.is_finite() && end > start {
            self.range = Some((start, end));
        }
        self
    }

    /// Draws a dashed vertical line at `value`, named `name` in the legend.
    pub fn mark(mut self, value: f64, name: &str) -> Self {
        self.marks.push((value, name.to_owned()));
        self
    }

    /// The counted range.
    fn bounds(&self) -> (f64, f64) {
        if let Some(range) = self.range {
            return range;
        }
        let lo = self.values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self
            .values
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        match hi > lo {
            true => (lo, hi),
            false => (lo - 0.5, lo + 0.5),
        }
    }

    /// The number of values in each bin; the last bin includes the range's end.
    pub fn counts(&self) -> Vec<usize> {
        let (lo, hi) = self.bounds();
        let width = (hi - lo) / self.bins as f64;
        let mut counts = vec![0; self.bins];
        for &v in self.values.iter().filter(|&&v| v >= lo && v <= hi) {
            let bin = (((v - lo) / width) as usize).min(self.bins - 1);
            counts[bin] += 1;
        }
        counts
    }

    /// How many values lie beyond the range's end (not drawn).
    pub fn beyond(&self) -> usize {
        let (_, hi) = self.bounds();
        self.values.iter().filter(|&&v| v > hi).count()
    }

    /// The histogram as a figure of 720×440 pixels.
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self, 720, 440)
    }
}

impl Plot for Histogram {
    fn what(&self) -> &'static str {
        "a histogram"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let what = self.what();
        let (lo, hi) = self.bounds();
        let counts = self.counts();
        let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.08;
        let title = match self.beyond() {
            0 => self.title.clone(),
            n => format!("{} ({n} beyond {} not shown)", self.title, tick(&hi)),
        };
        let mut chart = ChartBuilder::on(area)
            .caption(title.trim(), (font::FAMILY, 20))
            .margin(12)
            .margin_right(28)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(lo..hi, 0.0..top)
            .map_err(|e| drawing(what, e))?;
        draw_axes(&mut chart, [&self.x_label, &self.y_label], what)?;
        let width = (hi - lo) / self.bins as f64;
        let bar = palette::tint(palette::color(0), 0.8);
        let bars = counts.iter().enumerate().map(|(i, &c)| {
            let x = lo + i as f64 * width;
            Rectangle::new([(x, 0.0), (x + width, c as f64)], bar.filled())
        });
        chart.draw_series(bars).map_err(|e| drawing(what, e))?;
        for (i, (value, name)) in self.marks.iter().enumerate() {
            let color = palette::color(i + 1);
            let line =
                DashedLineSeries::new([(*value, 0.0), (*value, top)], 8, 5, color.stroke_width(2));
            chart
                .draw_series(line)
                .map_err(|e| drawing(what, e))?
                .label(name.clone())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        if !self.marks.is_empty() {
            draw_legend(&mut chart, what)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_into_equal_bins_and_the_end_is_included() {
        let hist = Histogram::new(&[0.0, 0.4, 0.5, 0.99, 1.0, 7.0, f64::NAN])
            .unwrap()
            .bins(2)
            .range(0.0, 1.0);
        assert_eq!(hist.counts(), [2, 3]);
        assert_eq!(hist.beyond(), 1);
        assert!(Histogram::new(&[f64::NAN]).is_err());
        let one = Histogram::new(&[3.0, 3.0]).unwrap().bins(4);
        assert_eq!(one.counts().iter().sum::<usize>(), 2);
    }
}
