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

/// The output length of a convolution along one side: `(size + 2·padding − kernel) /
/// stride + 1`, or `None` when the kernel does not fit in the padded input (the one
/// formula the kernels and the layers use).
pub(crate) fn output_len(
    size: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
) -> Option<usize> {
    (size + 2 * padding)
        .checked_sub(kernel)
        .map(|v| v / stride.max(1) + 1)
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
        let out = |size: usize, kernel: usize| output_len(size, kernel, stride, padding);
        match (out(height, kernel_h), out(width, kernel_w)) {
            (Some(out_h), Some(out_w)) if stride >= 1 && kernel_h >= 1 && kernel_w >= 1 => {
                Self::with_output(
                    (channels, height, width),
                    (kernel_h, kernel_w),
                    stride,
                    padding,
                    (out_h, out_w),
                )
            }
            _ => bail!(
                "conv2d: a {kernel_h}×{kernel_w} kernel (stride {stride}, padding {padding}) does not fit a {height}×{width} image"
            ),
        }
    }

    /// The geometry of a convolution over an image of `channels`×`height`×`width` with
    /// `out_h`×`out_w` output positions, whatever the size rule: `padding` zeros before
    /// the first row and column, and as many after the last as the positions need (a
    /// transposed convolution's output is such an image and its input the positions, so
    /// Keras' asymmetric "same" fits too).
    pub fn with_output(
        (channels, height, width): (usize, usize, usize),
        (kernel_h, kernel_w): (usize, usize),
        stride: usize,
        padding: usize,
        (out_h, out_w): (usize, usize),
    ) -> Result<Self> {
        if stride == 0 || kernel_h == 0 || kernel_w == 0 {
            bail!("a {kernel_h}×{kernel_w} kernel with stride {stride}: both must be at least 1")
        }
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
    /// the image: input column = output column·stride + j − padding.
    fn valid_columns(&self, j: usize) -> (usize, usize) {
        let s = self.stride;
        let lo = self.padding.saturating_sub(j).div_ceil(s).min(self.out_w);
        let hi = (self.width + self.padding)
            .saturating_sub(j)
            .div_ceil(s)
            .min(self.out_w)
            .max(lo);
        (lo, hi)
    }

    /// Calls `visit` for every row of `cols`: every (channel, kernel row, kernel column,
    /// output row), with where its values lie in the image.
    fn for_each_row(&self, mut visit: impl FnMut(Row)) {
        let (kh, kw, p) = (self.kernel_h, self.kernel_w, self.positions());
        for c in 0..self.channels {
            for i in 0..kh {
                for j in 0..kw {
                    let col_row = (c * kh + i) * kw + j;
                    let (lo, hi) = self.valid_columns(j);
                    for oh in 0..self.out_h {
                        let y = (oh * self.stride + i)
                            .checked_sub(self.padding)
                            .filter(|&y| y < self.height && lo < hi);
                        visit(Row {
                            start: col_row * p + oh * self.out_w,
                            image: y.map(|y| {
                                (c * self.height + y) * self.width + lo * self.stride + j
                                    - self.padding
                            }),
                            lo,
                            hi,
                        });
                    }
                }
            }
        }
    }
}

/// One row of im2col's columns (one channel, kernel row and column, and output row):
/// `cols[start + lo .. start + hi]` are the image values at `image`, `image + stride`, …;
/// the rest of the row is padding. `image` is `None` when the whole row is padding.
struct Row {
    start: usize,
    image: Option<usize>,
    lo: usize,
    hi: usize,
}

/// Writes the receptive fields of one `image` (`[C, H, W]`) into `cols`
/// (`[C·KH·KW, OH·OW]`): row (c, i, j), column (oh, ow) holds pixel
/// (c, oh·stride + i − padding, ow·stride + j − padding), zero outside the image.
pub(super) fn im2col(g: &Geometry, image: &[f32], cols: &mut [f32]) {
    g.for_each_row(|row| {
        let out = &mut cols[row.start..][..g.out_w];
        let Some(at) = row.image else {
            out.fill(0.0);
            return;
        };
        // Most rows have no padding at either end: no call to memset for nothing.
        if row.lo > 0 {
            out[..row.lo].fill(0.0);
        }
        if row.hi < out.len() {
            out[row.hi..].fill(0.0);
        }
        let out = &mut out[row.lo..row.hi];
        match g.stride {
            1 => copy_row(out, &image[at..at + out.len()]),
            // A literal stride lets the compiler unroll the strided loop.
            2 => gather(out, &image[at..], 2),
            stride => gather(out, &image[at..], stride),
        }
    });
}

/// `dst[o] = src[o·stride]` for every `o`.
#[inline(always)]
fn gather(dst: &mut [f32], src: &[f32], stride: usize) {
    let Some(last) = dst.len().checked_sub(1) else {
        return;
    };
    let src = &src[..last * stride + 1];
    for (o, d) in dst.iter_mut().enumerate() {
        *d = src[o * stride];
    }
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
    g.for_each_row(|row| {
        let Some(at) = row.image else { return };
        let src = &cols[row.start + row.lo..row.start + row.hi];
        match g.stride {
            2 => scatter_add(&mut image[at..], src, 2),
            stride => scatter_add(&mut image[at..], src, stride),
        }
    });
}

/// `dst[o·stride] += src[o]` for every `o`.
#[inline(always)]
fn scatter_add(dst: &mut [f32], src: &[f32], stride: usize) {
    let Some(last) = src.len().checked_sub(1) else {
        return;
    };
    let dst = &mut dst[..last * stride + 1];
    for (o, s) in src.iter().enumerate() {
        dst[o * stride] += s;
    }
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
        for (stride, padding) in [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2), (2, 3)] {
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
    fn padding_wider_than_the_output_reads_only_zeros() {
        // A 1×1 image and a single position 2 pixels up-left of it, 5×5 kernel: only
        // kernel entry (2, 2) sees the pixel; col2im puts back only what im2col read.
        let g = Geometry::with_output((1, 1, 1), (5, 5), 1, 2, (1, 1)).unwrap();
        let mut cols = vec![f32::NAN; 25];
        im2col(&g, &[7.0], &mut cols);
        let expected: Vec<f32> = (0..25).map(|i| if i == 12 { 7.0 } else { 0.0 }).collect();
        assert_eq!(cols, expected);
        let mut image = [0.0];
        col2im(&g, &[1.0; 25], &mut image);
        assert_eq!(image, [1.0]);
    }

    #[test]
    fn a_kernel_larger_than_the_image_is_an_error() {
        assert!(Geometry::new((1, 2, 2), (3, 3), 1, 0).is_err());
    }
}
