//! `Figure`: a plot with a size, rendered to PNG or SVG, shown inline in Jupyter.

use crate::error::{Error, Result};
use crate::plot::font;
use base64::Engine as _;
use image::{ImageEncoder, RgbImage};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Something that can draw itself on a plotters drawing area of any backend.
pub trait Plot {
    /// What the picture is, for error messages (`"loss curves"`).
    fn what(&self) -> &'static str;

    /// Draws on `area` (already filled white).
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// A plot and its size in pixels.
///
/// The last expression of a Jupyter cell renders inline as a PNG; [`Figure::save`]
/// writes PNG or SVG.
///
/// evcxr gotcha: when that last expression moves a variable defined in the same cell
/// (`Panels::new(charts).figure()`), evcxr cannot keep the variable and quietly prints
/// the figure's `Debug` text instead of the picture. Wrap such a cell in braces
/// (`{ let charts = ...; Panels::new(charts).figure() }`) or pass a clone.
#[derive(Debug, Clone)]
pub struct Figure<P> {
    plot: P,
    width: u32,
    height: u32,
}

impl<P: Plot> Figure<P> {
    /// A figure of `width`×`height` pixels.
    pub fn new(plot: P, width: u32, height: u32) -> Self {
        Figure {
            plot,
            width,
            height,
        }
    }

    /// Changes the size.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// The plot inside.
    pub fn plot(&self) -> &P {
        &self.plot
    }

    /// An error unless the figure has at least one pixel each way.
    fn check_size(&self) -> Result<()> {
        if self.width == 0 || self.height == 0 {
            return Err(Error::Plot {
                what: self.plot.what(),
                message: format!(
                    "expected a figure of at least 1×1 pixels, found {}×{} — give it a size, \
                     e.g. .size(640, 400)",
                    self.width, self.height
                ),
            });
        }
        Ok(())
    }

    /// Renders to an RGB image.
    pub fn to_image(&self) -> Result<RgbImage> {
        self.check_size()?;
        font::ensure_registered();
        let (w, h) = (self.width, self.height);
        let mut buffer = vec![255u8; w as usize * h as usize * 3];
        {
            let area = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
            self.plot.draw(&area)?;
            area.present().map_err(|e| drawing(self.plot.what(), e))?;
        }
        RgbImage::from_raw(w, h, buffer).ok_or_else(|| Error::Plot {
            what: self.plot.what(),
            message: "the picture buffer has the wrong size".into(),
        })
    }

    /// Renders to PNG bytes.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        let image = self.to_image()?;
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(
                image.as_raw(),
                image.width(),
                image.height(),
                image::ExtendedColorType::Rgb8,
            )
            .map_err(|e| drawing(self.plot.what(), e))?;
        Ok(png)
    }

    /// Renders to an SVG document.
    pub fn to_svg(&self) -> Result<String> {
        self.check_size()?;
        let mut svg = String::new();
        {
            let area =
                SVGBackend::with_string(&mut svg, (self.width, self.height)).into_drawing_area();
            area.fill(&WHITE)
                .map_err(|e| drawing(self.plot.what(), e))?;
            self.plot.draw(&area)?;
            area.present().map_err(|e| drawing(self.plot.what(), e))?;
        }
        Ok(svg)
    }

    /// Writes the figure to `path`: PNG for `.png`, SVG for `.svg`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let bytes = match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
        {
            Some(ext) if ext == "png" => self.to_png()?,
            Some(ext) if ext == "svg" => self.to_svg()?.into_bytes(),
            _ => {
                return Err(Error::Usage(format!(
                    "saving a figure to {}: the name must end in .png or .svg",
                    path.display()
                )));
            }
        };
        std::fs::write(path, bytes).map_err(|e| Error::io("writing", path, e))
    }

    /// Shows the figure inline in Jupyter (called by the evcxr kernel).
    pub fn evcxr_display(&self) {
        match self.to_png() {
            Ok(png) => println!(
                "EVCXR_BEGIN_CONTENT image/png\n{}\nEVCXR_END_CONTENT",
                base64::engine::general_purpose::STANDARD.encode(png)
            ),
            Err(err) => eprintln!("{err}"),
        }
    }
}

/// Wraps a plotters or image error.
pub(crate) fn drawing(what: &'static str, err: impl std::fmt::Display) -> Error {
    Error::Plot {
        what,
        message: err.to_string(),
    }
}
