//! Element-wise updates of a tensor in place, for the optimisers: one pass over memory
//! instead of one freshly allocated tensor per arithmetic operation.

use super::{fast_path, storage};
use candle_core::{CpuStorage, InplaceOp2, InplaceOp3, Layout, Result, Tensor, bail};
use rayon::prelude::*;

/// Values per parallel task: large enough that scheduling costs nothing.
const CHUNK: usize = 1 << 15;

/// `dst[i] = f(dst[i], a[i])`, in place. Returns `false` (and does nothing) unless both
/// are f32 on the CPU, for the caller to fall back to tensor arithmetic.
pub(crate) fn map_in_place(
    dst: &Tensor,
    a: &Tensor,
    f: impl Fn(f32, f32) -> f32 + Sync,
) -> Result<bool> {
    if !fast_path(&[dst, a]) || !dst.is_contiguous() {
        return Ok(false);
    }
    dst.inplace_op2(&a.contiguous()?, &Map1(f))?;
    Ok(true)
}

/// `dst[i] = f(dst[i], a[i], b[i])`, in place; `false` as in [`map_in_place`].
pub(crate) fn map_in_place2(
    dst: &Tensor,
    a: &Tensor,
    b: &Tensor,
    f: impl Fn(f32, f32, f32) -> f32 + Sync,
) -> Result<bool> {
    if !fast_path(&[dst, a, b]) || !dst.is_contiguous() {
        return Ok(false);
    }
    dst.inplace_op3(&a.contiguous()?, &b.contiguous()?, &Map2(f))?;
    Ok(true)
}

struct Map1<F>(F);
struct Map2<F>(F);

fn same_len(dst: &[f32], src: &[f32]) -> Result<()> {
    if dst.len() != src.len() {
        bail!("in-place update of {} values from {}", dst.len(), src.len())
    }
    Ok(())
}

impl<F: Fn(f32, f32) -> f32 + Sync> InplaceOp2 for Map1<F> {
    fn name(&self) -> &'static str {
        "dlcourse-map-in-place"
    }

    fn cpu_fwd(
        &self,
        dst: &mut CpuStorage,
        dst_l: &Layout,
        a: &CpuStorage,
        a_l: &Layout,
    ) -> Result<()> {
        let d = storage::values_mut(dst, dst_l, "updated tensor")?;
        let a = storage::values(a, a_l, "update operand")?;
        same_len(d, a)?;
        d.par_chunks_mut(CHUNK)
            .zip(a.par_chunks(CHUNK))
            .for_each(|(d, a)| {
                // Equal lengths known up front let the compiler vectorise the loop.
                let a = &a[..d.len()];
                for i in 0..d.len() {
                    d[i] = (self.0)(d[i], a[i]);
                }
            });
        Ok(())
    }
}

impl<F: Fn(f32, f32, f32) -> f32 + Sync> InplaceOp3 for Map2<F> {
    fn name(&self) -> &'static str {
        "dlcourse-map-in-place2"
    }

    fn cpu_fwd(
        &self,
        dst: &mut CpuStorage,
        dst_l: &Layout,
        a: &CpuStorage,
        a_l: &Layout,
        b: &CpuStorage,
        b_l: &Layout,
    ) -> Result<()> {
        let d = storage::values_mut(dst, dst_l, "updated tensor")?;
        let a = storage::values(a, a_l, "update operand")?;
        let b = storage::values(b, b_l, "update operand")?;
        same_len(d, a)?;
        same_len(d, b)?;
        d.par_chunks_mut(CHUNK)
            .zip(a.par_chunks(CHUNK))
            .zip(b.par_chunks(CHUNK))
            .for_each(|((d, a), b)| {
                let (a, b) = (&a[..d.len()], &b[..d.len()]);
                for i in 0..d.len() {
                    d[i] = (self.0)(d[i], a[i], b[i]);
                }
            });
        Ok(())
    }
}
