//! Images out of tensors, and drawing them scaled up pixel by pixel.

use crate::error::{Error, Result};
use crate::plot::figure::drawing;
use crate::plot::input::values;
use candle_core::{DType, Tensor};
use plotters::coord::Shift;
use plotters::prelude::*;

/// An RGB image, row by row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pixels {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<[u8; 3]>,
}

/// How a batch tensor lays out its images.
struct Layout {
    n: usize,
    height: usize,
    width: usize,
    channels: usize,
    channels_last: bool,
}

const SHAPES: &str =
    "images of shape N×784 (square, flattened), N×H×W, N×1×H×W, N×3×H×W or N×H×W×3";

/// The images of a batch: `[n, side²]`, `[n, h, w]`, `[n, c, h, w]` or `[n, h, w, c]`
/// with 1 or 3 channels. `u8` is read as 0..255; floats as 0..1, or 0..255 when some
/// value is above 1, or -1..1 when some value is negative.
pub(crate) fn batch(t: &Tensor, context: &str) -> Result<Vec<Pixels>> {
    convert(t, context, false)
}

/// Like [`batch`], but each image is stretched to its own value range: its lowest value
/// black, its highest white (filters and feature maps, whose values are not pixels).
pub(crate) fn batch_stretched(t: &Tensor, context: &str) -> Result<Vec<Pixels>> {
    convert(t, context, true)
}

fn convert(t: &Tensor, context: &str, stretch: bool) -> Result<Vec<Pixels>> {
    let layout = layout(t.dims()).ok_or_else(|| {
        Error::shape(
            context,
            SHAPES,
            format!("{:?}", t.dims()),
            "reshape the tensor, e.g. `x.reshape((n, 28, 28))?`",
        )
    })?;
    let v = values(t)?;
    let Layout {
        n,
        height,
        width,
        channels: c,
        channels_last,
    } = layout;
    let size = height * width * c;
    let ranges: Vec<(f64, f64)> = match stretch {
        false => vec![value_range(t.dtype(), &v); n],
        true => v.chunks(size.max(1)).map(own_range).collect(),
    };
    let index = |i: usize, y: usize, x: usize, ch: usize| {
        if channels_last {
            ((i * height + y) * width + x) * c + ch
        } else {
            ((i * c + ch) * height + y) * width + x
        }
    };
    let image = |i: usize| {
        let (lo, span) = ranges[i];
        let level = |x: f64| (((x - lo) / span).clamp(0.0, 1.0) * 255.0).round() as u8;
        let mut rgb = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                let at = |ch: usize| level(v[index(i, y, x, ch.min(c - 1))]);
                rgb.push([at(0), at(1), at(2)]);
            }
        }
        Pixels { width, height, rgb }
    };
    Ok((0..n).map(image).collect())
}

/// One image: `[side²]`, `[h, w]`, `[c, h, w]`, `[h, w, c]` or a batch of one.
pub(crate) fn single(t: &Tensor, context: &str) -> Result<Pixels> {
    let as_batch = match t.dims() {
        [_] | [_, _] => t.unsqueeze(0)?,
        [c, _, _] | [_, _, c] if *c == 1 || *c == 3 => t.unsqueeze(0)?,
        [1, ..] => t.clone(),
        dims => {
            return Err(Error::shape(
                context,
                "one image of shape 784 (square, flattened), H×W, C×H×W or H×W×C",
                format!("{dims:?}"),
                "pick one image of a batch with `images.get(i)?`",
            ));
        }
    };
    let mut images = batch(&as_batch, context)?;
    match images.len() {
        1 => Ok(images.remove(0)),
        n => Err(Error::shape(
            context,
            "one image",
            format!("{n} images"),
            "pick one image of a batch with `images.get(i)?`",
        )),
    }
}

fn layout(dims: &[usize]) -> Option<Layout> {
    let gray = |n, height, width| Layout {
        n,
        height,
        width,
        channels: 1,
        channels_last: false,
    };
    match *dims {
        [n, k] => {
            let side = (k as f64).sqrt().round() as usize;
            (side * side == k && k > 0).then(|| gray(n, side, side))
        }
        [n, h, w] => Some(gray(n, h, w)),
        [n, c, h, w] if c == 1 || c == 3 => Some(Layout {
            channels: c,
            ..gray(n, h, w)
        }),
        [n, h, w, c] if c == 1 || c == 3 => Some(Layout {
            channels: c,
            channels_last: true,
            ..gray(n, h, w)
        }),
        _ => None,
    }
    .filter(|l| l.height > 0 && l.width > 0)
}

/// The low end and span of the value range the pixels are read in.
fn value_range(dtype: DType, v: &[f64]) -> (f64, f64) {
    let max = v.iter().copied().fold(f64::MIN, f64::max);
    let min = v.iter().copied().fold(f64::MAX, f64::min);
    match dtype {
        DType::U8 => (0.0, 255.0),
        _ if max > 1.0 + 1e-6 => (0.0, 255.0),
        _ if min < 0.0 => (-1.0, 2.0),
        _ => (0.0, 1.0),
    }
}

/// The low end and span of one image's own values (span 1 when they are all equal, so a
/// constant image is drawn black).
fn own_range(v: &[f64]) -> (f64, f64) {
    let finite = v.iter().copied().filter(|x| x.is_finite());
    let (lo, hi) = finite.fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
    match hi > lo {
        true => (lo, hi - lo),
        false if lo <= hi => (lo, 1.0),
        false => (0.0, 1.0),
    }
}

/// Draws `image` stretched over the `size` pixels at `pos`, each destination pixel
/// taking its nearest source pixel. Equal neighbours are merged into one rectangle, so
/// an SVG stays small.
pub(crate) fn draw_scaled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    image: &Pixels,
    pos: (i32, i32),
    size: (u32, u32),
    what: &'static str,
) -> Result<()> {
    let (w, h) = (size.0 as usize, size.1 as usize);
    let source = |d: usize, dest: usize, src: usize| ((d * src + src / 2) / dest).min(src - 1);
    let mut y = 0;
    while y < h {
        let sy = source(y, h, image.height);
        let mut y_end = y + 1;
        while y_end < h && source(y_end, h, image.height) == sy {
            y_end += 1;
        }
        let row = &image.rgb[sy * image.width..(sy + 1) * image.width];
        let mut x = 0;
        while x < w {
            let color = row[source(x, w, image.width)];
            let mut x_end = x + 1;
            while x_end < w && row[source(x_end, w, image.width)] == color {
                x_end += 1;
            }
            let [r, g, b] = color;
            let corners = [
                (pos.0 + x as i32, pos.1 + y as i32),
                (pos.0 + x_end as i32, pos.1 + y_end as i32),
            ];
            area.draw(&Rectangle::new(corners, RGBColor(r, g, b).filled()))
                .map_err(|e| drawing(what, e))?;
            x = x_end;
        }
        y = y_end;
    }
    Ok(())
}

/// The largest display size for a `width`×`height` image inside `avail`: a whole
/// multiple when enlarging (crisp pixels), a fraction when shrinking.
pub(crate) fn fit(width: usize, height: usize, avail: (u32, u32)) -> (u32, u32) {
    let scale = (avail.0 as f64 / width as f64).min(avail.1 as f64 / height as f64);
    let scale = if scale >= 1.0 { scale.floor() } else { scale };
    let px = |n: usize| ((n as f64 * scale).round() as u32).max(1);
    (px(width), px(height))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn batch_reads_every_layout() -> Result<()> {
        let dev = Device::Cpu;
        let flat = Tensor::zeros((2, 784), DType::F32, &dev)?;
        assert_eq!(batch(&flat, "t")?[1].width, 28);
        let rgb_last = Tensor::ones((1, 4, 5, 3), DType::U8, &dev)?;
        let image = &batch(&rgb_last, "t")?[0];
        assert_eq!((image.width, image.height, image.rgb[0]), (5, 4, [1, 1, 1]));
        let rgb_first = Tensor::ones((1, 3, 4, 5), DType::F32, &dev)?;
        assert_eq!(batch(&rgb_first, "t")?[0].rgb[0], [255, 255, 255]);
        assert!(batch(&Tensor::zeros((2, 5), DType::F32, &dev)?, "t").is_err());
        assert!(single(&Tensor::zeros((5, 28, 28), DType::F32, &dev)?, "t").is_err());
        assert_eq!(
            single(&Tensor::zeros(784, DType::F32, &dev)?, "t")?.height,
            28
        );
        Ok(())
    }

    #[test]
    fn stretched_images_each_span_black_to_white() -> Result<()> {
        let dev = Device::Cpu;
        let maps = Tensor::new(&[[[-2f32, 6.]], [[0.1, 0.3]], [[5., 5.]]], &dev)?;
        let images = batch_stretched(&maps, "t")?;
        let grays: Vec<[u8; 2]> = images.iter().map(|i| [i.rgb[0][0], i.rgb[1][0]]).collect();
        assert_eq!(grays, [[0, 255], [0, 255], [0, 0]]);
        Ok(())
    }

    #[test]
    fn fit_enlarges_by_whole_multiples() {
        assert_eq!(fit(28, 28, (120, 200)), (112, 112));
        assert_eq!(fit(784, 500, (392, 400)), (392, 250));
    }
}
