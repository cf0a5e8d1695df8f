//! Which device lessons train on.

use crate::error::{Error, Result};
use candle_core::Device;

/// Name of the environment variable that forces a device (`cpu` or `cuda`).
pub const DEVICE_VAR: &str = "DLCOURSE_DEVICE";

/// The device for the lessons: `DLCOURSE_DEVICE=cpu` or `cuda` when set; otherwise the
/// first CUDA GPU when the crate was built with its `cuda` feature and a GPU is present,
/// else the CPU (the default, and what CI uses).
///
/// ```
/// let device = dlcourse::device::device()?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn device() -> Result<Device> {
    match std::env::var(DEVICE_VAR).map(|v| v.to_ascii_lowercase()) {
        Ok(v) if v == "cpu" => Ok(Device::Cpu),
        Ok(v) if v == "cuda" => Device::new_cuda(0).map_err(|err| {
            Error::Usage(format!(
                "{DEVICE_VAR}=cuda, but no CUDA device could be opened ({err}) — build the \
                 crate with `--features cuda` on a machine with an NVIDIA GPU, or unset {DEVICE_VAR}"
            ))
        }),
        Ok(v) if !v.is_empty() => Err(Error::Env {
            name: DEVICE_VAR,
            value: v,
            expected: "`cpu` or `cuda` (unset picks a GPU when the crate has the cuda feature)",
        }),
        _ if cfg!(feature = "cuda") && candle_core::utils::cuda_is_available() => {
            Ok(Device::new_cuda(0)?)
        }
        _ => Ok(Device::Cpu),
    }
}
