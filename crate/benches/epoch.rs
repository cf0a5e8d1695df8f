//! Time per training epoch of the course's reference models on the CPU: on real MNIST the
//! MLP of lesson 05 (784-512-10, batch 100, RMSprop) and the CNN of lesson 09 (batch 32,
//! Adam), evaluation of each over the 10,000 test images; on the IMDB reviews lesson 10's
//! sentiment LSTM with and without recurrent dropout (evaluated on 5,000 test reviews);
//! lesson 15's VAE decoder alone (latent points to MNIST images, three transposed
//! convolutions); on Fashion-MNIST lesson 15's whole VAE (`vae-full`: encoder, sampling,
//! decoder, one Adam step per batch) and lesson 16's GAN (`gan`: one discriminator and one
//! generator step per batch), both trained by their own `fit`; and the machine's
//! f32 matrix-multiply throughput through Candle (the yardstick the epochs are measured
//! against).
//!
//! `cargo bench -p dlcourse --bench epoch` (MNIST, Fashion-MNIST and IMDB from
//! `DLCOURSE_DATA`, as everywhere);
//! `scripts/bench.sh` runs it next to the same models in Keras and writes BENCHMARKS.md.
//!
//! Settings (environment):
//! - `BENCH_REPEATS`: timed epochs and evaluations per model (default 3, median reported);
//! - `BENCH_CNN_SAMPLES`: train the CNN on the first N training images only (default
//!   60000; for quick checks — the per-epoch time is then extrapolated);
//! - `BENCH_MATMUL_SIZE`: side of the square matmul (default 2048);
//! - `BENCH_LSTM_SAMPLES`: train the LSTMs on the first N reviews (default 25000);
//! - `BENCH_VAE_SAMPLES`: train the VAE decoder on the first N images (default 60000);
//! - `BENCH_VAE_FULL_SAMPLES`: train the whole VAE on the first N of the 70,000
//!   Fashion-MNIST images (default 70000);
//! - `BENCH_GAN_SAMPLES`: train the GAN on the first N Fashion-MNIST training images
//!   (default 60000);
//! - `BENCH_MODELS`: which models to time, comma-separated (default
//!   `mlp,cnn,lstm,lstm-rd`; `lstm-rd` is the one with recurrent dropout; `vae` is
//!   lesson 15's decoder, on its own; `vae-full` the whole VAE; `gan` lesson 16's GAN);
//! - `BENCH_EVALUATE=0`: time training only (for profiling a training step);
//! - `BENCH_JSON`: also write the results, one JSON object per line, to this file;
//! - `RAYON_NUM_THREADS`: Candle's thread count (default: the physical cores).
//!
//! One warm-up epoch on the first 10% of the training data (at least one batch) precedes
//! the timed epochs,
//! and one evaluation of 1,000 images precedes the timed evaluations (`vae-full` and `gan`
//! are not evaluated: they have no `evaluate`).
//!
//! FLOPs are counted analytically from the architecture ([`forward_macs`]): a forward pass
//! costs 2 FLOPs per multiply-add of its Dense and Conv2D layers (bias, activations,
//! pooling, dropout, loss and optimiser update are left out: they are a few percent); a
//! training step costs about 3 forward passes (the backward pass computes the gradients
//! of the inputs and of the weights, each about one forward pass). So one epoch is
//! `3 × 2 × MACs × samples` FLOPs and one evaluation `2 × MACs × samples`. A transposed
//! convolution's multiply-adds are its kernel's weights times its *input* positions.
//! Models with their own step count each part's passes ([`Part`]): the VAE 3 forward
//! passes of encoder and decoder per image; the GAN, per real image, 4 of the generator
//! and 9 of the discriminator (see [`bench_gan`]).
//!
//! The JSON lines, every time in seconds:
//! - `{"kind":"setup","threads":T}`;
//! - `{"kind":"matmul","n":2048,"repeats":R,"median_s":..,"gflops":..}`;
//! - `{"kind":"train","model":"mlp"|"cnn"|"lstm"|"lstm-rd"|"vae"|"vae-full"|"gan",
//!   "samples":N,"batch":B,"steps":S,"repeats":R,"times_s":[..],"median_s":..,"epoch_s":..,
//!   "flops":..,"gflops":..,"accuracy":..}`
//!   (`epoch_s` is `median_s` scaled to a full epoch — 60,000 images, 25,000 reviews,
//!   70,000 for `vae-full` — and `flops` counts one full epoch; an LSTM step's MACs are
//!   its input projection and recurrent product, 80 steps per review; `vae-full` writes
//!   its last epoch's `"loss"` instead of `accuracy`, `gan` its `"d_accuracy"`);
//! - `{"kind":"evaluate","model":..,"samples":10000,"batch":1000,"repeats":R,"times_s":[..],
//!   "median_s":..,"flops":..,"gflops":..,"accuracy":..}`.

use dlcourse::data::mnist::{ImageSet, mnist};
use dlcourse::models;
use dlcourse::prelude::*;
use std::fmt::Write as _;
use std::time::Instant;

/// Training images in one full MNIST epoch.
const EPOCH_SAMPLES: usize = 60_000;
/// The batch `Model::evaluate` works in (dlcourse's inference batch).
const EVAL_BATCH: usize = 1000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// A layer with weights, as far as FLOP counting goes.
enum Weighted {
    /// A dense layer from `inputs` to `units`.
    Dense { inputs: usize, units: usize },
    /// An embedding table (no multiply-adds).
    Embedding {
        vocabulary: usize,
        dimensions: usize,
    },
    /// A recurrent layer over `steps` steps: `gates` blocks of `units` (4 for an LSTM),
    /// an input projection from `features` and a recurrent product per step.
    Recurrent {
        features: usize,
        units: usize,
        gates: usize,
        steps: usize,
    },
    /// A `kernel`×`kernel` convolution from `channels` to `filters`, with an output of
    /// `out`×`out` positions.
    Conv {
        channels: usize,
        filters: usize,
        kernel: usize,
        out: usize,
    },
    /// A `kernel`×`kernel` transposed convolution from `channels` to `filters` over an
    /// input of `input`×`input` positions (each input pixel spreads a whole kernel).
    ConvTranspose {
        channels: usize,
        filters: usize,
        kernel: usize,
        input: usize,
    },
}

fn dense(inputs: usize, units: usize) -> Weighted {
    Weighted::Dense { inputs, units }
}

fn conv(channels: usize, filters: usize, kernel: usize, out: usize) -> Weighted {
    Weighted::Conv {
        channels,
        filters,
        kernel,
        out,
    }
}

fn conv_transpose(channels: usize, filters: usize, kernel: usize, input: usize) -> Weighted {
    Weighted::ConvTranspose {
        channels,
        filters,
        kernel,
        input,
    }
}

impl Weighted {
    fn macs(&self) -> usize {
        match *self {
            Weighted::Dense { inputs, units } => inputs * units,
            Weighted::Embedding { .. } => 0,
            Weighted::Recurrent {
                features,
                units,
                gates,
                steps,
            } => steps * gates * units * (features + units),
            Weighted::Conv {
                channels,
                filters,
                kernel,
                out,
            } => channels * filters * kernel * kernel * out * out,
            Weighted::ConvTranspose {
                channels,
                filters,
                kernel,
                input,
            } => channels * filters * kernel * kernel * input * input,
        }
    }

    fn params(&self) -> usize {
        match *self {
            Weighted::Dense { inputs, units } => inputs * units + units,
            Weighted::Embedding {
                vocabulary,
                dimensions,
            } => vocabulary * dimensions,
            Weighted::Recurrent {
                features,
                units,
                gates,
                ..
            } => gates * units * (features + units + 1),
            Weighted::Conv {
                channels,
                filters,
                kernel,
                ..
            }
            | Weighted::ConvTranspose {
                channels,
                filters,
                kernel,
                ..
            } => channels * filters * kernel * kernel + filters,
        }
    }
}

/// Multiply-adds of one sample's forward pass, from the layers with weights; checked
/// against the built model's parameter counts, so a changed model cannot be benchmarked
/// with a stale count.
fn forward_macs(model: &Model, layers: &[Weighted]) -> usize {
    let built: Vec<usize> = model
        .summary()
        .layer_params()
        .into_iter()
        .filter(|&p| p > 0)
        .collect();
    let described: Vec<usize> = layers.iter().map(Weighted::params).collect();
    assert_eq!(
        built, described,
        "the FLOP count's description of the model (benches/epoch.rs) no longer matches \
         the model's weighted layers: update forward_macs' layer list"
    );
    layers.iter().map(Weighted::macs).sum()
}

/// Results as JSON lines, kept in memory and written at the end when `BENCH_JSON` is set.
#[derive(Default)]
struct Json(String);

impl Json {
    fn line(&mut self, fields: &[(&str, String)]) {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        let _ = writeln!(self.0, "{{{}}}", body.join(","));
    }
}

fn text(s: &str) -> String {
    format!("\"{s}\"")
}

fn list(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|v| format!("{v:.6}")).collect();
    format!("[{}]", items.join(","))
}

/// Median seconds of `repeats` multiplications of two random `n`×`n` f32 matrices.
fn matmul(n: usize, repeats: usize) -> Result<f64> {
    let device = Device::Cpu;
    let a = Tensor::randn(0f32, 1.0, (n, n), &device)?;
    let b = Tensor::randn(0f32, 1.0, (n, n), &device)?;
    a.matmul(&b)?;
    let mut seconds = Vec::new();
    for _ in 0..repeats {
        let start = Instant::now();
        let c = a.matmul(&b)?;
        seconds.push(start.elapsed().as_secs_f64());
        drop(c);
    }
    Ok(median(&seconds))
}

/// Seconds of each of `repeats` timed runs of `epoch` over all `samples`, after a warm-up
/// run over the first tenth of them (at least one full `batch`); and the metric the last
/// run returned. `epoch(n)` trains one epoch on the first `n` samples.
fn time_epochs(
    samples: usize,
    batch: usize,
    repeats: usize,
    mut epoch: impl FnMut(usize) -> Result<f64>,
) -> Result<(Vec<f64>, f64)> {
    epoch((samples / 10).max(batch.min(samples)))?;
    let mut seconds = Vec::new();
    let mut metric = f64::NAN;
    for _ in 0..repeats {
        let start = Instant::now();
        metric = epoch(samples)?;
        seconds.push(start.elapsed().as_secs_f64());
    }
    Ok((seconds, metric))
}

/// Seconds of each of `repeats` epochs of `model` on `x`, `y`, after a warm-up epoch on
/// a tenth of them; and the accuracy of the last epoch.
fn time_fit(
    model: &mut Model,
    x: &Tensor,
    y: &Tensor,
    batch: usize,
    repeats: usize,
) -> Result<(Vec<f64>, f64)> {
    time_epochs(x.dim(0)?, batch, repeats, |n| {
        let history = model.fit(
            &x.narrow(0, 0, n)?,
            &y.narrow(0, 0, n)?,
            Fit::epochs(1).batch_size(batch).quiet(),
        )?;
        Ok(history
            .last(&dlcourse::train::Key::ACCURACY)
            .unwrap_or(f64::NAN))
    })
}

/// Seconds of each of `repeats` evaluations of `model` on `x`, `y` (after one on the
/// first 1,000 samples), and the accuracy.
fn time_evaluate(model: &Model, x: &Tensor, y: &Tensor, repeats: usize) -> Result<(Vec<f64>, f64)> {
    model.evaluate(&x.narrow(0, 0, EVAL_BATCH)?, &y.narrow(0, 0, EVAL_BATCH)?)?;
    let mut seconds = Vec::new();
    let mut accuracy = f64::NAN;
    for _ in 0..repeats {
        let start = Instant::now();
        let scores = model.evaluate(x, y)?;
        seconds.push(start.elapsed().as_secs_f64());
        accuracy = scores.accuracy()?;
    }
    Ok((seconds, accuracy))
}

/// A model's name, batch size, weighted layers and data.
struct Case<'a> {
    name: &'a str,
    /// Samples of one full epoch of the dataset (per-epoch times are scaled to it).
    epoch_samples: usize,
    label: &'a str,
    batch: usize,
    layers: &'a [Weighted],
    x: &'a Tensor,
    y: &'a Tensor,
    test_x: &'a Tensor,
    test_y: &'a Tensor,
}

/// One model's timed training epochs, as printed and recorded.
struct Trained<'a> {
    name: &'a str,
    label: &'a str,
    /// Samples of one full epoch (the time is scaled to it).
    epoch_samples: usize,
    /// Samples each timed epoch trained on.
    samples: usize,
    batch: usize,
    /// FLOPs of one sample's training step.
    step_flops: f64,
    /// Seconds of each timed epoch.
    times: Vec<f64>,
    /// The name and value of the last epoch's metric, for the JSON line.
    metric: (&'a str, f64),
}

/// Prints `trained`'s median epoch (and its extrapolation to a full one) and records it.
fn record_train(trained: &Trained, json: &mut Json) {
    let (samples, full, batch) = (trained.samples, trained.epoch_samples, trained.batch);
    let steps = samples.div_ceil(batch);
    let seconds = median(&trained.times);
    let epoch = seconds * full as f64 / samples as f64;
    let flops = trained.step_flops * full as f64;
    println!(
        "{:<28} {seconds:8.2} s/epoch  ({samples} samples, {steps} steps of {batch}, {:.2} ms/step, {:.1} GFLOP/s)",
        trained.label,
        1000.0 * seconds / steps as f64,
        flops / epoch / 1e9
    );
    if samples < full {
        println!(
            "{:<28} {epoch:8.2} s/epoch  (extrapolated to {full} samples)",
            format!("{} full epoch", trained.name)
        );
    }
    let (metric, value) = trained.metric;
    json.line(&[
        ("kind", text("train")),
        ("model", text(trained.name)),
        ("samples", samples.to_string()),
        ("batch", batch.to_string()),
        ("steps", steps.to_string()),
        ("repeats", trained.times.len().to_string()),
        ("times_s", list(&trained.times)),
        ("median_s", format!("{seconds:.6}")),
        ("epoch_s", format!("{epoch:.6}")),
        ("flops", format!("{flops:.0}")),
        ("gflops", format!("{:.3}", flops / epoch / 1e9)),
        (metric, format!("{value:.4}")),
    ]);
}

/// Times `case`'s training epochs and evaluation; prints and records the results.
fn bench(case: &Case, model: &mut Model, repeats: usize, json: &mut Json) -> Result<()> {
    let (x, y, test_x, test_y) = (case.x, case.y, case.test_x, case.test_y);
    let macs = forward_macs(model, case.layers) as f64;
    let (times, accuracy) = time_fit(model, x, y, case.batch, repeats)?;
    record_train(
        &Trained {
            name: case.name,
            label: case.label,
            epoch_samples: case.epoch_samples,
            samples: x.dim(0)?,
            batch: case.batch,
            step_flops: 3.0 * 2.0 * macs,
            times,
            metric: ("accuracy", accuracy),
        },
        json,
    );

    if std::env::var("BENCH_EVALUATE").is_ok_and(|v| v == "0") {
        return Ok(());
    }
    let (times, accuracy) = time_evaluate(model, test_x, test_y, repeats)?;
    let seconds = median(&times);
    let n = test_x.dim(0)?;
    let flops = 2.0 * macs * n as f64;
    println!(
        "{:<28} {seconds:8.2} s        (accuracy {accuracy:.4}, {:.1} GFLOP/s)",
        format!("{} evaluate {n}", case.name),
        flops / seconds / 1e9
    );
    json.line(&[
        ("kind", text("evaluate")),
        ("model", text(case.name)),
        ("samples", n.to_string()),
        ("batch", EVAL_BATCH.to_string()),
        ("repeats", repeats.to_string()),
        ("times_s", list(&times)),
        ("median_s", format!("{seconds:.6}")),
        ("flops", format!("{flops:.0}")),
        ("gflops", format!("{:.3}", flops / seconds / 1e9)),
        ("accuracy", format!("{accuracy:.4}")),
    ]);
    Ok(())
}

/// A part of a model trained by its own step (not `Model::fit`): its weighted layers, and
/// how many forward passes' worth of work one training sample's step runs through it.
struct Part<'a> {
    model: &'a Model,
    layers: &'a [Weighted],
    passes: f64,
}

/// A model with its own training step (the VAE's encoder and decoder, the GAN's two
/// halves): its name, batch size, parts, and the metric its epochs return.
struct CustomCase<'a> {
    name: &'a str,
    /// Samples of one full epoch of the dataset (per-epoch times are scaled to it).
    epoch_samples: usize,
    label: &'a str,
    batch: usize,
    parts: &'a [Part<'a>],
    /// The name of the number `epoch` returns (a history's last value).
    metric: &'a str,
}

/// Times `case`'s training epochs over `samples` samples (`epoch(n)` trains one epoch on
/// the first `n`); prints and records the result (no evaluation: these models have no
/// `evaluate`).
fn bench_custom(
    case: &CustomCase,
    samples: usize,
    repeats: usize,
    json: &mut Json,
    epoch: impl FnMut(usize) -> Result<f64>,
) -> Result<()> {
    let step_flops = case
        .parts
        .iter()
        .map(|p| 2.0 * p.passes * forward_macs(p.model, p.layers) as f64)
        .sum();
    let (times, value) = time_epochs(samples, case.batch, repeats, epoch)?;
    record_train(
        &Trained {
            name: case.name,
            label: case.label,
            epoch_samples: case.epoch_samples,
            samples,
            batch: case.batch,
            step_flops,
            times,
            metric: (case.metric, value),
        },
        json,
    );
    Ok(())
}

fn main() -> Result<()> {
    // First, while the process has one thread: malloc keeps freed batches' memory, as
    // a notebook's first cell does (see `kernels::keep_freed_memory`).
    dlcourse::kernels::keep_freed_memory()?;
    let repeats = env_usize("BENCH_REPEATS", 3).max(1);
    let size = env_usize("BENCH_MATMUL_SIZE", 2048);
    let threads = candle_core::utils::get_num_threads();
    let mut json = Json::default();
    println!("threads: {threads}");
    json.line(&[("kind", text("setup")), ("threads", threads.to_string())]);

    let matmul_repeats = 10;
    let seconds = matmul(size, matmul_repeats)?;
    let gflops = 2.0 * (size as f64).powi(3) / seconds / 1e9;
    println!(
        "{:<28} {seconds:8.3} s        ({gflops:.1} GFLOP/s)",
        format!("matmul f32 {size}x{size}")
    );
    json.line(&[
        ("kind", text("matmul")),
        ("n", size.to_string()),
        ("repeats", matmul_repeats.to_string()),
        ("median_s", format!("{seconds:.6}")),
        ("gflops", format!("{gflops:.3}")),
    ]);

    let data = mnist()?;
    let (y, test_y) = (&data.train.labels, &data.test.labels);

    let wanted = std::env::var("BENCH_MODELS").unwrap_or_else(|_| "mlp,cnn,lstm,lstm-rd".into());
    let wanted: Vec<&str> = wanted.split(',').map(str::trim).collect();
    let (x, test_x) = (data.train.flat()?, data.test.flat()?);
    if wanted.contains(&"mlp") {
        bench_mlp(&x, y, &test_x, test_y, repeats, &mut json)?;
    }
    if wanted.contains(&"cnn") {
        bench_cnn(&data, repeats, &mut json)?;
    }
    if wanted.contains(&"vae") {
        bench_vae_decoder(&data, repeats, &mut json)?;
    }
    if wanted.contains(&"vae-full") || wanted.contains(&"gan") {
        let fashion = dlcourse::data::fashion_mnist()?;
        if wanted.contains(&"vae-full") {
            bench_vae_full(&fashion, repeats, &mut json)?;
        }
        if wanted.contains(&"gan") {
            bench_gan(&fashion, repeats, &mut json)?;
        }
    }
    for (name, recurrent_dropout) in [("lstm", false), ("lstm-rd", true)] {
        if wanted.contains(&name) {
            bench_sentiment(name, recurrent_dropout, repeats, &mut json)?;
        }
    }

    if let Ok(path) = std::env::var("BENCH_JSON") {
        std::fs::write(&path, &json.0).map_err(|e| Error::io("writing", &path, e))?;
        println!("results: {path}");
    }
    Ok(())
}

/// Times the MLP of lesson 05 (784-512-10, RMSprop, batch 100) on flattened images.
fn bench_mlp(
    x: &Tensor,
    y: &Tensor,
    test_x: &Tensor,
    test_y: &Tensor,
    repeats: usize,
    json: &mut Json,
) -> Result<()> {
    let mut mlp = models::mnist_mlp().build(&Device::Cpu, 0)?;
    mlp.compile(
        Optimizer::rmsprop(0.001),
        Loss::SparseCategoricalCrossEntropy,
        &[Metric::Accuracy],
    )?;
    let mlp_case = Case {
        name: "mlp",
        epoch_samples: EPOCH_SAMPLES,
        label: "mlp 784-512-10 (RMSprop)",
        batch: 100,
        layers: &[dense(784, 512), dense(512, 10)],
        x,
        y,
        test_x,
        test_y,
    };
    bench(&mlp_case, &mut mlp, repeats, json)
}

/// Times the CNN of lesson 09 (Adam, batch 32) on the first `BENCH_CNN_SAMPLES` images.
fn bench_cnn(data: &ImageSet, repeats: usize, json: &mut Json) -> Result<()> {
    let (y, test_y) = (&data.train.labels, &data.test.labels);
    let mut cnn = models::mnist_cnn().build(&Device::Cpu, 0)?;
    cnn.compile(
        Optimizer::adam(0.001),
        Loss::SparseCategoricalCrossEntropy,
        &[Metric::Accuracy],
    )?;
    let n = env_usize("BENCH_CNN_SAMPLES", EPOCH_SAMPLES).clamp(10, y.dim(0)?);
    let images = data.train.images_nchw()?.narrow(0, 0, n)?;
    let labels = y.narrow(0, 0, n)?;
    let test_images = data.test.images_nchw()?;
    let cnn_case = Case {
        name: "cnn",
        epoch_samples: EPOCH_SAMPLES,
        label: "cnn (Adam)",
        batch: 32,
        // 1×28×28 → 32×26×26 → 64×24×24 → pool 64×12×12 → 128 → 10.
        layers: &[
            conv(1, 32, 3, 26),
            conv(32, 64, 3, 24),
            dense(64 * 12 * 12, 128),
            dense(128, 10),
        ],
        x: &images,
        y: &labels,
        test_x: &test_images,
        test_y,
    };
    bench(&cnn_case, &mut cnn, repeats, json)
}

/// Times lesson 15's VAE decoder alone (`models::vae_decoder(2)`: Dense 2 → 7·7·64 ReLU →
/// ConvTranspose 128 k3 s2 same ReLU → ConvTranspose 64 k3 s2 same ReLU → ConvTranspose 1
/// k3 same sigmoid; binary cross-entropy, Adam, batch 128), decoding seeded normal latent points into the first
/// `BENCH_VAE_SAMPLES` training images.
fn bench_vae_decoder(data: &ImageSet, repeats: usize, json: &mut Json) -> Result<()> {
    let mut decoder = models::vae_decoder(2).build(&Device::Cpu, 0)?;
    decoder.compile(
        Optimizer::adam(0.001),
        Loss::BinaryCrossEntropy,
        &[Metric::Accuracy],
    )?;
    let n = env_usize("BENCH_VAE_SAMPLES", EPOCH_SAMPLES).clamp(10, data.train.len());
    let images = data.train.images_nchw()?.narrow(0, 0, n)?;
    let latent = dlcourse::nn::seeded_normal(&[n, 2], 0.0, 1.0, 7)?
        .as_tensor()
        .clone();
    let test_images = data.test.images_nchw()?;
    let test_n = test_images.dim(0)?;
    let test_latent = dlcourse::nn::seeded_normal(&[test_n, 2], 0.0, 1.0, 8)?
        .as_tensor()
        .clone();
    let case = Case {
        name: "vae",
        epoch_samples: EPOCH_SAMPLES,
        label: "vae decoder (Adam)",
        batch: 128,
        layers: &VAE_DECODER,
        x: &latent,
        y: &images,
        test_x: &test_latent,
        test_y: &test_images,
    };
    bench(&case, &mut decoder, repeats, json)
}

/// Fashion-MNIST images in one epoch of lesson 15: the training and the test images.
const FASHION_ALL: usize = 70_000;

/// The weighted layers of lesson 15's decoder (`models::vae_decoder(2)`):
/// 2 → 64×7×7 → 128×14×14 → 64×28×28 → 1×28×28.
const VAE_DECODER: [Weighted; 4] = [
    Weighted::Dense {
        inputs: 2,
        units: 7 * 7 * 64,
    },
    Weighted::ConvTranspose {
        channels: 64,
        filters: 128,
        kernel: 3,
        input: 7,
    },
    Weighted::ConvTranspose {
        channels: 128,
        filters: 64,
        kernel: 3,
        input: 14,
    },
    Weighted::ConvTranspose {
        channels: 64,
        filters: 1,
        kernel: 3,
        input: 28,
    },
];

/// Times lesson 15's whole VAE (`models::Vae::fashion_mnist`, `Vae::fit`, batch 128, Adam
/// 0.001) on the first `BENCH_VAE_FULL_SAMPLES` of the 70,000 Fashion-MNIST images
/// (training then test images, as the lesson trains). One step: the encoder (Conv 128 s2
/// same ReLU → Conv 64 s2 same ReLU → Dense 256 ReLU → Dense 2·2) gives μ and log σ²,
/// z = μ + exp(½ log σ²)·ε, the decoder of [`bench_vae_decoder`] draws the images; the loss
/// is the binary cross-entropy summed over pixels + 3 × KL; one Adam step. FLOPs: three
/// forward passes of encoder and decoder per image.
fn bench_vae_full(fashion: &ImageSet, repeats: usize, json: &mut Json) -> Result<()> {
    let all = Tensor::cat(
        &[fashion.train.images_nchw()?, fashion.test.images_nchw()?],
        0,
    )?;
    let n = env_usize("BENCH_VAE_FULL_SAMPLES", FASHION_ALL).clamp(10, all.dim(0)?);
    let images = all.narrow(0, 0, n)?;
    let vae = models::Vae::fashion_mnist(&Device::Cpu, 42)?;
    let batch = 128;
    // 1×28×28 → 128×14×14 → 64×7×7 → 256 → 2·2 (z_mean and z_log_var).
    let encoder = [
        conv(1, 128, 3, 14),
        conv(128, 64, 3, 7),
        dense(7 * 7 * 64, 256),
        dense(256, 2 * 2),
    ];
    let parts = [
        Part {
            model: vae.encoder(),
            layers: &encoder,
            passes: 3.0,
        },
        Part {
            model: vae.decoder(),
            layers: &VAE_DECODER,
            passes: 3.0,
        },
    ];
    let case = CustomCase {
        name: "vae-full",
        epoch_samples: FASHION_ALL,
        label: "vae, whole step (Adam)",
        batch,
        parts: &parts,
        metric: "loss",
    };
    bench_custom(&case, n, repeats, json, |k| {
        let fit = Fit::epochs(1).batch_size(batch).quiet();
        let history = vae.fit(&images.narrow(0, 0, k)?, fit, Optimizer::adam(0.001))?;
        Ok(history.loss().last().copied().unwrap_or(f64::NAN))
    })
}

/// Times lesson 16's GAN at full width (`models::Gan::fashion_mnist`, `Gan::fit`, batch 64,
/// `models::gan_adam(0.0002)` for both halves, noise 150) on the first `BENCH_GAN_SAMPLES`
/// Fashion-MNIST training images. Per batch of 64 real images: one discriminator step (64
/// images drawn by the generator, detached, and the 64 real ones in one batch of 128,
/// binary cross-entropy), then one generator step (64 fresh images the discriminator
/// should call real, the gradient through both halves).
///
/// FLOPs per real image, in forward passes: the discriminator step runs the generator
/// forward once (1 G) and the discriminator forward and backward on two images (2 × 3 D);
/// the generator step runs both halves forward and backward (3 G + 3 D): 4 G + 9 D. (The
/// generator step needs only the discriminator's input gradients, not its weights'; Candle
/// computes both, so the D count is 8–9 passes depending on the framework.)
fn bench_gan(fashion: &ImageSet, repeats: usize, json: &mut Json) -> Result<()> {
    let all = fashion.train.images_nchw()?;
    let n = env_usize("BENCH_GAN_SAMPLES", EPOCH_SAMPLES).clamp(10, all.dim(0)?);
    let images = all.narrow(0, 0, n)?;
    let gan = models::Gan::fashion_mnist(&Device::Cpu, 42)?;
    let adam = models::gan_adam(0.0002);
    let batch = 64;
    // 150 → 256×7×7 → 128×14×14 → 64×28×28 → 1×28×28.
    let generator = [
        dense(models::NOISE_DIM, 7 * 7 * 256),
        conv_transpose(256, 128, 3, 7),
        conv_transpose(128, 64, 3, 14),
        conv_transpose(64, 1, 3, 28),
    ];
    // 1×28×28 → 256×14×14 → 128×7×7 → 64 → 1.
    let discriminator = [
        conv(1, 256, 3, 14),
        conv(256, 128, 3, 7),
        dense(7 * 7 * 128, 64),
        dense(64, 1),
    ];
    let parts = [
        Part {
            model: gan.generator(),
            layers: &generator,
            passes: 4.0,
        },
        Part {
            model: gan.discriminator(),
            layers: &discriminator,
            passes: 9.0,
        },
    ];
    let case = CustomCase {
        name: "gan",
        epoch_samples: EPOCH_SAMPLES,
        label: "gan, D + G step (Adam)",
        batch,
        parts: &parts,
        metric: "d_accuracy",
    };
    bench_custom(&case, n, repeats, json, |k| {
        let fit = Fit::epochs(1).batch_size(batch).quiet();
        let history = gan.fit(&images.narrow(0, 0, k)?, fit, adam, adam)?;
        Ok(history
            .last(&models::DISCRIMINATOR_ACCURACY)
            .unwrap_or(f64::NAN))
    })
}

/// Reviews in one IMDB training epoch.
const IMDB_SAMPLES: usize = 25_000;

/// Times lesson 10's sentiment LSTM (Embedding 20,000×128 → LSTM 128 with dropout 0.2 →
/// Dense 1, Adam, batch 32) on the first `BENCH_LSTM_SAMPLES` training reviews, their last
/// 80 tokens; with recurrent dropout 0.2 (the lesson's model) or without.
fn bench_sentiment(
    name: &str,
    recurrent_dropout: bool,
    repeats: usize,
    json: &mut Json,
) -> Result<()> {
    use dlcourse::data::text::Vocabulary;
    let (vocabulary, length, units) = (20_000, 80, 128);
    let imdb = dlcourse::data::imdb()?;
    let n = env_usize("BENCH_LSTM_SAMPLES", IMDB_SAMPLES).clamp(10, imdb.train.len());
    let vocab = Vocabulary::fit(&imdb.train.texts, vocabulary);
    let train = imdb.train.head(n);
    let (x, y) = (vocab.encode_batch(&train.texts, length)?, train.targets()?);
    let test = imdb.test.head(5_000);
    let (test_x, test_y) = (vocab.encode_batch(&test.texts, length)?, test.targets()?);
    let lstm = Lstm::new(units).dropout(0.2);
    let lstm = if recurrent_dropout {
        lstm.recurrent_dropout(0.2)
    } else {
        lstm
    };
    let mut model = Sequential::new(&[length])
        .add(Embedding::new(vocabulary, units))
        .add(lstm)
        .add(Dense::new(1).activation(Activation::Sigmoid))
        .build(&Device::Cpu, 0)?;
    model.compile(
        Optimizer::adam(0.001),
        Loss::BinaryCrossEntropy,
        &[Metric::Accuracy],
    )?;
    let label = if recurrent_dropout {
        "lstm, recurrent dropout 0.2"
    } else {
        "lstm, no recurrent dropout"
    };
    let case = Case {
        name,
        epoch_samples: IMDB_SAMPLES,
        label,
        batch: 32,
        layers: &[
            Weighted::Embedding {
                vocabulary,
                dimensions: units,
            },
            Weighted::Recurrent {
                features: units,
                units,
                gates: 4,
                steps: length,
            },
            dense(units, 1),
        ],
        x: &x,
        y: &y,
        test_x: &test_x,
        test_y: &test_y,
    };
    bench(&case, &mut model, repeats, json)
}
