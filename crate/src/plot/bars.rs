//! Horizontal bars with a name each: the class probabilities of one prediction, the
//! top-k labels of a classifier, scores of several models (with error bars for their
//! spread).

use crate::error::{Error, Result};
use crate::plot::figure::drawing;
use crate::plot::input::{class_name, names, values};
use crate::plot::setters::text_setters;
use crate::plot::{Figure, Plot, font, palette};
use candle_core::Tensor;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const ROW: u32 = 30;
const TOP: u32 = 46;
const TEXT: f64 = 15.0;

/// One bar per name, the largest highlighted, each with its value written beside it
/// (and, with [`Bars::errors`], an error bar).
///
/// ```
/// use dlcourse::plot::Bars;
/// let fig = Bars::new(&["cat", "dog", "bird"], &[0.1, 0.7, 0.2]).title("Prediction").top(2).figure();
/// assert!(fig.to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Bars {
    bars: Vec<Bar>,
    title: String,
    percent: bool,
}

/// One bar: its name, its value, the half-width of its error bar.
#[derive(Debug, Clone)]
struct Bar {
    name: String,
    value: f64,
    error: Option<f64>,
}

impl Bars {
    text_setters!(title: "A title above the bars.");

    /// Bars of `values`, named by `names` (numbers where a name is missing); values are
    /// written as percentages (see [`Bars::percent`]).
    pub fn new<S: AsRef<str>>(names: &[S], values: &[f64]) -> Self {
        let names = self::names(names);
        let bars = values
            .iter()
            .enumerate()
            .map(|(i, v)| Bar {
                name: class_name(&names, i),
                value: *v,
                error: None,
            })
            .collect();
        Bars {
            bars,
            title: String::new(),
            percent: true,
        }
    }

    /// Keeps the `k` largest values, largest first (the top-5 labels of a classifier).
    pub fn top(mut self, k: usize) -> Self {
        self.bars.sort_by(|a, b| b.value.total_cmp(&a.value));
        self.bars.truncate(k);
        self
    }

    /// Error bars: bar `i` gets a whisker from `value - errors[i]` to
    /// `value + errors[i]` (e.g. one standard deviation of cross-validation scores), and
    /// its label reads `value ± error`. Bars beyond `errors` get none.
    ///
    /// ```
    /// use dlcourse::plot::Bars;
    /// let fig = Bars::new(&["tree", "forest"], &[0.74, 0.78]).errors(&[0.05, 0.03]).figure();
    /// assert!(fig.to_png()?.starts_with(b"\x89PNG"));
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn errors(mut self, errors: &[f64]) -> Self {
        for (bar, e) in self.bars.iter_mut().zip(errors) {
            bar.error = Some(e.abs());
        }
        self
    }

    /// Writes values as percentages of 1 (`true`, for probabilities) or as plain
    /// numbers with bars scaled to the largest (`false`; whole numbers, such as counts,
    /// without decimals).
    pub fn percent(mut self, percent: bool) -> Self {
        self.percent = percent;
        self
    }

    /// The bars as a figure, 640 pixels wide (wider for long names or labels), 30 pixels
    /// per bar.
    pub fn figure(self) -> Figure<Self> {
        let height = TOP + ROW * self.bars.len() as u32 + 16;
        let (names, labels) = self.text_widths();
        let bars = names + labels + 240; // at least about 200 pixels of bar
        let width = 640.max(font::text_width(&self.title, 20.0) + 24).max(bars);
        Figure::new(self, width, height)
    }

    fn largest(&self) -> Option<usize> {
        let finite = self
            .bars
            .iter()
            .enumerate()
            .filter(|(_, b)| b.value.is_finite());
        finite
            .max_by(|a, b| a.1.value.total_cmp(&b.1.value))
            .map(|(i, _)| i)
    }

    /// The widths of the widest name and of the widest label, in pixels.
    fn text_widths(&self) -> (u32, u32) {
        let widest = |text: &dyn Fn(&Bar) -> String| {
            let widths = self.bars.iter().map(|b| font::text_width(&text(b), TEXT));
            widths.max().unwrap_or(0)
        };
        (widest(&|b| b.name.clone()), widest(&|b| self.bar_label(b)))
    }

    /// The text beside a bar: its value, and `± error` when it has one.
    fn bar_label(&self, bar: &Bar) -> String {
        match bar.error {
            Some(e) => format!("{} ± {}", self.label(bar.value), self.label(e)),
            None => self.label(bar.value),
        }
    }

    fn label(&self, v: f64) -> String {
        match self.percent {
            true => format!("{:.1}%", 100.0 * v),
            false if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
            false => format!("{v:.4}"),
        }
    }
}

/// The probabilities of one prediction (`[classes]` or `[1, classes]`) as bars named by
/// `names`, the predicted class highlighted and named in the title.
///
/// ```
/// # use candle_core::{Device, Tensor};
/// let p = Tensor::new(&[[0.05f32, 0.9, 0.05]], &Device::Cpu)?;
/// let fig = dlcourse::plot::probabilities(&p, &["Sandal", "Sneaker", "Ankle boot"])?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn probabilities<S: AsRef<str>>(probs: &Tensor, names: &[S]) -> Result<Figure<Bars>> {
    if !matches!(probs.dims(), [_] | [1, _]) {
        return Err(Error::shape(
            "drawing the probabilities of one prediction",
            "[classes] or [1, classes]",
            format!("{:?}", probs.dims()),
            "pick one row of the predictions, e.g. `predictions.get(0)?`",
        ));
    }
    let bars = Bars::new(names, &values(probs)?);
    let title = match bars.largest() {
        Some(i) => format!(
            "Predicted: {} ({})",
            bars.bars[i].name,
            bars.label(bars.bars[i].value)
        ),
        None => "Predicted: nothing".to_owned(),
    };
    Ok(bars.title(&title).figure())
}

impl Plot for Bars {
    fn what(&self) -> &'static str {
        "a bar chart"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let what = self.what();
        let (width, _) = area.dim_in_pixel();
        let title = font::style(20.0).pos(Pos::new(HPos::Center, VPos::Center));
        area.draw_text(&self.title, &title, (width as i32 / 2, TOP as i32 / 2))
            .map_err(|e| drawing(what, e))?;
        let (name_w, label_w) = self.text_widths();
        let x0 = name_w as i32 + 20;
        let room = width as i32 - x0 - (label_w as i32 + 16).max(80);
        let scale = match self.percent {
            true => 1.0,
            false => self
                .bars
                .iter()
                .map(|b| b.value.abs() + b.error.unwrap_or(0.0))
                .fold(0.0, f64::max),
        };
        let at = |v: f64| {
            let fraction = if scale > 0.0 {
                (v / scale).clamp(0.0, 1.0)
            } else {
                0.0
            };
            x0 + (fraction * room as f64).round() as i32
        };
        let name = font::style(TEXT).pos(Pos::new(HPos::Right, VPos::Center));
        let value = font::style(TEXT).pos(Pos::new(HPos::Left, VPos::Center));
        let top = self.largest();
        for (i, bar) in self.bars.iter().enumerate() {
            let y = TOP as i32 + i as i32 * ROW as i32;
            let middle = y + ROW as i32 / 2;
            let end = at(bar.value);
            let color = match Some(i) == top {
                true => palette::color(0),
                false => palette::tint(palette::color(0), 0.35),
            };
            let rect = [(x0, y + 4), (end.max(x0 + 1), y + ROW as i32 - 4)];
            area.draw(&Rectangle::new(rect, color.filled()))
                .map_err(|e| drawing(what, e))?;
            area.draw_text(&bar.name, &name, (x0 - 8, middle))
                .map_err(|e| drawing(what, e))?;
            let mut text_at = end;
            if let Some(e) = bar.error {
                let (lo, hi) = (at(bar.value - e), at(bar.value + e));
                let whisker = BLACK.stroke_width(2);
                let lines = [
                    [(lo, middle), (hi, middle)],
                    [(lo, middle - 6), (lo, middle + 6)],
                    [(hi, middle - 6), (hi, middle + 6)],
                ];
                for line in lines {
                    area.draw(&PathElement::new(line, whisker))
                        .map_err(|e| drawing(what, e))?;
                }
                text_at = text_at.max(hi);
            }
            area.draw_text(&self.bar_label(bar), &value, (text_at + 8, middle))
                .map_err(|e| drawing(what, e))?;
        }
        let bottom = TOP as i32 + self.bars.len() as i32 * ROW as i32;
        area.draw(&PathElement::new(
            [(x0, TOP as i32), (x0, bottom)],
            BLACK.stroke_width(1),
        ))
        .map_err(|e| drawing(what, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_percentages_or_plain_numbers() {
        let bars = Bars::new(&["a"], &[0.5]);
        assert_eq!(bars.label(0.957), "95.7%");
        let counts = bars.percent(false);
        assert_eq!(counts.label(104.0), "104");
        assert_eq!(counts.label(0.25), "0.2500");
    }

    #[test]
    fn error_bars_are_labelled_and_drawn() -> Result<()> {
        let plain = Bars::new(&["a", "b"], &[0.8, 0.7]);
        let with = plain.clone().errors(&[0.05]);
        assert_eq!(with.bar_label(&with.bars[0]), "80.0% ± 5.0%");
        assert_eq!(with.bar_label(&with.bars[1]), "70.0%");
        assert_ne!(plain.figure().to_png()?, with.figure().to_png()?);
        Ok(())
    }
}
