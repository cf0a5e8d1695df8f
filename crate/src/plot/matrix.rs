//! Any 2-D tensor as a grayscale picture, with row and column axes and a colour bar.

use crate::error::{Error, Result};
use crate::plot::figure::drawing;
use crate::plot::input::values;
use crate::plot::pixels::{self, Pixels};
use crate::plot::setters::text_setters;
use crate::plot::{Figure, Plot, font};
use candle_core::Tensor;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const BAR: u32 = 90;

/// A 2-D tensor drawn as a picture, one pixel per value: the lowest value black, the
/// highest white (the first 500 training images as one 500×784 picture, a weight
/// matrix, a feature map).
///
/// ```
/// use dlcourse::plot::Matrix;
/// # use candle_core::{Device, Tensor};
/// let x = Tensor::rand(0f32, 1.0, (50, 784), &Device::Cpu)?;
/// let fig = Matrix::new(&x)?.title("50 images").x_label("pixel").y_label("image").colorbar(true).figure();
/// assert!(fig.to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    values: Vec<f64>,
    title: String,
    x_label: String,
    y_label: String,
    colorbar: bool,
    invert: bool,
}

impl Matrix {
    /// The values of a 2-D tensor (rows × columns) of any dtype.
    pub fn new(tensor: &Tensor) -> Result<Self> {
        let &[rows, cols] = tensor.dims() else {
            return Err(Error::shape(
                "drawing a matrix",
                "a 2-D tensor (rows × columns)",
                format!("{:?}", tensor.dims()),
                "reshape it, e.g. `x.reshape((500, 784))?` or `x.flatten_from(1)?`",
            ));
        };
        if rows == 0 || cols == 0 {
            return Err(Error::shape(
                "drawing a matrix",
                "at least one row and one column",
                format!("{:?}", tensor.dims()),
                "check how the tensor was sliced or filtered",
            ));
        }
        Ok(Matrix {
            rows,
            cols,
            values: values(tensor)?,
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            colorbar: false,
            invert: false,
        })
    }

    text_setters!(
        title: "A title above the picture.",
        x_label: "Names the columns' axis.",
        y_label: "Names the rows' axis.",
    );

    /// Shows a bar with the scale of values at the right.
    pub fn colorbar(mut self, show: bool) -> Self {
        self.colorbar = show;
        self
    }

    /// Draws the lowest value white and the highest black (ink on paper).
    pub fn invert(mut self, invert: bool) -> Self {
        self.invert = invert;
        self
    }

    /// The picture as a figure: small matrices enlarged by a whole factor, large ones
    /// shrunk to about 800×560 pixels.
    pub fn figure(self) -> Figure<Self> {
        let (w, h) = pixels::fit(self.cols.max(1), self.rows.max(1), (800, 560));
        let bar = if self.colorbar { BAR } else { 0 };
        Figure::new(self, w.max(200) + 100 + bar, h + 100)
    }

    fn range(&self) -> (f64, f64) {
        let finite = self.values.iter().copied().filter(|v| v.is_finite());
        finite.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
    }

    /// The gray level of `v` in the matrix' value range.
    fn gray(&self, v: f64, (lo, hi): (f64, f64)) -> u8 {
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        let t = if self.invert { 1.0 - t } else { t };
        (t.clamp(0.0, 1.0) * 255.0).round() as u8
    }

    fn pixels(&self) -> Pixels {
        let range = self.range();
        let rgb = self
            .values
            .iter()
            .map(|&v| [self.gray(v, range); 3])
            .collect();
        Pixels {
            width: self.cols,
            height: self.rows,
            rgb,
        }
    }

    /// A vertical bar from the highest value (top) to the lowest, with both numbers.
    fn draw_bar<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (top, bottom): (i32, i32),
    ) -> Result<()> {
        let what = self.what();
        let (lo, hi) = self.range();
        let steps = (bottom - top).max(1);
        for i in 0..steps {
            let v = hi - (hi - lo) * i as f64 / steps as f64;
            let g = self.gray(v, (lo, hi));
            let rect = [(10, top + i), (30, top + i + 1)];
            area.draw(&Rectangle::new(rect, RGBColor(g, g, g).filled()))
                .map_err(|e| drawing(what, e))?;
        }
        area.draw(&Rectangle::new(
            [(10, top), (30, bottom)],
            BLACK.stroke_width(1),
        ))
        .map_err(|e| drawing(what, e))?;
        let style = font::style(13.0).pos(Pos::new(HPos::Left, VPos::Center));
        for (v, y) in [(hi, top), (lo, bottom)] {
            area.draw_text(&format!("{v:.3}"), &style, (34, y))
                .map_err(|e| drawing(what, e))?;
        }
        Ok(())
    }
}

/// The label of a row or column: its index at its centre, nothing between cells.
fn index(v: f64) -> String {
    match v.fract() == 0.0 {
        true => format!("{v:.0}"),
        false => String::new(),
    }
}

/// Any 2-D tensor as a grayscale picture: `plot::matrix(&x.narrow(0, 0, 500)?)?`.
///
/// ```
/// # use candle_core::{Device, Tensor};
/// let fig = dlcourse::plot::matrix(&Tensor::rand(0f32, 1.0, (6, 6), &Device::Cpu)?)?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn matrix(tensor: &Tensor) -> Result<Figure<Matrix>> {
    Ok(Matrix::new(tensor)?.figure())
}

impl Plot for Matrix {
    fn what(&self) -> &'static str {
        "a matrix"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let what = self.what();
        let (width, _) = area.dim_in_pixel();
        let (chart_area, bar_area) = match self.colorbar {
            true => area.split_horizontally(width.saturating_sub(BAR)),
            false => area.split_horizontally(width),
        };
        // Cell i spans i - 0.5 .. i + 0.5, so whole ticks fall on cell centres; row 0
        // is at the top.
        let (rows, cols) = (self.rows as f64, self.cols as f64);
        let mut builder = ChartBuilder::on(&chart_area);
        if !self.title.is_empty() {
            builder.caption(&self.title, (font::FAMILY, 20));
        }
        let mut chart = builder
            .margin(10)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..cols - 0.5, rows - 0.5..-0.5)
            .map_err(|e| drawing(what, e))?;
        let plotting = chart.plotting_area().strip_coord_spec();
        let (w, h) = plotting.dim_in_pixel();
        pixels::draw_scaled(&plotting, &self.pixels(), (0, 0), (w, h), what)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .x_label_formatter(&|x| index(*x))
            .y_label_formatter(&|y| index(*y))
            .label_style((font::FAMILY, 13))
            .axis_desc_style((font::FAMILY, 15))
            .draw()
            .map_err(|e| drawing(what, e))?;
        if self.colorbar {
            let bottom = chart_area.dim_in_pixel().1 as i32 - 44 - 10;
            self.draw_bar(&bar_area, (bottom - h as i32, bottom))?;
        }
        Ok(())
    }
}
