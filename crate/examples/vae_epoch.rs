//! Seconds per training epoch of lesson 15's VAE on Fashion-MNIST (train + test, 70,000
//! images, batch 128, Adam), and the time 32 epochs (the full profile) would take.
//!
//! `cargo run --release -p dlcourse --example vae_epoch` (data from `DLCOURSE_DATA`).
//! `VAE_SAMPLES=N` trains on the first N images only and scales the time up to 70,000;
//! `VAE_EPOCHS=E` trains E epochs (default 1); `VAE_MINUTES=M` stops after the epoch that
//! ends past M minutes of training (with `VAE_EPOCHS` as the most); `VAE_BATCH=B` uses batches of B (default 128).

use dlcourse::models::Vae;
use dlcourse::prelude::*;
use dlcourse::train::TimeLimit;
use std::time::Instant;

fn main() -> dlcourse::Result<()> {
    // First, while the program has one thread: keep freed tensor memory mapped (faster
    // training on Linux; see `kernels::keep_freed_memory`).
    dlcourse::kernels::keep_freed_memory()?;
    let setting = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let fashion = dlcourse::data::fashion_mnist()?;
    let all = Tensor::cat(
        &[fashion.train.images_nchw()?, fashion.test.images_nchw()?],
        0,
    )?;
    let n = setting("VAE_SAMPLES", all.dim(0)?).min(all.dim(0)?);
    let epochs = setting("VAE_EPOCHS", 1);
    let batch = setting("VAE_BATCH", 128);
    let images = all.narrow(0, 0, n)?;
    let vae = Vae::fashion_mnist(&device()?, 42)?;
    let mut fit = Fit::epochs(epochs).batch_size(batch);
    if let Some(limit) = TimeLimit::from_env("VAE_MINUTES")? {
        fit = fit.callback(limit);
    }
    let started = Instant::now();
    let history = vae.fit(&images, fit, Optimizer::adam(0.001))?;
    let seconds = started.elapsed().as_secs_f64() / history.epochs().max(1) as f64;
    let full_epoch = seconds * 70_000.0 / n as f64;
    println!(
        "{n} images, batch {batch}: {seconds:.1} s per epoch, so {full_epoch:.0} s per epoch of 70,000 \
         and {:.0} minutes for 32 epochs; total loss per image {:.1} after {} epoch(s), \
         {} threads",
        32.0 * full_epoch / 60.0,
        history.loss().last().copied().unwrap_or(f64::NAN),
        history.epochs(),
        rayon::current_num_threads()
    );
    Ok(())
}
