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
//! glibc documents `mallopt` as unsafe while other threads run (it changes the
//! allocator's settings under their feet), so it is only ever called while the process
//! has a single thread:
//!
//! - explicitly, by [`keep_freed_memory`], first thing in a program or a notebook (before
//!   anything starts a thread: Candle's thread pool starts with the first tensor
//!   operation that uses it); it refuses, with an error, once other threads exist;
//! - otherwise, with the `keep-freed-memory` feature (the notebooks turn it on; a
//!   program that links the crate decides for itself, and the examples and benchmarks
//!   call [`keep_freed_memory`]), automatically the first time a kernel runs, but only if the process is still single-threaded then (on Linux, counted in `/proc/self/status`); if it is not,
//!   malloc's settings are left alone.
//!
//! Linux with glibc only (elsewhere nothing is done). `DLCOURSE_KEEP_MEMORY=0` leaves
//! malloc's settings alone either way (the process then returns freed memory to the
//! system sooner, and trains slower).

use crate::error::{Error, Result};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether malloc was tuned (`Some(true)`), left alone for good (`Some(false)`), or not
/// decided yet (`None`).
static TUNED: Mutex<Option<bool>> = Mutex::new(None);

/// Set once `TUNED` is decided: the kernels' per-call check is then one atomic load.
static DECIDED: AtomicBool = AtomicBool::new(false);

fn decide(state: &mut Option<bool>, tuned: bool) {
    *state = Some(tuned);
    DECIDED.store(true, Ordering::Release);
}

/// Tells glibc's malloc to keep freed blocks for the next batch (see the module
/// documentation): call it once, before any other thread exists — at the top of `main`,
/// or in a notebook's first cell after `use dlcourse::prelude::*;`. Returns whether the
/// settings were changed (`false` with `DLCOURSE_KEEP_MEMORY=0`, or off Linux/glibc);
/// calling it again returns the first answer.
///
/// ```
/// // The doc-test runs in its own process: nothing else has started a thread yet.
/// let tuned = dlcourse::kernels::keep_freed_memory();
/// # let _ = tuned;
/// ```
///
/// # Errors
/// When other threads already run (mallopt is not safe then), or glibc refuses a setting.
pub fn keep_freed_memory() -> Result<bool> {
    let mut state = TUNED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(done) = *state {
        return Ok(done);
    }
    if opted_out() {
        decide(&mut state, false);
        return Ok(false);
    }
    if let Some(n) = threads().filter(|&n| n > 1) {
        return Err(Error::Usage(format!(
            "keep_freed_memory: expected a process with a single thread (glibc's mallopt is \
             unsafe while others run), found {n} threads — call it first, before anything \
             trains or computes (at the top of main, or in the notebook's first cell), or \
             leave it out: training works without it, only slower"
        )));
    }
    let done = tune()?;
    decide(&mut state, done);
    Ok(done)
}

/// The automatic path, on the first kernel call: tunes malloc only if the process has a
/// single thread now; never an error (a refused setting just leaves malloc alone).
#[cfg(feature = "keep-freed-memory")]
pub(super) fn keep_freed_memory_if_alone() {
    if DECIDED.load(Ordering::Acquire) {
        return;
    }
    let Ok(mut state) = TUNED.try_lock() else {
        return;
    };
    if state.is_some() {
        return;
    }
    let alone = threads() == Some(1);
    let tuned = !opted_out() && alone && tune().unwrap_or(false);
    decide(&mut state, tuned);
}

fn opted_out() -> bool {
    std::env::var("DLCOURSE_KEEP_MEMORY").is_ok_and(|v| v == "0")
}

/// The number of threads of this process, where the system says (Linux).
fn threads() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune() -> Result<bool> {
    /// The largest mmap threshold glibc accepts on 64-bit targets.
    const MMAP_THRESHOLD: libc::c_int = 32 << 20;
    /// Free memory at the top of the heap kept before trimming.
    const TRIM_THRESHOLD: libc::c_int = 1 << 30;
    for (name, param, value) in [
        ("M_MMAP_THRESHOLD", libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD),
        ("M_TRIM_THRESHOLD", libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD),
    ] {
        // SAFETY: mallopt takes no pointers; it is called only while this process has a
        // single thread (checked by the callers), as glibc requires.
        if unsafe { libc::mallopt(param, value) } != 1 {
            return Err(Error::Usage(format!(
                "keep_freed_memory: glibc refused mallopt({name}, {value}) — leave it out \
                 (training works without it, only slower)"
            )));
        }
    }
    Ok(true)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune() -> Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_thread_count_is_read_and_a_busy_process_is_refused() {
        let Some(n) = super::threads() else {
            return; // not Linux
        };
        assert!(n >= 1);
        // The test harness runs tests on threads of its own: more than one thread here.
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let other = {
            let barrier = barrier.clone();
            std::thread::spawn(move || barrier.wait())
        };
        assert!(super::threads().unwrap() >= 2);
        if super::TUNED.lock().unwrap().is_none() && !super::opted_out() {
            let err = super::keep_freed_memory().unwrap_err().to_string();
            assert!(
                err.contains("single thread") && err.contains("first"),
                "{err}"
            );
        }
        barrier.wait();
        other.join().unwrap();
    }
}
