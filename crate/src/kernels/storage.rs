//! Borrowing the f32 data behind a Candle CPU storage and its layout.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, Layout, Result, bail};

/// The contiguous f32 values of `storage` under `layout`, or an error naming `what`.
pub(super) fn values<'a>(
    storage: &'a CpuStorage,
    layout: &Layout,
    what: &str,
) -> Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        bail!(
            "{what}: the fast kernels take f32 tensors, got {:?}",
            storage.dtype()
        )
    };
    match layout.contiguous_offsets() {
        Some((start, end)) => Ok(&data[start..end]),
        None => bail!("{what}: the fast kernels take contiguous tensors (call .contiguous())"),
    }
}

/// The contiguous f32 values of `storage` under `layout`, writable.
pub(super) fn values_mut<'a>(
    storage: &'a mut CpuStorage,
    layout: &Layout,
    what: &str,
) -> Result<&'a mut [f32]> {
    let dtype = storage.dtype();
    let CpuStorage::F32(data) = storage else {
        bail!("{what}: the fast kernels take f32 tensors, got {dtype:?}")
    };
    match layout.contiguous_offsets() {
        Some((start, end)) => Ok(&mut data[start..end]),
        None => bail!("{what}: the fast kernels take contiguous tensors (call .contiguous())"),
    }
}
