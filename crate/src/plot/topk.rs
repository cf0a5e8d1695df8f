//! Photos, each with a classifier's top-k labels as bars beside it (what a pretrained
//! ImageNet model says about a picture).

use crate::error::{Error, Result};
use crate::plot::figure::drawing;
use crate::plot::input::names;
use crate::plot::pixels::{self, Pixels};
use crate::plot::{Figure, Plot, font, palette};
use candle_core::Tensor;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const THUMB: u32 = 168;
const PAD: u32 = 10;
const TITLE: f64 = 17.0;
const TEXT: f64 = 14.0;
const BAR_ROOM: u32 = 200;

/// One photo per panel with its top labels as bars: the most probable first, the true
/// class (given with [`TopK::truth`]) in green, and the panel's second line saying
/// whether the top label is right.
///
/// ```
/// # use candle_core::{DType, Device, Tensor};
/// use dlcourse::plot::TopK;
/// let photo = Tensor::zeros((3, 224, 224), DType::U8, &Device::Cpu)?;
/// let fig = TopK::new()
///     .photo(&photo, "dog.jpg", &["Samoyed", "Arctic fox"], &[0.8, 0.1])?
///     .truth("Samoyed")
///     .figure();
/// assert!(fig.to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TopK {
    panels: Vec<Panel>,
    columns: usize,
}

#[derive(Debug, Clone)]
struct Panel {
    image: Pixels,
    title: String,
    names: Vec<String>,
    values: Vec<f64>,
    truth: Option<String>,
}

impl Default for TopK {
    fn default() -> Self {
        Self::new()
    }
}

impl TopK {
    /// No photos yet, two panels a row.
    pub fn new() -> Self {
        TopK {
            panels: Vec::new(),
            columns: 2,
        }
    }

    /// Adds a photo (`u8` or 0..1 float, C×H×W or H×W×C) titled `title`, with its labels
    /// `names` and their `probabilities` (0..1), most probable first.
    pub fn photo<S: AsRef<str>>(
        mut self,
        image: &Tensor,
        title: &str,
        names: &[S],
        probabilities: &[f64],
    ) -> Result<Self> {
        let context = "drawing a photo with its top labels";
        if names.len() != probabilities.len() || names.is_empty() {
            return Err(Error::shape(
                context,
                "as many probabilities as label names, at least one",
                format!(
                    "{} names, {} probabilities",
                    names.len(),
                    probabilities.len()
                ),
                "pass the names and probabilities of the same top-k labels",
            ));
        }
        if let Some(bad) = probabilities.iter().find(|p| !(0.0..=1.0).contains(*p)) {
            return Err(Error::shape(
                context,
                "probabilities between 0 and 1",
                format!("{bad}"),
                "pass the classifier's softmax outputs, not its logits",
            ));
        }
        self.panels.push(Panel {
            image: pixels::single(image, context)?,
            title: title.to_owned(),
            names: self::names(names),
            values: probabilities.to_vec(),
            truth: None,
        });
        Ok(self)
    }

    /// The true class of the photo added last: its bar is green, and the panel says
    /// whether the top label is right.
    pub fn truth(mut self, name: &str) -> Self {
        if let Some(panel) = self.panels.last_mut() {
            panel.truth = Some(name.to_owned());
        }
        self
    }

    /// How many panels side by side (at least 1).
    pub fn columns(mut self, columns: usize) -> Self {
        self.columns = columns.max(1);
        self
    }

    /// The panels as one figure.
    pub fn figure(self) -> Figure<Self> {
        let (w, h) = self.panel_size();
        let columns = self.columns.min(self.panels.len()).max(1) as u32;
        let rows = self.panels.len().div_ceil(columns as usize).max(1) as u32;
        Figure::new(self, w * columns, h * rows)
    }

    fn name_width(&self) -> u32 {
        let names = self.panels.iter().flat_map(|p| &p.names);
        names.map(|n| font::text_width(n, TEXT)).max().unwrap_or(0)
    }

    fn panel_size(&self) -> (u32, u32) {
        let rows = self.panels.iter().map(|p| p.names.len()).max().unwrap_or(1) as u32;
        let text = 2 * 24 + rows * 22;
        let w = PAD + THUMB + PAD + self.name_width() + 8 + BAR_ROOM + 56 + PAD;
        (w, THUMB.max(text) + 2 * PAD)
    }
}

impl Plot for TopK {
    fn what(&self) -> &'static str {
        "photos with their top labels"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let what = self.what();
        let (pw, ph) = self.panel_size();
        let name_w = self.name_width() as i32;
        let title = font::style(TITLE).pos(Pos::new(HPos::Left, VPos::Top));
        let name = font::style(TEXT).pos(Pos::new(HPos::Right, VPos::Center));
        let value = font::style(TEXT).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, panel) in self.panels.iter().enumerate() {
            let x = (i % self.columns) as i32 * pw as i32;
            let y = (i / self.columns) as i32 * ph as i32;
            let (w, h) = pixels::fit(panel.image.width, panel.image.height, (THUMB, THUMB));
            let at = (x + PAD as i32, y + PAD as i32 + (THUMB - h) as i32 / 2);
            pixels::draw_scaled(area, &panel.image, at, (w, h), what)?;
            let left = x + (2 * PAD + THUMB) as i32;
            area.draw_text(&panel.title, &title, (left, y + PAD as i32))
                .map_err(|e| drawing(what, e))?;
            if let Some(truth) = &panel.truth {
                let right = panel.names.first() == Some(truth);
                let (text, color) = match right {
                    true => (format!("right: {truth}"), palette::color(2)),
                    false => (format!("true class: {truth}"), palette::WRONG),
                };
                let style = font::style(TEXT)
                    .pos(Pos::new(HPos::Left, VPos::Top))
                    .color(&color);
                area.draw_text(&text, &style, (left, y + PAD as i32 + 24))
                    .map_err(|e| drawing(what, e))?;
            }
            let x0 = left + name_w + 8;
            for (r, (label, p)) in panel.names.iter().zip(&panel.values).enumerate() {
                let top = y + PAD as i32 + 52 + r as i32 * 22;
                let middle = top + 11;
                let color = match (&panel.truth, r) {
                    (Some(t), _) if t == label => palette::color(2),
                    (_, 0) => palette::color(0),
                    _ => palette::tint(palette::color(0), 0.35),
                };
                let end = x0 + (p * BAR_ROOM as f64).round() as i32;
                let rect = [(x0, top + 3), (end.max(x0 + 1), top + 19)];
                area.draw(&Rectangle::new(rect, color.filled()))
                    .map_err(|e| drawing(what, e))?;
                area.draw_text(label, &name, (x0 - 6, middle))
                    .map_err(|e| drawing(what, e))?;
                area.draw_text(&format!("{:.1}%", 100.0 * p), &value, (end + 6, middle))
                    .map_err(|e| drawing(what, e))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Device};

    fn photo() -> Tensor {
        Tensor::zeros((3, 50, 80), DType::U8, &Device::Cpu).unwrap()
    }

    #[test]
    fn rejects_mismatched_or_impossible_probabilities() {
        assert!(
            TopK::new()
                .photo(&photo(), "a", &["x", "y"], &[0.5])
                .is_err()
        );
        assert!(TopK::new().photo(&photo(), "a", &["x"], &[1.5]).is_err());
        let empty: [&str; 0] = [];
        assert!(TopK::new().photo(&photo(), "a", &empty, &[]).is_err());
    }

    #[test]
    fn panels_wrap_into_rows_and_the_truth_changes_the_picture() -> Result<()> {
        let one = TopK::new().photo(&photo(), "a", &["x", "y"], &[0.6, 0.3])?;
        let three = (0..2).try_fold(one.clone(), |t, _| t.photo(&photo(), "b", &["x"], &[0.9]))?;
        let single = one.clone().figure().to_image()?;
        let image = three.figure().to_image()?;
        assert_eq!(image.width(), 2 * single.width());
        assert_eq!(image.height(), 2 * single.height());
        let plain = one.clone().figure().to_png()?;
        let marked = one.truth("y").figure().to_png()?;
        assert_ne!(plain, marked);
        Ok(())
    }
}
