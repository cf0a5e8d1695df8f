//! Line plots: loss and metric curves, function plots, several runs overlaid.

use crate::error::Result;
use crate::plot::figure::drawing;
use crate::plot::setters::text_setters;
use crate::plot::{Figure, Plot, font, palette};
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// One named line.
#[derive(Debug, Clone)]
struct Series {
    name: String,
    points: Vec<(f64, f64)>,
    /// Drawn as dots joined by a thin line (a path of visited points).
    marked: bool,
}

/// A single chart of named lines with a legend (train vs validation, a learning-rate
/// sweep, a function and its derivative).
///
/// ```
/// use dlcourse::plot::Curves;
/// let fig = Curves::new("Loss").x_label("epoch").line("loss", &[3.0, 2.0, 1.5]).figure();
/// let png = fig.to_png().unwrap();
/// assert!(png.starts_with(b"\x89PNG"));
/// ```
#[derive(Debug, Clone)]
pub struct Curves {
    title: String,
    x_label: String,
    y_label: String,
    series: Vec<Series>,
    log_y: bool,
}

impl Curves {
    /// An empty chart titled `title`.
    pub fn new(title: &str) -> Self {
        Curves {
            title: title.to_owned(),
            x_label: String::new(),
            y_label: String::new(),
            series: Vec::new(),
            log_y: false,
        }
    }

    text_setters!(x_label: "Names the x axis.", y_label: "Names the y axis.");

    /// Adds a line through `values` at x = 1, 2, 3, … (epochs).
    pub fn line(self, name: &str, values: &[f64]) -> Self {
        let points = values
            .iter()
            .enumerate()
            .map(|(i, v)| ((i + 1) as f64, *v))
            .collect();
        self.points(name, points)
    }

    /// Adds a line through `(x, y)` points.
    pub fn points(mut self, name: &str, points: Vec<(f64, f64)>) -> Self {
        self.series.push(Series {
            name: name.to_owned(),
            points,
            marked: false,
        });
        self
    }

    /// Adds `(x, y)` points drawn as dots joined by a thin line, in order: the steps
    /// of gradient descent on a curve.
    ///
    /// ```
    /// use dlcourse::plot::Curves;
    /// let fig = Curves::new("Descent").path("steps", vec![(2.0, 4.0), (1.2, 1.44), (0.7, 0.49)]).figure();
    /// ```
    pub fn path(mut self, name: &str, points: Vec<(f64, f64)>) -> Self {
        self.series.push(Series {
            name: name.to_owned(),
            points,
            marked: true,
        });
        self
    }

    /// Uses a logarithmic y axis (for losses that fall over orders of magnitude).
    pub fn log_scale(mut self, log: bool) -> Self {
        self.log_y = log;
        self
    }

    /// The chart as a figure of 720×440 pixels.
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self, 720, 440)
    }

    fn finite_points(&self) -> impl Iterator<Item = &(f64, f64)> {
        self.series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|(x, y)| x.is_finite() && y.is_finite() && (!self.log_y || *y > 0.0))
    }

    /// The x and y ranges of the data, padded so lines do not touch the frame.
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in self.finite_points() {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        if x0 > x1 {
            return ((0.0, 1.0), (0.0, 1.0));
        }
        if x0 == x1 {
            (x0, x1) = (x0 - 0.5, x1 + 0.5);
        }
        if self.log_y {
            return ((x0, x1), (y0 / 1.5, y1 * 1.5));
        }
        let pad = if y1 > y0 {
            (y1 - y0) * 0.05
        } else {
            y0.abs().max(1.0) * 0.05
        };
        ((x0, x1), (y0 - pad, y1 + pad))
    }
}

impl Plot for Curves {
    fn what(&self) -> &'static str {
        "curves"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let ((x0, x1), (y0, y1)) = self.ranges();
        let mut builder = ChartBuilder::on(area);
        builder
            .caption(&self.title, (font::FAMILY, 22))
            .margin(12)
            .margin_right(28)
            .x_label_area_size(42)
            .y_label_area_size(64);
        if self.log_y {
            let chart = builder
                .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                .map_err(|e| drawing(self.what(), e))?;
            self.draw_on(chart)
        } else {
            let chart = builder
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|e| drawing(self.what(), e))?;
            self.draw_on(chart)
        }
    }
}

impl Curves {
    fn draw_on<'a, DB, Y>(
        &self,
        mut chart: ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>,
    ) -> Result<()>
    where
        DB: DrawingBackend + 'a,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let whole_x = self.finite_points().all(|(x, _)| x.fract() == 0.0);
        draw_axes_with(
            &mut chart,
            [&self.x_label, &self.y_label],
            self.what(),
            whole_x,
        )?;
        for (i, series) in self.series.iter().enumerate() {
            let color = palette::color(i);
            let points: Vec<(f64, f64)> = series
                .points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite() && (!self.log_y || *y > 0.0))
                .collect();
            // A series of one point (a one-epoch history) is a dot, or it would not show.
            let marked = series.marked || points.len() == 1;
            let (width, dot) = if marked { (1, 4) } else { (2, 0) };
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(width)))
                .map_err(|e| drawing(self.what(), e))?
                .label(series.name.clone())
                .legend(move |(x, y)| {
                    let line = PathElement::new([(0, 0), (20, 0)], color.stroke_width(width));
                    EmptyElement::at((x, y)) + line + Circle::new((10, 0), dot, color.filled())
                });
            if marked {
                let dots = points
                    .into_iter()
                    .map(|p| Circle::new(p, dot, color.filled()));
                chart
                    .draw_series(dots)
                    .map_err(|e| drawing(self.what(), e))?;
            }
        }
        if self.series.iter().any(|s| !s.name.is_empty()) {
            draw_legend_at(&mut chart, self.what(), self.emptiest_corner())?;
        }
        Ok(())
    }

    /// The corner with the fewest data points under where a legend would sit (a quarter
    /// of the width, a tenth of the height per series): matplotlib's `loc="best"`.
    fn emptiest_corner(&self) -> SeriesLabelPosition {
        let ((x0, x1), (y0, y1)) = self.ranges();
        let height = (0.1 * self.series.len() as f64 + 0.05).min(0.5);
        let to_unit = |(x, y): (f64, f64)| {
            let y = if self.log_y {
                (y.ln() - y0.ln()) / (y1.ln() - y0.ln())
            } else {
                (y - y0) / (y1 - y0)
            };
            ((x - x0) / (x1 - x0), y)
        };
        let corners = [
            (SeriesLabelPosition::UpperRight, true, true),
            (SeriesLabelPosition::UpperLeft, false, true),
            (SeriesLabelPosition::LowerRight, true, false),
            (SeriesLabelPosition::LowerLeft, false, false),
        ];
        let covered = |right: bool, top: bool| {
            self.finite_points()
                .map(|&p| to_unit(p))
                .filter(|&(x, y)| {
                    let in_x = if right { x > 0.7 } else { x < 0.3 };
                    let in_y = if top { y > 1.0 - height } else { y < height };
                    in_x && in_y
                })
                .count()
        };
        corners
            .into_iter()
            .min_by_key(|&(_, right, top)| covered(right, top))
            .map_or(SeriesLabelPosition::UpperRight, |(position, ..)| position)
    }
}

/// Draws the legend of the chart's labelled series in its upper right corner.
pub(crate) fn draw_legend<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    what: &'static str,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    X: Ranged,
    Y: Ranged,
{
    draw_legend_at(chart, what, SeriesLabelPosition::UpperRight)
}

/// Draws the legend of the chart's labelled series at `position`.
fn draw_legend_at<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    what: &'static str,
    position: SeriesLabelPosition,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .label_font((font::FAMILY, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .position(position)
        .draw()
        .map_err(|e| drawing(what, e))?;
    Ok(())
}

/// Draws the axes and a light grid, with the axes named `names` (x, then y).
pub(crate) fn draw_axes<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    names: [&str; 2],
    what: &'static str,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    draw_axes_with(chart, names, what, false)
}

/// [`draw_axes`]; with `whole_x` (epochs, steps), the x axis shows whole numbers only.
fn draw_axes_with<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    names: [&str; 2],
    what: &'static str,
    whole_x: bool,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let whole = |v: &f64| match v.fract().abs() < 1e-9 {
        true => tick(v),
        false => String::new(),
    };
    let x_ticks: &dyn Fn(&f64) -> String = if whole_x { &whole } else { &tick };
    let span = chart.x_range();
    let whole_labels = ((span.end - span.start).floor() as usize + 1).clamp(2, 10);
    chart
        .configure_mesh()
        .x_desc(names[0])
        .y_desc(names[1])
        .x_labels(if whole_x { whole_labels } else { 10 })
        .x_label_formatter(x_ticks)
        .y_label_formatter(&tick)
        .label_style((font::FAMILY, 14))
        .axis_desc_style((font::FAMILY, 16))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|e| drawing(what, e))?;
    Ok(())
}

/// An axis number without needless decimals: `300`, `0.25`, `0.0001`; very small or
/// large numbers in scientific notation (`1e-6`, `2.5e7`), as on a log axis.
pub(crate) fn tick(v: &f64) -> String {
    if v.abs() < 1e-12 {
        return "0".to_owned();
    }
    if v.abs() < 1e-4 || v.abs() >= 1e7 {
        let text = format!("{v:.1e}");
        return text.replace(".0e", "e");
    }
    let decimals = (2.0 - v.abs().log10().floor()).clamp(0.0, 8.0) as usize;
    let text = format!("{v:.decimals$}");
    match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.').to_owned(),
        false => text,
    }
}

/// Charts side by side (loss next to accuracy), wrapping into rows after `columns`.
///
/// ```
/// use dlcourse::plot::{Curves, Panels};
/// let charts = vec![Curves::new("a").line("a", &[1.0, 2.0]), Curves::new("b").line("b", &[2.0, 1.0])];
/// let fig = Panels::new(charts).columns(1).figure();
/// assert!(fig.to_png().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct Panels {
    charts: Vec<Curves>,
    columns: usize,
}

impl Panels {
    /// The charts in one row.
    pub fn new(charts: Vec<Curves>) -> Self {
        let columns = charts.len().max(1);
        Panels { charts, columns }
    }

    /// Wraps into rows of `columns` charts.
    pub fn columns(mut self, columns: usize) -> Self {
        self.columns = columns.max(1);
        self
    }

    fn rows(&self) -> usize {
        self.charts.len().div_ceil(self.columns).max(1)
    }

    /// The panels as one figure, 480×400 pixels per chart.
    pub fn figure(self) -> Figure<Self> {
        let (columns, rows) = (self.columns.min(self.charts.len().max(1)), self.rows());
        Figure::new(self, 480 * columns as u32, 400 * rows as u32)
    }
}

impl Plot for Panels {
    fn what(&self) -> &'static str {
        "panels"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let columns = self.columns.min(self.charts.len().max(1));
        let cells = area.split_evenly((self.rows(), columns));
        for (curves, cell) in self.charts.iter().zip(&cells) {
            curves.draw(cell)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod legend_tests {
    use super::*;

    #[test]
    fn the_legend_avoids_the_data() {
        // A falling loss fills the upper left and lower right: the legend goes upper right.
        let falling: Vec<f64> = (0..20).map(|i| 1.0 / (1.0 + i as f64)).collect();
        let curves = Curves::new("loss").line("training loss", &falling);
        assert_eq!(curves.emptiest_corner(), SeriesLabelPosition::UpperRight);
        // A rising accuracy fills the lower left and upper right: not upper right.
        let rising: Vec<f64> = falling.iter().map(|v| 1.0 - v).collect();
        let curves = Curves::new("accuracy").line("training accuracy", &rising);
        assert_ne!(curves.emptiest_corner(), SeriesLabelPosition::UpperRight);
    }
}

#[cfg(test)]
mod tests {
    use super::tick;

    #[test]
    fn ticks_drop_needless_decimals_and_go_scientific_when_tiny_or_huge() {
        let ticks: Vec<String> = [300.0, 0.25, 0.0001, 0.00001, 2.5e-7, 3e7, 1e-15]
            .iter()
            .map(tick)
            .collect();
        assert_eq!(
            ticks,
            ["300", "0.25", "0.0001", "1e-5", "2.5e-7", "3e7", "0"]
        );
    }
}
