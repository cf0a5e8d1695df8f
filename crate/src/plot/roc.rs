//! The threshold trade-off of a binary classifier: its ROC curve and its
//! precision–recall curve side by side, with chosen operating points marked on both.

use crate::error::Result;
use crate::plot::figure::drawing;
use crate::plot::scatter::class_chart;
use crate::plot::{Figure, Plot, legend, palette};
use crate::train::{Counts, Thresholds};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

const PANEL: u32 = 460;
const HEIGHT: u32 = 460;
const CHANCE: RGBColor = RGBColor(150, 150, 150);

/// The ROC curve (true positive rate against false positive rate, with the diagonal of
/// a coin toss) and the precision–recall curve (with the floor of calling everything
/// positive) of one classifier, its AUC and average precision in the titles. Each
/// [`Roc::mark`] puts an operating point (the counts at one threshold) on both curves.
///
/// ```
/// use dlcourse::plot::Roc;
/// use dlcourse::train::Thresholds;
/// let t = Thresholds::from_slices(&[0.9, 0.8, 0.6, 0.4, 0.3, 0.1], &[true, true, false, true, false, false])?;
/// let fig = Roc::new(&t).mark("threshold 0.5", t.counts(0.5)?).figure();
/// assert!(fig.to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Roc {
    roc: Vec<(f64, f64)>,
    pr: Vec<(f64, f64)>,
    auc: f64,
    average_precision: f64,
    prevalence: f64,
    marks: Vec<(String, Counts)>,
}

impl Roc {
    /// Both curves of `thresholds`, no point marked.
    pub fn new(thresholds: &Thresholds) -> Self {
        let roc = thresholds.roc();
        let pr = thresholds.precision_recall();
        Roc {
            roc: roc
                .iter()
                .map(|p| (p.false_positive_rate, p.true_positive_rate))
                .collect(),
            pr: pr.iter().map(|p| (p.recall, p.precision)).collect(),
            auc: thresholds.auc(),
            average_precision: thresholds.average_precision(),
            prevalence: thresholds.prevalence(),
            marks: Vec::new(),
        }
    }

    /// Marks the operating point of `counts` (e.g. `thresholds.counts(0.5)?`) on both
    /// curves, named `name` in the legend with its recall and false positive rate.
    pub fn mark(mut self, name: &str, counts: Counts) -> Self {
        self.marks.push((name.to_owned(), counts));
        self
    }

    /// The area under the ROC curve, shown in the title.
    pub fn auc(&self) -> f64 {
        self.auc
    }

    /// The legend: the curve, the chance lines, then one entry per mark.
    fn entries(&self) -> Vec<(String, RGBColor)> {
        let mut entries = vec![
            ("the model".to_owned(), palette::color(0)),
            ("chance".to_owned(), CHANCE),
        ];
        for (i, (name, c)) in self.marks.iter().enumerate() {
            let text = format!(
                "{name}: recall {:.0}%, false alarms {:.0}%",
                100.0 * c.recall(),
                100.0 * c.false_positive_rate()
            );
            entries.push((text, mark_color(i)));
        }
        entries
    }

    /// The two curves and the legend as one figure, 460 pixels high.
    pub fn figure(self) -> Figure<Self> {
        let names: Vec<String> = self.entries().into_iter().map(|(n, _)| n).collect();
        let width = 2 * PANEL + legend::width_of(&names);
        Figure::new(self, width, HEIGHT)
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        roc: bool,
    ) -> Result<()> {
        let what = self.what();
        let (title, x, y, curve, chance) = match roc {
            true => (
                format!("ROC curve — AUC {:.3}", self.auc),
                "false positive rate",
                "true positive rate (recall)",
                &self.roc,
                vec![(0.0, 0.0), (1.0, 1.0)],
            ),
            false => (
                format!("Precision–recall — AP {:.3}", self.average_precision),
                "recall",
                "precision",
                &self.pr,
                vec![(0.0, self.prevalence), (1.0, self.prevalence)],
            ),
        };
        let texts = [&title, &x.to_owned(), &y.to_owned()];
        let mut chart = class_chart(area, texts, ((0.0, 1.0), (0.0, 1.02)), what)?;
        draw_line(&mut chart, chance, CHANCE.stroke_width(1), what)?;
        // The precision–recall curve is a staircase: precision holds until recall grows.
        let steps = match roc {
            true => curve.clone(),
            false => staircase(curve),
        };
        draw_line(&mut chart, steps, palette::color(0).stroke_width(2), what)?;
        for (i, (_, c)) in self.marks.iter().enumerate() {
            let at = match roc {
                true => (c.false_positive_rate(), c.recall()),
                false => (c.recall(), c.precision()),
            };
            let dot = [
                Circle::new(at, 7, mark_color(i).filled()),
                Circle::new(at, 7, BLACK.stroke_width(1)),
            ];
            chart.draw_series(dot).map_err(|e| drawing(what, e))?;
        }
        Ok(())
    }
}

/// The colour of the `i`-th marked point (the curve has the first colour).
fn mark_color(i: usize) -> RGBColor {
    palette::color(i + 1)
}

/// Points joined by horizontal-then-vertical steps, as the precision–recall curve is
/// read: each point's precision holds from the previous recall up to its own.
fn staircase(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(2 * points.len());
    let mut recall = 0.0;
    for &(r, p) in points {
        out.push((recall, p));
        out.push((r, p));
        recall = r;
    }
    out
}

fn draw_line<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    points: Vec<(f64, f64)>,
    style: ShapeStyle,
    what: &'static str,
) -> Result<()> {
    chart
        .draw_series(LineSeries::new(points, style))
        .map_err(|e| drawing(what, e))?;
    Ok(())
}

/// The ROC and precision–recall curves of `thresholds`, with no point marked.
///
/// ```
/// use dlcourse::train::Thresholds;
/// let t = Thresholds::from_slices(&[0.7, 0.6, 0.2], &[true, false, false])?;
/// let fig = dlcourse::plot::roc(&t);
/// assert_eq!(fig.plot().auc(), 1.0);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn roc(thresholds: &Thresholds) -> Figure<Roc> {
    Roc::new(thresholds).figure()
}

impl Plot for Roc {
    fn what(&self) -> &'static str {
        "ROC and precision–recall curves"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let charts = legend::beside(area, &self.entries(), self.what())?;
        let (left, right) = charts.split_horizontally(PANEL);
        self.draw_panel(&left, true)?;
        self.draw_panel(&right, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_precision_recall_staircase_holds_each_precision_from_the_last_recall() {
        let steps = staircase(&[(0.5, 1.0), (1.0, 0.5)]);
        assert_eq!(steps, [(0.0, 1.0), (0.5, 1.0), (0.5, 0.5), (1.0, 0.5)]);
    }

    #[test]
    fn marks_change_the_picture_and_name_their_rates() -> Result<()> {
        let t = Thresholds::from_slices(&[0.9, 0.6, 0.4, 0.1], &[true, false, true, false])?;
        let plain = Roc::new(&t);
        let marked = plain.clone().mark("at 0.5", t.counts(0.5)?);
        let names: Vec<String> = marked.entries().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names[2], "at 0.5: recall 50%, false alarms 50%");
        assert_ne!(plain.figure().to_png()?, marked.figure().to_png()?);
        Ok(())
    }
}
