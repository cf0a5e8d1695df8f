//! Max pooling over non-overlapping windows, forward and backward in one pass each.

use super::{fast_path, storage};
use candle_core::{CpuStorage, CustomOp1, CustomOp2, Layout, Result, Shape, Tensor, bail};
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
    if !fast_path(&[x]) {
        return x.max_pool2d(size);
    }
    x.contiguous()?.apply_op1(MaxPool { size })
}

/// The forward op.
struct MaxPool {
    size: usize,
}

/// The backward op: input and output gradient → input gradient.
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

    /// The index (within the plane) of the first maximum of output cell (y, x)'s window.
    fn argmax(&self, plane: &[f32], size: usize, y: usize, x: usize) -> usize {
        let top_left = (y * size) * self.w + x * size;
        if size == 2 {
            // The course's 2×2 windows, without the loops.
            let (a, b) = (top_left, top_left + 1);
            let (c, d) = (a + self.w, b + self.w);
            let first = if plane[b] > plane[a] { b } else { a };
            let second = if plane[d] > plane[c] { d } else { c };
            return if plane[second] > plane[first] {
                second
            } else {
                first
            };
        }
        let mut best = top_left;
        for i in 0..size {
            let row = (y * size + i) * self.w + x * size;
            for idx in row..row + size {
                if plane[idx] > plane[best] {
                    best = idx;
                }
            }
        }
        best
    }
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
            .for_each(|(out, plane)| {
                for y in 0..p.oh {
                    for x in 0..p.ow {
                        out[y * p.ow + x] = plane[p.argmax(plane, self.size, y, x)];
                    }
                }
            });
        let (b, c, _, _) = l.shape().dims4()?;
        Ok((CpuStorage::F32(out), Shape::from((b, c, p.oh, p.ow))))
    }

    fn bwd(&self, x: &Tensor, _output: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        let grad = grad.contiguous()?;
        Ok(Some(x.apply_op2_no_bwd(
            &grad,
            &MaxPoolGradient { size: self.size },
        )?))
    }
}

impl CustomOp2 for MaxPoolGradient {
    fn name(&self) -> &'static str {
        "dlcourse-max-pool2d-grad"
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        xl: &Layout,
        gs: &CpuStorage,
        gl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (planes, p) = Plane::of(xl.shape(), self.size)?;
        let x = storage::values(xs, xl, "max_pool2d input")?;
        let grad = storage::values(gs, gl, "max_pool2d output gradient")?;
        if grad.len() != planes * p.oh * p.ow {
            bail!(
                "max_pool2d gradient: {} values for {planes} planes of {}×{}",
                grad.len(),
                p.oh,
                p.ow
            )
        }
        let mut out = vec![0f32; x.len()];
        out.par_chunks_mut(p.h * p.w)
            .zip(x.par_chunks(p.h * p.w))
            .zip(grad.par_chunks(p.oh * p.ow))
            .for_each(|((dx, plane), g)| {
                for y in 0..p.oh {
                    for x in 0..p.ow {
                        dx[p.argmax(plane, self.size, y, x)] += g[y * p.ow + x];
                    }
                }
            });
        Ok((CpuStorage::F32(out), xl.shape().clone()))
    }
}
