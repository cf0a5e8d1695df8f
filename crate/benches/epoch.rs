//! Time per training epoch of the course's two reference models on real MNIST, on the
//! CPU: the MLP of lesson 05 (784-512-10, batch 100, RMSprop) and the CNN of lesson 09
//! (batch 32, Adam), plus inference over the test set.
//!
//! `cargo bench -p dlcourse --bench epoch` (MNIST from `DLCOURSE_DATA`, as everywhere).
//! Settings: `BENCH_REPEATS` timed epochs per model (default 3, median reported) and
//! `BENCH_CNN_SAMPLES` (default 60000) to time the CNN on fewer training images.
//! One warm-up pass on 10% of the data precedes the timed epochs.

use dlcourse::data::mnist;
use dlcourse::models;
use dlcourse::prelude::*;
use std::time::Instant;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Times `repeats` epochs of `model` on `x`, `y` after a warm-up on a tenth of them.
fn time_epochs(
    model: &mut Model,
    x: &Tensor,
    y: &Tensor,
    batch: usize,
    repeats: usize,
) -> Result<f64> {
    let warm = x.dim(0)? / 10;
    model.fit(
        &x.narrow(0, 0, warm)?,
        &y.narrow(0, 0, warm)?,
        Fit::epochs(1).batch_size(batch).quiet(),
    )?;
    let mut seconds = Vec::new();
    for _ in 0..repeats {
        let start = Instant::now();
        model.fit(x, y, Fit::epochs(1).batch_size(batch).quiet())?;
        seconds.push(start.elapsed().as_secs_f64());
    }
    Ok(median(seconds))
}

fn report(name: &str, samples: usize, batch: usize, seconds: f64) {
    let steps = samples.div_ceil(batch);
    println!(
        "{name:<28} {seconds:8.2} s/epoch  ({samples} samples, {steps} steps of {batch}, {:.2} ms/step)",
        1000.0 * seconds / steps as f64
    );
}

fn main() -> Result<()> {
    let repeats = env_usize("BENCH_REPEATS", 3);
    let data = mnist()?;
    let device = Device::Cpu;
    println!("threads: {}", candle_core::utils::get_num_threads());

    let x = data.train.flat()?;
    let y = &data.train.labels;
    let mut mlp = models::mnist_mlp().build(&device, 0)?;
    mlp.compile(
        Optimizer::rmsprop(0.001),
        Loss::SparseCategoricalCrossEntropy,
        &[Metric::Accuracy],
    )?;
    let seconds = time_epochs(&mut mlp, &x, y, 100, repeats)?;
    report("mlp 784-512-10 (RMSprop)", x.dim(0)?, 100, seconds);
    let test_x = data.test.flat()?;
    let start = Instant::now();
    let scores = mlp.evaluate(&test_x, &data.test.labels)?;
    println!(
        "{:<28} {:8.2} s  (accuracy {:.4})",
        "mlp evaluate 10000",
        start.elapsed().as_secs_f64(),
        scores[1].1
    );

    let n = env_usize("BENCH_CNN_SAMPLES", 60_000).min(x.dim(0)?);
    let images = data.train.images_nchw()?.narrow(0, 0, n)?;
    let labels = y.narrow(0, 0, n)?;
    let mut cnn = models::mnist_cnn().build(&device, 0)?;
    cnn.compile(
        Optimizer::adam(0.001),
        Loss::SparseCategoricalCrossEntropy,
        &[Metric::Accuracy],
    )?;
    let seconds = time_epochs(&mut cnn, &images, &labels, 32, repeats)?;
    report("cnn (Adam)", n, 32, seconds);
    if n < 60_000 {
        println!(
            "{:<28} {:8.2} s/epoch  (extrapolated to 60000 samples)",
            "cnn full epoch",
            seconds * 60_000.0 / n as f64
        );
    }
    let start = Instant::now();
    cnn.evaluate(&data.test.images_nchw()?, &data.test.labels)?;
    println!(
        "{:<28} {:8.2} s",
        "cnn evaluate 10000",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
