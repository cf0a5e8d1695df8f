//! Max pooling over non-overlapping windows, forward and backward in one pass each.

use super::{fast_path, keep_if, storage};
use candle_core::{CpuStorage, CustomOp1, CustomOp3, Layout, Result, Shape, Tensor, bail};
use rayon::prelude::*;

/// Keeps the largest value of each `size`×`size` window of `x` (`[batch, channels,
/// height, width]`), windows side by side (stride `size`); a partial window at the right
/// or bottom edge is dropped. The same result as Candle's `x.max_pool2d(size)`; the
/// gradient goes to the first maximum of each window, as in TensorFlow.
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> candle_core::Result<()> {
/// let x = Tensor::new(&[[[[1f32, 2., 5., 0.], [3., 4., 1., 1.]]]], &Device::Cpu)?;
/// let y = dlcourse::kernels::max_pool2d(&x, 2)?;
/// assert_eq!(y.flatten_all()?.to_vec1::<f32>()?, [4., 5.]);
/// # Ok(()) }
/// ```
pub fn max_pool2d(x: &Tensor, size: usize) -> Result<Tensor> {
    if x.elem_count() == 0 {
        bail!(
            "max_pool2d: expected a batch of at least one image with at least one channel, \
             found input {:?} — check how the batch was sliced",
            x.dims()
        )
    }
    if !fast_path(&[x]) {
        return max_pool2d_with_candle_ops(x, size);
    }
    x.contiguous()?.apply_op1(MaxPool { size })
}

/// [`max_pool2d`] in Candle's own ops, whose gradients Candle derives correctly on any
/// device: what runs off the CPU (a GPU, f64), and the reference the fast op is tested
/// against. Each window becomes a row (a reshape and a permute), `argmax` picks its
/// first maximum and `gather` takes it, so the backward pass (a `scatter_add`) sends
/// each gradient whole to that one element — as the fast kernel does. (Candle 0.11's
/// `max_pool2d` is not used: its backward pass scales every gradient by 1/k².)
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> candle_core::Result<()> {
/// let x = Tensor::new(&[[[[1f64, 2., 5., 0.], [3., 4., 1., 1.]]]], &Device::Cpu)?;
/// let y = dlcourse::kernels::max_pool2d_with_candle_ops(&x, 2)?;
/// assert_eq!(y.flatten_all()?.to_vec1::<f64>()?, [4., 5.]);
/// # Ok(()) }
/// ```
pub fn max_pool2d_with_candle_ops(x: &Tensor, size: usize) -> Result<Tensor> {
    let (b, c, h, w) = x.dims4()?;
    if size == 0 || h < size || w < size {
        bail!("max_pool2d: a {size}×{size} window does not fit a {h}×{w} image")
    }
    let (oh, ow) = (h / size, w / size);
    // [b, c, oh, ow, size·size]: one row per window, its elements row by row.
    let windows = x
        .narrow(2, 0, oh * size)?
        .narrow(3, 0, ow * size)?
        .reshape((b, c, oh, size, ow, size))?
        .permute((0, 1, 2, 4, 3, 5))?
        .contiguous()?
        .reshape((b, c, oh, ow, size * size))?;
    let first_max = windows.detach().argmax_keepdim(4)?;
    windows.gather(&first_max, 4)?.squeeze(4)
}

/// The forward op.
struct MaxPool {
    size: usize,
}

/// The backward op: input, output and output gradient → input gradient.
struct MaxPoolGradient {
    size: usize,
}

/// One plane's sizes: input height and width, output height and width.
#[derive(Clone, Copy)]
struct Plane {
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
}

impl Plane {
    fn of(shape: &Shape, size: usize) -> Result<(usize, Plane)> {
        let (b, c, h, w) = shape.dims4()?;
        if size == 0 || h < size || w < size {
            bail!("max_pool2d: a {size}×{size} window does not fit a {h}×{w} image")
        }
        Ok((
            b * c,
            Plane {
                h,
                w,
                oh: h / size,
                ow: w / size,
            },
        ))
    }

    /// Writes the maximum of each window of `plane` to `out` (`oh`×`ow`): first the
    /// element-wise maximum of the window's rows (vectorised), then of each run of
    /// `size` columns. `column_max` is scratch of `ow·size` values. Inlined, so that the
    /// callers' `size == 2` case compiles to straight-line code.
    #[inline(always)]
    fn max(&self, plane: &[f32], size: usize, out: &mut [f32], column_max: &mut [f32]) {
        let span = self.ow * size;
        for (y, out_row) in out.chunks_exact_mut(self.ow).enumerate() {
            let top = y * size * self.w;
            column_max.copy_from_slice(&plane[top..][..span]);
            for i in 1..size {
                let row = &plane[top + i * self.w..][..span];
                for (c, v) in column_max.iter_mut().zip(row) {
                    *c = larger(*c, *v);
                }
            }
            for (o, window) in out_row.iter_mut().zip(column_max.chunks_exact(size)) {
                *o = window.iter().copied().fold(f32::NEG_INFINITY, larger);
            }
        }
    }

    /// Writes the input gradient of one plane to `dx`: each window's output gradient
    /// goes to its first element (row by row) equal to the window's maximum, as in
    /// TensorFlow; every other element of the window gets 0. `taken` is scratch of `ow`
    /// flags. Inlined like [`Plane::max`]; branch-free, since on real data which
    /// element is the maximum is a coin toss.
    #[inline(always)]
    fn route(
        &self,
        (plane, max, grad): (&[f32], &[f32], &[f32]),
        size: usize,
        dx: &mut [f32],
        taken: &mut [bool],
    ) {
        let span = self.ow * size;
        for (y, (max_row, grad_row)) in max
            .chunks_exact(self.ow)
            .zip(grad.chunks_exact(self.ow))
            .enumerate()
        {
            taken.fill(false);
            for i in 0..size {
                let start = (y * size + i) * self.w;
                let row = &plane[start..][..span];
                let dx_row = &mut dx[start..][..span];
                for ((((window, dx), m), g), taken) in row
                    .chunks_exact(size)
                    .zip(dx_row.chunks_exact_mut(size))
                    .zip(max_row)
                    .zip(grad_row)
                    .zip(taken.iter_mut())
                {
                    for (v, d) in window.iter().zip(dx) {
                        let hit = !*taken & (*v == *m);
                        *d = keep_if(hit, *g);
                        *taken |= hit;
                    }
                }
            }
        }
    }
}

/// The larger of two values, written so that it compiles to one `maxss`/`maxps`.
fn larger(a: f32, b: f32) -> f32 {
    if b > a { b } else { a }
}

impl CustomOp1 for MaxPool {
    fn name(&self) -> &'static str {
        "dlcourse-max-pool2d"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let (planes, p) = Plane::of(l.shape(), self.size)?;
        let x = storage::values(s, l, "max_pool2d input")?;
        let mut out = vec![0f32; planes * p.oh * p.ow];
        out.par_chunks_mut(p.oh * p.ow)
            .zip(x.par_chunks(p.h * p.w))
            .for_each_init(
                || vec![0f32; p.ow * self.size],
                |column_max, (out, plane)| match self.size {
                    2 => p.max(plane, 2, out, column_max),
                    size => p.max(plane, size, out, column_max),
                },
            );
        let (b, c, _, _) = l.shape().dims4()?;
        Ok((CpuStorage::F32(out), Shape::from((b, c, p.oh, p.ow))))
    }

    fn bwd(&self, x: &Tensor, output: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        let grad = grad.contiguous()?;
        let routed = x.apply_op3_no_bwd(output, &grad, &MaxPoolGradient { size: self.size })?;
        Ok(Some(routed))
    }
}

impl CustomOp3 for MaxPoolGradient {
    fn name(&self) -> &'static str {
        "dlcourse-max-pool2d-grad"
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        xl: &Layout,
        ys: &CpuStorage,
        yl: &Layout,
        gs: &CpuStorage,
        gl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (planes, p) = Plane::of(xl.shape(), self.size)?;
        let x = storage::values(xs, xl, "max_pool2d input")?;
        let max = storage::values(ys, yl, "max_pool2d output")?;
        let grad = storage::values(gs, gl, "max_pool2d output gradient")?;
        let pooled = planes * p.oh * p.ow;
        if grad.len() != pooled || max.len() != pooled {
            bail!(
                "max_pool2d gradient: {} gradients and {} maxima for {planes} planes of {}×{}",
                grad.len(),
                max.len(),
                p.oh,
                p.ow
            )
        }
        // Zeroed: rows and columns past the last whole window get no gradient.
        let mut out = vec![0f32; x.len()];
        out.par_chunks_mut(p.h * p.w)
            .zip(x.par_chunks(p.h * p.w))
            .zip(
                max.par_chunks(p.oh * p.ow)
                    .zip(grad.par_chunks(p.oh * p.ow)),
            )
            .for_each_init(
                || vec![false; p.ow],
                |taken, ((dx, plane), (max, g))| match self.size {
                    2 => p.route((plane, max, g), 2, dx, taken),
                    size => p.route((plane, max, g), size, dx, taken),
                },
            );
        Ok((CpuStorage::F32(out), xl.shape().clone()))
    }
}
