//! Keeping freed tensor memory for reuse.
//!
//! A training step allocates the same large tensors batch after batch (activations,
//! gradients, a few MB each). glibc's malloc serves blocks over its mmap threshold with
//! fresh pages and gives freed memory back to the kernel when the top of the heap is
//! free, so every batch pays a page fault per 4 KiB it touches: measured here, 3 ms of a
//! 4.7 MB gradient's 3.1 ms, and a third of the CNN's backward pass. TensorFlow and
//! PyTorch avoid this with their own caching allocators; here glibc is told to keep
//! blocks up to 32 MB on its heap and not to trim it, so the pages stay mapped for the
//! next batch.
//!
//! Done once, the first time a kernel runs, on Linux with glibc only. Set
//! `DLCOURSE_KEEP_MEMORY=0` to leave malloc's settings alone (the process then returns
//! freed memory to the system sooner, and trains slower).

use std::sync::Once;

/// Adjusts malloc once per process (see the module documentation).
pub(super) fn keep_freed_memory() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var("DLCOURSE_KEEP_MEMORY").is_ok_and(|v| v == "0") {
            return;
        }
        tune();
    });
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune() {
    /// The largest mmap threshold glibc accepts on 64-bit targets.
    const MMAP_THRESHOLD: libc::c_int = 32 << 20;
    /// Free memory at the top of the heap kept before trimming.
    const TRIM_THRESHOLD: libc::c_int = 1 << 30;
    // SAFETY: mallopt only changes allocator parameters; it takes no pointers.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune() {}
