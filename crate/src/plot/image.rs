//! One image from a tensor, enlarged so its pixels are visible.

use crate::error::Result;
use crate::plot::figure::drawing;
use crate::plot::pixels::{self, Pixels};
use crate::plot::setters::text_setters;
use crate::plot::{Figure, Plot, font};
use candle_core::Tensor;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A single image with an optional title.
///
/// ```
/// use dlcourse::plot::Picture;
/// # use candle_core::{DType, Device, Tensor};
/// let digit = Tensor::zeros((28, 28), DType::F32, &Device::Cpu)?;
/// let fig = Picture::new(&digit)?.title("label 5").figure();
/// assert_eq!(fig.to_image()?.width(), 280);
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Picture {
    image: Pixels,
    title: String,
}

impl Picture {
    text_setters!(title: "A title above the image.");

    /// The image in `tensor`: 784 values, H×W, C×H×W or H×W×C (C = 1 or 3), `u8`
    /// (0..255) or float (0..1).
    pub fn new(tensor: &Tensor) -> Result<Self> {
        Ok(Picture {
            image: pixels::single(tensor, "drawing an image")?,
            title: String::new(),
        })
    }

    /// The picture as a figure: enlarged by a whole factor to about 280 pixels, or
    /// shrunk to fit 800 pixels.
    pub fn figure(self) -> Figure<Self> {
        let (w, h) = pixels::fit(self.image.width, self.image.height, (280, 280));
        let (w, h) = match w.max(h) > 800 {
            true => pixels::fit(self.image.width, self.image.height, (800, 800)),
            false => (w, h),
        };
        let width = w.max(font::text_width(&self.title, 18.0) + 16);
        let height = h + self.title_height();
        Figure::new(self, width, height)
    }

    fn title_height(&self) -> u32 {
        match self.title.is_empty() {
            true => 0,
            false => 32,
        }
    }
}

/// A single image, enlarged: `plot::image(&x.get(0)?)?`.
///
/// ```
/// # use candle_core::{DType, Device, Tensor};
/// let fig = dlcourse::plot::image(&Tensor::ones((3, 32, 32), DType::F32, &Device::Cpu)?)?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn image(tensor: &Tensor) -> Result<Figure<Picture>> {
    Ok(Picture::new(tensor)?.figure())
}

impl Plot for Picture {
    fn what(&self) -> &'static str {
        "an image"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (width, height) = area.dim_in_pixel();
        let top = self.title_height();
        if !self.title.is_empty() {
            let style = font::style(18.0).pos(Pos::new(HPos::Center, VPos::Center));
            area.draw_text(&self.title, &style, (width as i32 / 2, 16))
                .map_err(|e| drawing(self.what(), e))?;
        }
        let avail = (width, height.saturating_sub(top).max(1));
        let (w, h) = pixels::fit(self.image.width, self.image.height, avail);
        let left = (width.saturating_sub(w) / 2) as i32;
        pixels::draw_scaled(area, &self.image, (left, top as i32), (w, h), self.what())
    }
}
