//! Points in 2-D coloured by class, with a legend of class names (a latent space, a
//! toy dataset, real against generated points).

use crate::error::Result;
use crate::plot::curves::draw_axes;
use crate::plot::figure::drawing;
use crate::plot::input::{bounds, class_indices, class_name, points_2d, same_length};
use crate::plot::setters::{names_setter, text_setters};
use crate::plot::{Figure, Plot, font, legend, palette};
use candle_core::Tensor;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::collections::BTreeSet;

/// A chart of points, one colour per class.
///
/// ```
/// use dlcourse::plot::Scatter;
/// # use candle_core::{Device, Tensor};
/// let z = Tensor::new(&[[0f32, 1.], [1., 0.], [2., 2.]], &Device::Cpu)?;
/// let y = Tensor::new(&[0u8, 1, 1], &Device::Cpu)?;
/// let fig = Scatter::new(&z, &y)?.names(&["T-shirt", "Trouser"]).title("Latent space").figure();
/// assert!(fig.to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scatter {
    points: Vec<(f64, f64)>,
    labels: Vec<usize>,
    names: Vec<String>,
    title: String,
    x_label: String,
    y_label: String,
}

impl Scatter {
    names_setter!();
    text_setters!(
        title: "A title above the chart.",
        x_label: "Names the x axis.",
        y_label: "Names the y axis.",
    );

    /// Points of shape `[n, 2]` and their classes (`[n]` numbers or `[n, k]` rows).
    pub fn new(points: &Tensor, labels: &Tensor) -> Result<Self> {
        let context = "drawing a scatter plot";
        let points = points_2d(points, context)?;
        let labels = class_indices(labels, context)?;
        same_length(context, "labels", points.len(), labels.len())?;
        Ok(Scatter {
            points,
            labels,
            names: Vec::new(),
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
        })
    }

    /// The chart as a figure of 760×600 pixels.
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self, 760, 600)
    }
}

/// Points `[n, 2]` coloured by class, with `names` in the legend.
///
/// ```
/// # use candle_core::{Device, Tensor};
/// let z = Tensor::new(&[[0f32, 1.], [1., 0.]], &Device::Cpu)?;
/// let fig = dlcourse::plot::scatter(&z, &Tensor::new(&[0u8, 1], &Device::Cpu)?, &["real", "generated"])?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn scatter<S: AsRef<str>>(
    points: &Tensor,
    labels: &Tensor,
    names: &[S],
) -> Result<Figure<Scatter>> {
    Ok(Scatter::new(points, labels)?.names(names).figure())
}

impl Plot for Scatter {
    fn what(&self) -> &'static str {
        "a scatter plot"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let classes = legend_entries(&self.labels, &self.names);
        let left = legend::beside(area, &classes, self.what())?;
        let texts = [&self.title, &self.x_label, &self.y_label];
        let mut chart = class_chart(&left, texts, bounds(&self.points, 0.05), self.what())?;
        draw_points(&mut chart, &self.points, &self.labels, false, self.what())
    }
}

/// A cartesian chart with a title and axis names: `texts` = title, x name, y name.
pub(crate) fn class_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    texts: [&String; 3],
    ((x0, x1), (y0, y1)): ((f64, f64), (f64, f64)),
    what: &'static str,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>> {
    let mut chart = ChartBuilder::on(area)
        .caption(texts[0], (font::FAMILY, 22))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| drawing(what, e))?;
    draw_axes(&mut chart, [texts[1], texts[2]], what)?;
    Ok(chart)
}

/// The classes present in `labels`, each with its name and colour.
pub(crate) fn legend_entries(labels: &[usize], names: &[String]) -> Vec<(String, RGBColor)> {
    let present: BTreeSet<usize> = labels.iter().copied().collect();
    let present = present
        .into_iter()
        .chain(0..names.len())
        .collect::<BTreeSet<_>>();
    let entry = |c: usize| (class_name(names, c), palette::color(c));
    present.into_iter().map(entry).collect()
}

/// Draws each point in its class' colour; `bold` points are large with a white rim.
pub(crate) fn draw_points<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    points: &[(f64, f64)],
    labels: &[usize],
    bold: bool,
    what: &'static str,
) -> Result<()> {
    let n = points.len();
    let (radius, alpha) = match (bold, n) {
        (true, _) => (5, 1.0),
        (false, 0..=500) => (4, 0.85),
        (false, 501..=5000) => (3, 0.6),
        (false, _) => (2, 0.4),
    };
    let dots = points
        .iter()
        .zip(labels)
        .map(|(&p, &c)| Circle::new(p, radius, palette::color(c).mix(alpha).filled()));
    chart.draw_series(dots).map_err(|e| drawing(what, e))?;
    if bold {
        let rims = points
            .iter()
            .map(|&p| Circle::new(p, radius, WHITE.stroke_width(1)));
        chart.draw_series(rims).map_err(|e| drawing(what, e))?;
    }
    Ok(())
}
