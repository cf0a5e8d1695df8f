//! im2col and its adjoint col2im: a convolution becomes one matrix product once every
//! receptive field of an image is laid out as a column.

use candle_core::{Result, bail};

/// The sizes of a 2-D convolution over one image of `channels`×`height`×`width`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Geometry {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub kernel_h: usize,
    pub kernel_w: usize,
    pub stride: usize,
    pub padding: usize,
    pub out_h: usize,
    pub out_w: usize,
}

impl Geometry {
    /// The geometry of a `kernel_h`×`kernel_w` convolution with `stride` and zero
    /// `padding` on each side, or an error when the kernel does not fit.
    pub fn new(
        (channels, height, width): (usize, usize, usize),
        (kernel_h, kernel_w): (usize, usize),
        stride: usize,
        padding: usize,
    ) -> Result<Self> {
        let out = |size: usize, kernel: usize| {
            (size + 2 * padding)
                .checked_sub(kernel)
                .map(|v| v / stride.max(1) + 1)
        };
        match (out(height, kernel_h), out(width, kernel_w)) {
            (Some(out_h), Some(out_w)) if stride >= 1 && kernel_h >= 1 && kernel_w >= 1 => {
                Ok(Geometry {
                    channels,
                    height,
                    width,
                    kernel_h,
                    kernel_w,
                    stride,
                    padding,
                    out_h,
                    out_w,
                })
            }
            _ => bail!(
                "conv2d: a {kernel_h}×{kernel_w} kernel (stride {stride}, padding {padding}) does not fit a {height}×{width} image"
            ),
        }
    }

    /// Values in one image.
    pub fn image_len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// Values in one receptive field (one column): channels × kernel height × width.
    pub fn patch_len(&self) -> usize {
        self.channels * self.kernel_h * self.kernel_w
    }

    /// Output positions per image (one column each).
    pub fn positions(&self) -> usize {
        self.out_h * self.out_w
    }

    /// For kernel column `j`, the output columns `lo..hi` whose input column lies inside
    /// the image (stride 1 only): input column = output column + j − padding.
    fn valid_columns(&self, j: usize) -> (usize, usize) {
        let lo = self.padding.saturating_sub(j).min(self.out_w);
        let hi = (self.width + self.padding)
            .saturating_sub(j)
            .min(self.out_w)
            .max(lo);
        (lo, hi)
    }

    /// Calls `visit(row_of_cols, image_row, output_row)` for every (channel, kernel row,
    /// kernel column, output row) whose input row lies inside the image; rows outside
    /// are `None`.
    fn for_each_row(&self, mut visit: impl FnMut(usize, Option<usize>, usize)) {
        let (kh, kw) = (self.kernel_h, self.kernel_w);
        for c in 0..self.channels {
            for i in 0..kh {
                for j in 0..kw {
                    let col_row = (c * kh + i) * kw + j;
                    for oh in 0..self.out_h {
                        let y = (oh * self.stride + i).checked_sub(self.padding);
                        let image_row = y.filter(|&y| y < self.height).map(|y| c * self.height + y);
                        visit(col_row, image_row, oh);
                    }
                }
            }
        }
    }
}

/// Writes the receptive fields of one `image` (`[C, H, W]`) into `cols`
/// (`[C·KH·KW, OH·OW]`): row (c, i, j), column (oh, ow) holds pixel
/// (c, oh·stride + i − padding, ow·stride + j − padding), zero outside the image.
pub(super) fn im2col(g: &Geometry, image: &[f32], cols: &mut [f32]) {
    let (p, ow_n, w) = (g.positions(), g.out_w, g.width);
    g.for_each_row(|col_row, image_row, oh| {
        let j = col_row % g.kernel_w;
        let out = &mut cols[col_row * p + oh * ow_n..][..ow_n];
        let Some(y) = image_row else {
            out.fill(0.0);
            return;
        };
        let src = &image[y * w..][..w];
        if g.stride == 1 {
            let (lo, hi) = g.valid_columns(j);
            out[..lo].fill(0.0);
            out[hi..].fill(0.0);
            copy_row(
                &mut out[lo..hi],
                &src[lo + j - g.padding..hi + j - g.padding],
            );
        } else {
            for (ow, value) in out.iter_mut().enumerate() {
                let x = (ow * g.stride + j)
                    .checked_sub(g.padding)
                    .filter(|&x| x < w);
                *value = x.map_or(0.0, |x| src[x]);
            }
        }
    });
}

/// Copies a short row (a few dozen values) in fixed-size chunks, which compile to
/// vector moves: `copy_from_slice` calls `memcpy`, whose call overhead is as large as
/// the copy at this length and showed up at 5% of a training step.
#[inline(always)]
fn copy_row(dst: &mut [f32], src: &[f32]) {
    let mut dst = dst.chunks_exact_mut(8);
    let mut src = src.chunks_exact(8);
    for (d, s) in (&mut dst).zip(&mut src) {
        d.copy_from_slice(s);
    }
    for (d, s) in dst.into_remainder().iter_mut().zip(src.remainder()) {
        *d = *s;
    }
}

/// The adjoint of [`im2col`]: adds every entry of `cols` to the pixel of `image` it was
/// read from (entries that came from the zero padding are dropped).
pub(super) fn col2im(g: &Geometry, cols: &[f32], image: &mut [f32]) {
    let (p, ow_n, w) = (g.positions(), g.out_w, g.width);
    g.for_each_row(|col_row, image_row, oh| {
        let Some(y) = image_row else { return };
        let j = col_row % g.kernel_w;
        let src = &cols[col_row * p + oh * ow_n..][..ow_n];
        let dst = &mut image[y * w..][..w];
        if g.stride == 1 {
            let (lo, hi) = g.valid_columns(j);
            let dst = &mut dst[lo + j - g.padding..hi + j - g.padding];
            for (d, s) in dst.iter_mut().zip(&src[lo..hi]) {
                *d += s;
            }
        } else {
            for (ow, value) in src.iter().enumerate() {
                if let Some(x) = (ow * g.stride + j)
                    .checked_sub(g.padding)
                    .filter(|&x| x < w)
                {
                    dst[x] += value;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn im2col_lays_out_receptive_fields() {
        // 1×3×3 image, 2×2 kernel, stride 1, no padding: 4 positions of 4 values.
        let g = Geometry::new((1, 3, 3), (2, 2), 1, 0).unwrap();
        let image: Vec<f32> = (1..=9).map(|v| v as f32).collect();
        let mut cols = vec![0.0; g.patch_len() * g.positions()];
        im2col(&g, &image, &mut cols);
        // Row (i, j) lists pixel (oh + i, ow + j) for the four outputs.
        assert_eq!(
            cols,
            [
                1., 2., 4., 5., 2., 3., 5., 6., 4., 5., 7., 8., 5., 6., 8., 9.
            ]
        );
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        // <im2col(x), c> = <x, col2im(c)> for any x and c, with padding and stride.
        for (stride, padding) in [(1, 0), (1, 1), (2, 1), (3, 2)] {
            let g = Geometry::new((2, 5, 4), (3, 2), stride, padding).unwrap();
            let x: Vec<f32> = (0..g.image_len())
                .map(|i| (i as f32 * 0.37).sin())
                .collect();
            let c: Vec<f32> = (0..g.patch_len() * g.positions())
                .map(|i| (i as f32 * 0.11).cos())
                .collect();
            let mut cols = vec![0.0; c.len()];
            im2col(&g, &x, &mut cols);
            let mut back = vec![0.0; x.len()];
            col2im(&g, &c, &mut back);
            let lhs: f32 = cols.iter().zip(&c).map(|(a, b)| a * b).sum();
            let rhs: f32 = x.iter().zip(&back).map(|(a, b)| a * b).sum();
            assert!(
                (lhs - rhs).abs() < 1e-3,
                "stride {stride} padding {padding}: {lhs} vs {rhs}"
            );
        }
    }

    #[test]
    fn a_kernel_larger_than_the_image_is_an_error() {
        assert!(Geometry::new((1, 2, 2), (3, 3), 1, 0).is_err());
    }
}
