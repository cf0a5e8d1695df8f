//! The confusion matrix: how often each true class was predicted as each class.

use crate::error::Result;
use crate::plot::figure::drawing;
use crate::plot::input::{class_indices, class_name, names, same_length};
use crate::plot::setters::text_setters;
use crate::plot::{Figure, Plot, font, palette};
use candle_core::Tensor;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontTransform;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const NAME: f64 = 14.0;
const TOP: u32 = 44;
const AXIS: u32 = 28;

/// Counts of (true class, predicted class) pairs, drawn as a heatmap with the count in
/// each cell. A cell's colour is its share of the true class' examples, so the diagonal
/// is dark when the model is right.
///
/// ```
/// use dlcourse::plot::Confusion;
/// # use candle_core::{Device, Tensor};
/// let truth = Tensor::new(&[0u8, 0, 1, 1], &Device::Cpu)?;
/// let predicted = Tensor::new(&[0u8, 1, 1, 1], &Device::Cpu)?;
/// let cm = Confusion::new(&truth, &predicted, &["benign", "malignant"])?;
/// assert_eq!(cm.counts(), &[vec![1, 1], vec![0, 2]]);
/// assert_eq!(cm.accuracy(), 0.75);
/// let png = cm.figure().to_png()?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Confusion {
    counts: Vec<Vec<usize>>,
    names: Vec<String>,
    title: String,
}

impl Confusion {
    text_setters!(title: "Replaces the title (which gives the accuracy by default).");

    /// Counts the pairs; `predicted` may be class numbers, probabilities of class 1 or
    /// rows of probabilities. There are as many classes as names, or more if a label is
    /// beyond them.
    pub fn new<S: AsRef<str>>(truth: &Tensor, predicted: &Tensor, names: &[S]) -> Result<Self> {
        let context = "counting a confusion matrix";
        let truth = class_indices(truth, context)?;
        let predicted = class_indices(predicted, context)?;
        same_length(context, "predictions", truth.len(), predicted.len())?;
        let k = truth
            .iter()
            .chain(&predicted)
            .map(|c| c + 1)
            .chain([names.len()])
            .max()
            .unwrap_or(0);
        let mut counts = vec![vec![0; k]; k];
        for (&t, &p) in truth.iter().zip(&predicted) {
            counts[t][p] += 1;
        }
        let names = self::names(names);
        let names = (0..k).map(|c| class_name(&names, c)).collect();
        let mut cm = Confusion {
            counts,
            names,
            title: String::new(),
        };
        cm.title = format!("Confusion matrix — accuracy {:.1}%", 100.0 * cm.accuracy());
        Ok(cm)
    }

    /// `counts()[t][p]`: how many examples of class `t` were predicted as `p`.
    pub fn counts(&self) -> &[Vec<usize>] {
        &self.counts
    }

    /// The share of examples on the diagonal (0 when there are none).
    pub fn accuracy(&self) -> f64 {
        let total: usize = self.counts.iter().flatten().sum();
        let right: usize = (0..self.counts.len()).map(|i| self.counts[i][i]).sum();
        if total == 0 {
            0.0
        } else {
            right as f64 / total as f64
        }
    }

    /// The heatmap as a figure, cells of 44 to 140 pixels.
    pub fn figure(self) -> Figure<Self> {
        let k = self.counts.len().max(1) as u32;
        let cell = (600 / k).clamp(44, 140);
        let (left, bottom) = self.margins(self.upright(cell));
        let width = (left + k * cell + 24).max(font::text_width(&self.title, 20.0) + 24);
        Figure::new(self, width, TOP + k * cell + bottom)
    }

    fn widest_name(&self) -> u32 {
        let widths = self.names.iter().map(|n| font::text_width(n, NAME));
        widths.max().unwrap_or(0)
    }

    /// Whether the column names must be written upwards to fit under cells of `cell`.
    fn upright(&self, cell: u32) -> bool {
        self.widest_name() + 6 > cell
    }

    /// The room left of the cells (row names) and below them (column names).
    fn margins(&self, upright: bool) -> (u32, u32) {
        let names = self.widest_name() + 10;
        let below = if upright { names } else { 24 };
        (AXIS + names, below + AXIS)
    }

    /// The cell size in an area of `width`×`height`, and whether the column names
    /// are written upwards.
    fn layout(&self, width: u32, height: u32) -> (u32, bool) {
        let k = self.counts.len().max(1) as u32;
        let cell = |upright| {
            let (left, bottom) = self.margins(upright);
            let fit_w = width.saturating_sub(left + 24) / k;
            let fit_h = height.saturating_sub(TOP + bottom) / k;
            fit_w.min(fit_h).max(4)
        };
        let flat = cell(false);
        match self.upright(flat) {
            true => (cell(true), true),
            false => (flat, false),
        }
    }

    fn draw_cells<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (left, cell): (i32, i32),
    ) -> Result<()> {
        let what = self.what();
        let number = font::style((cell as f64 / 3.0).clamp(11.0, 20.0))
            .pos(Pos::new(HPos::Center, VPos::Center));
        for (t, row) in self.counts.iter().enumerate() {
            let total = row.iter().sum::<usize>().max(1) as f64;
            for (p, &count) in row.iter().enumerate() {
                let color = palette::blues(count as f64 / total);
                let (x, y) = (left + p as i32 * cell, TOP as i32 + t as i32 * cell);
                area.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    color.filled(),
                ))
                .map_err(|e| drawing(what, e))?;
                let ink = if palette::is_dark(color) {
                    WHITE
                } else {
                    BLACK
                };
                let center = (x + cell / 2, y + cell / 2);
                area.draw_text(&count.to_string(), &number.color(&ink), center)
                    .map_err(|e| drawing(what, e))?;
            }
        }
        Ok(())
    }

    fn draw_names<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (left, cell): (i32, i32),
        upright: bool,
    ) -> Result<()> {
        let what = self.what();
        let k = self.counts.len() as i32;
        let bottom = TOP as i32 + k * cell;
        let rows = font::style(NAME).pos(Pos::new(HPos::Right, VPos::Center));
        let columns = match upright {
            true => font::style(NAME)
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Right, VPos::Center)),
            false => font::style(NAME).pos(Pos::new(HPos::Center, VPos::Top)),
        };
        for (i, name) in self.names.iter().enumerate() {
            let middle = i as i32 * cell + cell / 2;
            area.draw_text(name, &rows, (left - 6, TOP as i32 + middle))
                .map_err(|e| drawing(what, e))?;
            area.draw_text(name, &columns, (left + middle, bottom + 6))
                .map_err(|e| drawing(what, e))?;
        }
        let axis = font::style(16.0).pos(Pos::new(HPos::Center, VPos::Center));
        let (_, height) = area.dim_in_pixel();
        let across = (left + k * cell / 2, height as i32 - AXIS as i32 / 2);
        area.draw_text("predicted", &axis, across)
            .map_err(|e| drawing(what, e))?;
        let up = axis.transform(FontTransform::Rotate270);
        area.draw_text("true", &up, (AXIS as i32 / 2, TOP as i32 + k * cell / 2))
            .map_err(|e| drawing(what, e))
    }
}

/// The confusion matrix of true against predicted labels, with `names` on both axes.
///
/// ```
/// # use candle_core::{Device, Tensor};
/// let y = Tensor::new(&[0u8, 1, 2, 2], &Device::Cpu)?;
/// let fig = dlcourse::plot::confusion(&y, &y, &["a", "b", "c"])?;
/// assert_eq!(fig.plot().counts()[2][2], 2);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn confusion<S: AsRef<str>>(
    truth: &Tensor,
    predicted: &Tensor,
    names: &[S],
) -> Result<Figure<Confusion>> {
    Ok(Confusion::new(truth, predicted, names)?.figure())
}

impl Plot for Confusion {
    fn what(&self) -> &'static str {
        "a confusion matrix"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (width, height) = area.dim_in_pixel();
        let title = font::style(20.0).pos(Pos::new(HPos::Center, VPos::Center));
        area.draw_text(&self.title, &title, (width as i32 / 2, TOP as i32 / 2))
            .map_err(|e| drawing(self.what(), e))?;
        let (cell, upright) = self.layout(width, height);
        let left = self.margins(upright).0 as i32;
        self.draw_cells(area, (left, cell as i32))?;
        self.draw_names(area, (left, cell as i32), upright)
    }
}
