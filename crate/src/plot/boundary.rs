//! A 2-D classifier's decision regions: its prediction over a grid as a heatmap, with
//! the data points on top.

use crate::error::{Error, Result};
use crate::plot::figure::drawing;
use crate::plot::input::{bounds, class_indices, points_2d, same_length, values};
use crate::plot::scatter::{class_chart, draw_points, legend_entries};
use crate::plot::setters::{names_setter, text_setters};
use crate::plot::{Figure, Plot, legend, palette};
use candle_core::Tensor;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::RGBColor;

/// Grid points along each axis.
const STEPS: usize = 120;

/// The regions where a 2-D classifier predicts each class: pale where it hesitates,
/// stronger where it is sure, with the labelled points on top.
///
/// ```
/// use dlcourse::plot::Boundary;
/// # use candle_core::{Device, Tensor};
/// let x = Tensor::new(&[[-1f32, 0.], [1., 0.]], &Device::Cpu)?;
/// let y = Tensor::new(&[0u8, 1], &Device::Cpu)?;
/// // "class 1 on the right": any closure from [n, 2] inputs to probabilities works.
/// let model = |xy: &Tensor| -> dlcourse::Result<Tensor> {
///     Ok(candle_nn::ops::sigmoid(&(xy.narrow(1, 0, 1)? * 4.0)?)?)
/// };
/// let fig = Boundary::new(model, &x, &y)?.names(&["left", "right"]).figure();
/// assert!(fig.to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Boundary {
    /// Colours of the grid cells, row by row from the bottom.
    cells: Vec<RGBColor>,
    ranges: ((f64, f64), (f64, f64)),
    points: Vec<(f64, f64)>,
    labels: Vec<usize>,
    names: Vec<String>,
    title: String,
}

impl Boundary {
    names_setter!();
    text_setters!(title: "Replaces the title.");

    /// Asks `model` for its prediction on a grid over `points` (`[n, 2]`) and keeps the
    /// points' `labels`. The model gets an `[m, 2]` f32 tensor on the points' device and
    /// returns `[m]` or `[m, 1]` probabilities of class 1, or `[m, classes]` rows.
    pub fn new<F>(model: F, points: &Tensor, labels: &Tensor) -> Result<Self>
    where
        F: Fn(&Tensor) -> Result<Tensor>,
    {
        let context = "drawing a decision boundary";
        let xy = points_2d(points, context)?;
        let labels = class_indices(labels, context)?;
        same_length(context, "labels", xy.len(), labels.len())?;
        let ranges = bounds(&xy, 0.1);
        let grid = grid(ranges);
        let input = Tensor::from_vec(grid, (STEPS * STEPS, 2), points.device())?;
        let output = model(&input)?;
        Ok(Boundary {
            cells: colors(&output)?,
            ranges,
            points: xy,
            labels,
            names: Vec::new(),
            title: "Decision boundary".to_owned(),
        })
    }

    /// The chart as a figure of 760×600 pixels.
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self, 760, 600)
    }
}

/// The decision regions of `model` around `points`, with the points coloured by `labels`.
///
/// ```
/// # use candle_core::{Device, Tensor};
/// let x = Tensor::new(&[[0f32, 0.], [1., 1.]], &Device::Cpu)?;
/// let y = Tensor::new(&[0u8, 1], &Device::Cpu)?;
/// let model = |xy: &Tensor| Ok(xy.sum(1)?.affine(0.5, 0.0)?.clamp(0f32, 1f32)?);
/// let fig = dlcourse::plot::decision_boundary(model, &x, &y, &["outside", "inside"])?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn decision_boundary<F, S>(
    model: F,
    points: &Tensor,
    labels: &Tensor,
    names: &[S],
) -> Result<Figure<Boundary>>
where
    F: Fn(&Tensor) -> Result<Tensor>,
    S: AsRef<str>,
{
    Ok(Boundary::new(model, points, labels)?.names(names).figure())
}

/// The centres of the grid cells, row by row from the bottom, as x, y pairs.
fn grid(((x0, x1), (y0, y1)): ((f64, f64), (f64, f64))) -> Vec<f32> {
    let at = |lo: f64, hi: f64, i: usize| lo + (hi - lo) * (i as f64 + 0.5) / STEPS as f64;
    let mut v = Vec::with_capacity(STEPS * STEPS * 2);
    for row in 0..STEPS {
        for col in 0..STEPS {
            v.extend([at(x0, x1, col) as f32, at(y0, y1, row) as f32]);
        }
    }
    v
}

/// The colour of each grid cell: its predicted class' colour, stronger when surer.
fn colors(output: &Tensor) -> Result<Vec<RGBColor>> {
    let m = STEPS * STEPS;
    let k = match output.dims() {
        [n] | [n, 1] if *n == m => 1,
        [n, k] if *n == m => *k,
        dims => {
            return Err(Error::shape(
                "drawing a decision boundary: the model's output",
                format!("one prediction per input row: [{m}], [{m}, 1] or [{m}, classes]"),
                format!("{dims:?}"),
                "return probabilities, e.g. `|xy| model.predict(xy)`",
            ));
        }
    };
    let v = values(output)?;
    let cell = |row: &[f64]| {
        let (class, sure) = match row {
            [p] => (usize::from(*p >= 0.5), (p - 0.5).abs() * 2.0),
            _ => {
                let (c, q) = row.iter().enumerate().fold((0, f64::MIN), |best, (i, &q)| {
                    if q > best.1 { (i, q) } else { best }
                });
                let chance = 1.0 / row.len() as f64;
                (c, (q - chance) / (1.0 - chance))
            }
        };
        palette::tint(palette::color(class), 0.12 + 0.4 * sure.clamp(0.0, 1.0))
    };
    Ok(v.chunks(k).map(cell).collect())
}

impl Plot for Boundary {
    fn what(&self) -> &'static str {
        "a decision boundary"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let what = self.what();
        let entries = legend_entries(&self.labels, &self.names);
        let left = legend::beside(area, &entries, what)?;
        let none = String::new();
        let mut chart = class_chart(&left, [&self.title, &none, &none], self.ranges, what)?;
        let ((x0, x1), (y0, y1)) = self.ranges;
        let (dx, dy) = ((x1 - x0) / STEPS as f64, (y1 - y0) / STEPS as f64);
        let cells = self.cells.iter().enumerate().map(|(i, color)| {
            let (row, col) = ((i / STEPS) as f64, (i % STEPS) as f64);
            let corner = |r: f64, c: f64| (x0 + c * dx, y0 + r * dy);
            Rectangle::new(
                [corner(row + 1.0, col), corner(row, col + 1.0)],
                color.filled(),
            )
        });
        chart.draw_series(cells).map_err(|e| drawing(what, e))?;
        draw_points(&mut chart, &self.points, &self.labels, true, what)
    }
}
