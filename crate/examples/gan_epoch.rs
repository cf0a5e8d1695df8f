//! Seconds per training epoch of lesson 16's GAN on Fashion-MNIST (the 60,000 training
//! images, batch 64, two Adam optimisers), the time 30 epochs (the full profile) would
//! take, and how many classes lesson 06's classifier finds among 1,000 generated images.
//!
//! `cargo run --release -p dlcourse --example gan_epoch` (data from `DLCOURSE_DATA`).
//! `GAN_SAMPLES=N` trains on the first N images only and scales the time up to 60,000;
//! `GAN_EPOCHS=E` trains E epochs (default 1); `GAN_MINUTES=M` stops after the epoch that
//! ends past M minutes of training (with `GAN_EPOCHS` as the most); `GAN_BATCH=B` uses batches of B (default 64);
//! `GAN_SEED=S` seeds the run (default 42); `GAN_WIDTH=W` builds both halves W wide
//! instead of 256; `GAN_LR=R` sets both Adam learning rates (default 0.0002).

use dlcourse::models::{self, ClassCoverage, Gan};
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
    let all = fashion.train.images_nchw()?;
    let n = setting("GAN_SAMPLES", all.dim(0)?).min(all.dim(0)?);
    let epochs = setting("GAN_EPOCHS", 1);
    let batch = setting("GAN_BATCH", 64);
    let seed = setting("GAN_SEED", 42) as u64;
    let images = all.narrow(0, 0, n)?;
    let width = setting("GAN_WIDTH", 256);
    let rate = std::env::var("GAN_LR")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0002);
    let gan = Gan::fashion_mnist_with_width(&device()?, width, seed)?;
    let adam = models::gan_adam(rate);
    let mut fit = Fit::epochs(epochs).batch_size(batch);
    if let Some(limit) = TimeLimit::from_env("GAN_MINUTES")? {
        fit = fit.callback(limit);
    }
    let started = Instant::now();
    let history = gan.fit(&images, fit, adam, adam)?;
    let seconds = started.elapsed().as_secs_f64() / history.epochs().max(1) as f64;
    let full_epoch = seconds * 60_000.0 / n as f64;
    println!(
        "width {width}, {n} images, batch {batch}: {seconds:.1} s per epoch ({:.3} s per batch), so {full_epoch:.0} s \
         per epoch of 60,000 and {:.1} hours for 30 epochs; {} threads",
        seconds / (n as f64 / batch as f64).ceil(),
        30.0 * full_epoch / 3600.0,
        rayon::current_num_threads()
    );
    let last = |key: &Key| history.last(key).unwrap_or(f64::NAN);
    println!(
        "last epoch: d_loss {:.3}, g_loss {:.3}, d_accuracy {:.3}",
        last(&models::DISCRIMINATOR_LOSS),
        last(&models::GENERATOR_LOSS),
        last(&models::DISCRIMINATOR_ACCURACY)
    );
    // Lesson 06's classifier: Flatten → Dense(128, ReLU) → Dense(10, softmax), Adam.
    let mut classifier = Sequential::new(&[1, 28, 28])
        .add(Flatten)
        .add(Dense::new(128).activation(Activation::Relu))
        .add(Dense::new(10).activation(Activation::Softmax))
        .build(&device()?, 6)?;
    classifier.compile(
        Optimizer::adam(0.001),
        Loss::SparseCategoricalCrossEntropy,
        &[Metric::Accuracy],
    )?;
    let test = fashion.test.images_nchw()?;
    classifier.fit(
        &all,
        &fashion.train.labels,
        Fit::epochs(5).batch_size(32).quiet(),
    )?;
    let accuracy = classifier
        .evaluate(&test, &fashion.test.labels)?
        .accuracy()?;
    let generated = gan.generate(&gan.noise(1_000, 16)?)?;
    let coverage = ClassCoverage::new(&classifier.predict(&generated)?, 0.9)?;
    println!(
        "classifier: {:.1}% on the test set; 1,000 generated images: assigned {:?}, confident (≥ 0.9) {:?}: \
         {} classes with ≥ 1, {} with ≥ 10",
        100.0 * accuracy,
        coverage.assigned,
        coverage.confident,
        coverage.classes_reached(1),
        coverage.classes_reached(10)
    );
    if let Ok(path) = std::env::var("GAN_GRID") {
        plot::Grid::new(&generated.narrow(0, 0, 81)?)?
            .columns(9)
            .figure()
            .save(path)?;
    }
    Ok(())
}
