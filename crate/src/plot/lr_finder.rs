//! The picture of a learning-rate scan: loss against rate on a log axis, the suggested
//! rate marked.

use crate::error::Result;
use crate::plot::curves::{draw_axes, tick};
use crate::plot::figure::drawing;
use crate::plot::{Figure, Plot, font, palette};
use crate::train::LrFinder;
use plotters::coord::Shift;
use plotters::prelude::*;

impl LrFinder {
    /// The smoothed loss (and, faint, each batch's loss) against the learning rate on a
    /// log axis, with the suggested rate as a dashed line: a figure of 720×440 pixels.
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// use dlcourse::train::LrFind;
    /// # fn main() -> dlcourse::Result<()> {
    /// let x = Tensor::arange(0f32, 64., &Device::Cpu)?.affine(1. / 32., -1.)?.reshape((64, 1))?;
    /// let mut model = Sequential::new(&[1]).add(Dense::new(1)).build(&Device::Cpu, 0)?;
    /// model.compile(Optimizer::sgd(0.01), Loss::MeanSquaredError, &[])?;
    /// let finder = model.lr_find(&x, &x.affine(3.0, 1.0)?, &LrFind::new().range(1e-4, 1e3).batch_size(2))?;
    /// assert!(finder.plot().to_png()?.starts_with(b"\x89PNG"));
    /// # Ok(()) }
    /// ```
    pub fn plot(&self) -> Figure<LrFinder> {
        Figure::new(self.clone(), 720, 440)
    }

    /// Shows the plot inline in Jupyter.
    pub fn evcxr_display(&self) {
        self.plot().evcxr_display()
    }

    /// The y range: from the lowest loss to the largest smoothed loss, but at most twice
    /// the starting one, so an explosion runs off the top instead of flattening the rest.
    fn loss_range(&self) -> (f64, f64) {
        let largest = self.smoothed().iter().copied().fold(f64::MIN, f64::max);
        let hi = largest.min(2.0 * self.smoothed()[0]);
        let lo = self
            .losses()
            .iter()
            .chain(self.smoothed())
            .copied()
            .fold(f64::MAX, f64::min);
        let hi = hi.max(lo);
        let pad = ((hi - lo) * 0.05).max(1e-9);
        (lo - pad, hi + pad)
    }
}

impl Plot for LrFinder {
    fn what(&self) -> &'static str {
        "a learning-rate scan"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let what = self.what();
        let rates = self.rates();
        let (x0, x1) = (rates[0], rates[rates.len() - 1]);
        let (y0, y1) = self.loss_range();
        let mut chart = ChartBuilder::on(area)
            .caption("Learning-rate finder", (font::FAMILY, 22))
            .margin(12)
            .margin_right(28)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
            .map_err(|e| drawing(what, e))?;
        draw_axes(&mut chart, ["learning rate (log scale)", "loss"], what)?;
        let raw = palette::tint(palette::color(0), 0.35);
        let clipped = rates
            .iter()
            .zip(self.losses())
            .map(|(&r, &l)| (r, l.min(y1)));
        chart
            .draw_series(LineSeries::new(clipped, raw.stroke_width(1)))
            .map_err(|e| drawing(what, e))?
            .label("loss of each batch")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], raw.stroke_width(1)));
        let line = palette::color(0);
        let smoothed = rates
            .iter()
            .zip(self.smoothed())
            .map(|(&r, &l)| (r, l.min(y1)));
        chart
            .draw_series(LineSeries::new(smoothed, line.stroke_width(3)))
            .map_err(|e| drawing(what, e))?
            .label("smoothed loss")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], line.stroke_width(3)));
        let marks = [
            (
                self.minimum(),
                "lowest smoothed loss at rate",
                palette::color(7),
            ),
            (
                self.suggestion(),
                "suggested rate (a tenth of that)",
                palette::WRONG,
            ),
        ];
        for (rate, name, color) in marks {
            let label = format!("{name}: {}", tick(&rate));
            let dashes =
                DashedLineSeries::new([(rate, y0), (rate, y1)], 8, 5, color.stroke_width(2));
            chart
                .draw_series(dashes)
                .map_err(|e| drawing(what, e))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        // The loss starts high at the left and explodes at the right: the lower left is free.
        chart
            .configure_series_labels()
            .label_font((font::FAMILY, 14))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .position(SeriesLabelPosition::LowerLeft)
            .draw()
            .map_err(|e| drawing(what, e))
    }
}
