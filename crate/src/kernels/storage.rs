//! Borrowing the f32 data behind a Candle CPU storage and its layout.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, Layout, Result, Storage, bail};

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

/// The contiguous f32 values of a tensor's storage (from `Tensor::storage_and_layout`),
/// or an error naming `what` when it is not on the CPU.
pub(super) fn tensor_values<'a>(
    storage: &'a Storage,
    layout: &Layout,
    what: &str,
) -> Result<&'a [f32]> {
    match storage {
        Storage::Cpu(cpu) => values(cpu, layout, what),
        other => bail!(
            "{what}: the fast kernels run on the CPU, this tensor is on {:?}",
            other.device().location()
        ),
    }
}
