//! A grid of images with a caption under each: samples, predictions, generated images.

use crate::error::Result;
use crate::plot::figure::drawing;
use crate::plot::input::{class_indices, class_name, names, same_length};
use crate::plot::pixels::{self, Pixels};
use crate::plot::{Figure, Plot, font, palette};
use candle_core::Tensor;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const CAPTION: f64 = 14.0;
const TITLE: f64 = 20.0;
const PAD: u32 = 6;

/// The text under one image; red when it reports a wrong prediction.
#[derive(Debug, Clone, Default)]
struct Caption {
    text: String,
    wrong: bool,
}

/// Images side by side in rows, each with an optional caption (a label, a class name, or
/// `true → predicted`, in red when wrong). Images are scaled up without smoothing.
///
/// ```
/// use dlcourse::plot::Grid;
/// use candle_core::{Device, Tensor};
/// let images = Tensor::rand(0f32, 1.0, (6, 28, 28), &Device::Cpu)?;
/// let labels = Tensor::new(&[0u8, 1, 2, 0, 1, 2], &Device::Cpu)?;
/// let fig = Grid::new(&images)?.labels(&labels, &["cat", "dog", "bird"])?.columns(3).figure();
/// assert!(fig.to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Grid {
    images: Vec<Pixels>,
    captions: Vec<Caption>,
    columns: Option<usize>,
    title: String,
    image_size: u32,
}

/// The default largest side of an image in a grid, in pixels.
const IMAGE_SIZE: u32 = 112;

impl Grid {
    /// The images of a batch: N×784, N×28×28, N×1×H×W, N×3×H×W or N×H×W×3, `u8` (0..255)
    /// or float (0..1).
    ///
    /// ```
    /// # use candle_core::{DType, Device, Tensor};
    /// let grid = dlcourse::plot::Grid::new(&Tensor::zeros((4, 784), DType::F32, &Device::Cpu)?)?;
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn new(images: &Tensor) -> Result<Self> {
        let images = pixels::batch(images, "drawing a grid of images")?;
        Ok(Self::of(images))
    }

    /// Like [`Grid::new`], but each image is stretched to its own range of values, its
    /// lowest value black and its highest white: for things that are not photographs —
    /// the filters of a convolution (`[filters, 1, 3, 3]`) or its feature maps for one
    /// image (`[filters, H, W]`), whose values can be negative or far above 1.
    ///
    /// ```
    /// use dlcourse::plot::Grid;
    /// # use candle_core::{Device, Tensor};
    /// let filters = Tensor::randn(0f32, 0.3, (8, 1, 3, 3), &Device::Cpu)?;
    /// let fig = Grid::stretched(&filters)?.columns(8).title("8 learned 3×3 filters").figure();
    /// assert!(fig.to_png()?.starts_with(b"\x89PNG"));
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn stretched(images: &Tensor) -> Result<Self> {
        let images = pixels::batch_stretched(images, "drawing a grid of stretched images")?;
        Ok(Self::of(images))
    }

    fn of(images: Vec<Pixels>) -> Self {
        Grid {
            captions: vec![Caption::default(); images.len()],
            images,
            columns: None,
            title: String::new(),
            image_size: IMAGE_SIZE,
        }
    }

    /// Draws each image up to `pixels` on its longer side (default 112; larger for photos).
    ///
    /// ```
    /// # use candle_core::{DType, Device, Tensor};
    /// # let photos = Tensor::zeros((2, 3, 375, 500), DType::U8, &Device::Cpu)?;
    /// let fig = dlcourse::plot::Grid::new(&photos)?.image_size(300).figure();
    /// assert!(fig.to_image()?.width() >= 600);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn image_size(mut self, pixels: u32) -> Self {
        self.image_size = pixels.max(8);
        self
    }

    /// Puts `n` images in a row (the default makes the grid about square).
    ///
    /// ```
    /// # use candle_core::{DType, Device, Tensor};
    /// # let images = Tensor::zeros((8, 28, 28), DType::F32, &Device::Cpu)?;
    /// let fig = dlcourse::plot::Grid::new(&images)?.columns(4).figure();
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn columns(mut self, n: usize) -> Self {
        self.columns = Some(n.max(1));
        self
    }

    /// A title above the grid.
    ///
    /// ```
    /// # use candle_core::{DType, Device, Tensor};
    /// # let images = Tensor::zeros((4, 28, 28), DType::F32, &Device::Cpu)?;
    /// let fig = dlcourse::plot::Grid::new(&images)?.title("Generated, epoch 10").figure();
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_owned();
        self
    }

    /// Captions in image order (missing ones stay empty, extra ones are ignored).
    ///
    /// ```
    /// # use candle_core::{DType, Device, Tensor};
    /// # let images = Tensor::zeros((2, 28, 28), DType::F32, &Device::Cpu)?;
    /// let fig = dlcourse::plot::Grid::new(&images)?.captions(&["original", "reconstruction"]).figure();
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn captions<S: AsRef<str>>(mut self, captions: &[S]) -> Self {
        for (caption, text) in self.captions.iter_mut().zip(captions) {
            *caption = Caption {
                text: text.as_ref().to_owned(),
                wrong: false,
            };
        }
        self
    }

    /// Captions each image with its class name (or number, when `names` is empty).
    ///
    /// ```
    /// # use candle_core::{DType, Device, Tensor};
    /// # let images = Tensor::zeros((2, 28, 28), DType::F32, &Device::Cpu)?;
    /// let labels = Tensor::new(&[7u8, 2], &Device::Cpu)?;
    /// let fig = dlcourse::plot::Grid::new(&images)?.labels(&labels, &[] as &[&str])?.figure();
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn labels<S: AsRef<str>>(self, labels: &Tensor, names: &[S]) -> Result<Self> {
        let context = "captioning a grid with labels";
        let labels = class_indices(labels, context)?;
        same_length(context, "labels", self.images.len(), labels.len())?;
        let names = self::names(names);
        let captions: Vec<String> = labels.iter().map(|&l| class_name(&names, l)).collect();
        Ok(self.captions(&captions))
    }

    /// Captions each image with its predicted class, as `true → predicted` in red when
    /// the prediction is wrong. `predicted` may be class numbers or rows of probabilities.
    ///
    /// ```
    /// # use candle_core::{DType, Device, Tensor};
    /// # let images = Tensor::zeros((2, 28, 28), DType::F32, &Device::Cpu)?;
    /// let truth = Tensor::new(&[1u8, 0], &Device::Cpu)?;
    /// let predicted = Tensor::new(&[[0.2f32, 0.8], [0.3, 0.7]], &Device::Cpu)?;
    /// let fig = dlcourse::plot::Grid::new(&images)?.predictions(&truth, &predicted, &["no", "yes"])?.figure();
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn predictions<S: AsRef<str>>(
        mut self,
        truth: &Tensor,
        predicted: &Tensor,
        names: &[S],
    ) -> Result<Self> {
        let context = "captioning a grid with predictions";
        let truth = class_indices(truth, context)?;
        let predicted = class_indices(predicted, context)?;
        same_length(context, "true labels", self.images.len(), truth.len())?;
        same_length(context, "predictions", self.images.len(), predicted.len())?;
        let names = self::names(names);
        for (caption, (&t, &p)) in self.captions.iter_mut().zip(truth.iter().zip(&predicted)) {
            *caption = Caption {
                text: match t == p {
                    true => class_name(&names, t),
                    false => format!("{} → {}", class_name(&names, t), class_name(&names, p)),
                },
                wrong: t != p,
            };
        }
        Ok(self)
    }

    /// The grid as a figure: images enlarged by a whole factor (or shrunk), up to 112
    /// pixels or [`Grid::image_size`] (less when there are many columns).
    pub fn figure(self) -> Figure<Self> {
        let (cols, rows) = self.shape();
        let (w, h) = self
            .images
            .first()
            .map_or((28, 28), |i| (i.width, i.height));
        let size = self.image_size;
        let total = 1100.max(size * 2);
        let budget = (total / cols as u32).clamp(30, size + 2 * PAD) - 2 * PAD;
        let (img_w, img_h) = pixels::fit(w, h, (budget.min(size), size));
        let cell_w = img_w.max(self.caption_width() + 16) + 2 * PAD;
        let cell_h = img_h + self.caption_height() + 2 * PAD;
        let title_w = font::text_width(&self.title, TITLE) + 4 * PAD;
        let width = (cols as u32 * cell_w + 2 * PAD).max(240).max(title_w);
        let height = rows as u32 * cell_h + self.title_height() + 2 * PAD;
        Figure::new(self, width, height)
    }

    /// How many images the grid holds.
    ///
    /// ```
    /// # use candle_core::{DType, Device, Tensor};
    /// let grid = dlcourse::plot::Grid::new(&Tensor::zeros((3, 8, 8), DType::U8, &Device::Cpu)?)?;
    /// assert_eq!(grid.len(), 3);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.images.len()
    }

    /// Whether the grid holds no image (a gallery of mistakes when there are none).
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// Columns and rows.
    fn shape(&self) -> (usize, usize) {
        let n = self.images.len().max(1);
        let cols = self
            .columns
            .unwrap_or_else(|| (n as f64).sqrt().ceil() as usize)
            .min(n);
        (cols, n.div_ceil(cols))
    }

    fn caption_width(&self) -> u32 {
        let widest = self
            .captions
            .iter()
            .map(|c| font::text_width(&c.text, CAPTION));
        widest.max().unwrap_or(0)
    }

    fn caption_height(&self) -> u32 {
        match self.captions.iter().any(|c| !c.text.is_empty()) {
            true => 22,
            false => 0,
        }
    }

    fn title_height(&self) -> u32 {
        match self.title.is_empty() {
            true => 0,
            false => 36,
        }
    }
}

impl Plot for Grid {
    fn what(&self) -> &'static str {
        "a grid of images"
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let what = self.what();
        let (width, height) = area.dim_in_pixel();
        let title_style = font::style(TITLE).pos(Pos::new(HPos::Center, VPos::Center));
        let top = self.title_height() as i32 + PAD as i32;
        if !self.title.is_empty() {
            area.draw_text(&self.title, &title_style, (width as i32 / 2, 20))
                .map_err(|e| drawing(what, e))?;
        }
        if self.images.is_empty() {
            return area
                .draw_text("(no images)", &title_style, (width as i32 / 2, top + 20))
                .map_err(|e| drawing(what, e));
        }
        let (cols, rows) = self.shape();
        let cell_w = (width.saturating_sub(2 * PAD) / cols as u32).max(1);
        let cell_h = (height.saturating_sub(top as u32 + PAD) / rows as u32).max(1);
        let avail = (
            cell_w.saturating_sub(2 * PAD).max(1),
            cell_h
                .saturating_sub(self.caption_height() + 2 * PAD)
                .max(1),
        );
        let caption_style = font::style(CAPTION).pos(Pos::new(HPos::Center, VPos::Top));
        for (i, (image, caption)) in self.images.iter().zip(&self.captions).enumerate() {
            let (img_w, img_h) = pixels::fit(image.width, image.height, avail);
            let x = PAD as i32 + (i % cols) as i32 * cell_w as i32;
            let y = top + (i / cols) as i32 * cell_h as i32;
            let left = x + (cell_w - img_w) as i32 / 2;
            pixels::draw_scaled(area, image, (left, y + PAD as i32), (img_w, img_h), what)?;
            let below = y + (PAD + img_h) as i32 + 4;
            let color = match caption.wrong {
                true => palette::WRONG,
                false => BLACK,
            };
            if caption.wrong {
                let frame = [
                    (left - 2, y + PAD as i32 - 2),
                    (left + img_w as i32 + 1, y + (PAD + img_h) as i32 + 1),
                ];
                area.draw(&Rectangle::new(frame, color.stroke_width(2)))
                    .map_err(|e| drawing(what, e))?;
            }
            let center = x + cell_w as i32 / 2;
            area.draw_text(&caption.text, &caption_style.color(&color), (center, below))
                .map_err(|e| drawing(what, e))?;
        }
        Ok(())
    }
}
