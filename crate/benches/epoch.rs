//! Time per training epoch of the course's reference models on the CPU: on real MNIST the
//! MLP of lesson 05 (784-512-10, batch 100, RMSprop) and the CNN of lesson 09 (batch 32,
//! Adam), evaluation of each over the 10,000 test images; on the IMDB reviews lesson 10's
//! sentiment LSTM with and without recurrent dropout (evaluated on 5,000 test reviews);
//! lesson 15's VAE decoder alone (latent points to MNIST images, three transposed
//! convolutions); and the machine's
//! f32 matrix-multiply throughput through Candle (the yardstick the epochs are measured
//! against).
//!
//! `cargo bench -p dlcourse --bench epoch` (MNIST from `DLCOURSE_DATA`, as everywhere);
//! `scripts/bench.sh` runs it next to the same models in Keras and writes BENCHMARKS.md.
//!
//! Settings (environment):
//! - `BENCH_REPEATS`: timed epochs and evaluations per model (default 3, median reported);
//! - `BENCH_CNN_SAMPLES`: train the CNN on the first N training images only (default
//!   60000; for quick checks — the per-epoch time is then extrapolated);
//! - `BENCH_MATMUL_SIZE`: side of the square matmul (default 2048);
//! - `BENCH_LSTM_SAMPLES`: train the LSTMs on the first N reviews (default 25000);
//! - `BENCH_VAE_SAMPLES`: train the VAE decoder on the first N images (default 60000);
//! - `BENCH_MODELS`: which models to time, comma-separated (default
//!   `mlp,cnn,lstm,lstm-rd`; `lstm-rd` is the one with recurrent dropout; `vae` is
//!   lesson 15's decoder, on its own);
//! - `BENCH_EVALUATE=0`: time training only (for profiling a training step);
//! - `BENCH_JSON`: also write the results, one JSON object per line, to this file;
//! - `RAYON_NUM_THREADS`: Candle's thread count (default: the physical cores).
//!
//! One warm-up epoch on the first 10% of the training data precedes the timed epochs,
//! and one evaluation of 1,000 images precedes the timed evaluations.
//!
//! FLOPs are counted analytically from the architecture ([`forward_macs`]): a forward pass
//! costs 2 FLOPs per multiply-add of its Dense and Conv2D layers (bias, activations,
//! pooling, dropout, loss and optimiser update are left out: they are a few percent); a
//! training step costs about 3 forward passes (the backward pass computes the gradients
//! of the inputs and of the weights, each about one forward pass). So one epoch is
//! `3 × 2 × MACs × samples` FLOPs and one evaluation `2 × MACs × samples`. A transposed
//! convolution's multiply-adds are its kernel's weights times its *input* positions.
//!
//! The JSON lines, every time in seconds:
//! - `{"kind":"setup","threads":T}`;
//! - `{"kind":"matmul","n":2048,"repeats":R,"median_s":..,"gflops":..}`;
//! - `{"kind":"train","model":"mlp"|"cnn"|"lstm"|"lstm-rd"|"vae","samples":N,"batch":B,
//!   "steps":S,"repeats":R,"times_s":[..],"median_s":..,"epoch_s":..,"flops":..,
//!   "gflops":..,"accuracy":..}`
//!   (`epoch_s` is `median_s` scaled to a full epoch — 60,000 images, 25,000 reviews —
//!   and `flops` counts one full epoch; an LSTM step's MACs are its input projection
//!   and recurrent product, 80 steps per review);
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

/// Seconds of each of `repeats` epochs of `model` on `x`, `y`, after a warm-up epoch on
/// a tenth of them; and the accuracy of the last epoch.
fn time_epochs(
    model: &mut Model,
    x: &Tensor,
    y: &Tensor,
    batch: usize,
    repeats: usize,
) -> Result<(Vec<f64>, f64)> {
    let warm = x.dim(0)? / 10;
    model.fit(
        &x.narrow(0, 0, warm)?,
        &y.narrow(0, 0, warm)?,
        Fit::epochs(1).batch_size(batch).quiet(),
    )?;
    let mut seconds = Vec::new();
    let mut accuracy = f64::NAN;
    for _ in 0..repeats {
        let start = Instant::now();
        let history = model.fit(x, y, Fit::epochs(1).batch_size(batch).quiet())?;
        seconds.push(start.elapsed().as_secs_f64());
        accuracy = history
            .last(&dlcourse::train::Key::ACCURACY)
            .unwrap_or(f64::NAN);
    }
    Ok((seconds, accuracy))
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

/// Times `case`'s training epochs and evaluation; prints and records the results.
fn bench(case: &Case, model: &mut Model, repeats: usize, json: &mut Json) -> Result<()> {
    let (x, y, test_x, test_y) = (case.x, case.y, case.test_x, case.test_y);
    let macs = forward_macs(model, case.layers) as f64;
    let samples = x.dim(0)?;
    let steps = samples.div_ceil(case.batch);
    let (times, accuracy) = time_epochs(model, x, y, case.batch, repeats)?;
    let seconds = median(&times);
    let full = case.epoch_samples;
    let epoch = seconds * full as f64 / samples as f64;
    let flops = 3.0 * 2.0 * macs * full as f64;
    println!(
        "{:<28} {seconds:8.2} s/epoch  ({samples} samples, {steps} steps of {}, {:.2} ms/step, {:.1} GFLOP/s)",
        case.label,
        case.batch,
        1000.0 * seconds / steps as f64,
        flops / epoch / 1e9
    );
    if samples < full {
        println!(
            "{:<28} {epoch:8.2} s/epoch  (extrapolated to {full} samples)",
            format!("{} full epoch", case.name)
        );
    }
    json.line(&[
        ("kind", text("train")),
        ("model", text(case.name)),
        ("samples", samples.to_string()),
        ("batch", case.batch.to_string()),
        ("steps", steps.to_string()),
        ("repeats", repeats.to_string()),
        ("times_s", list(&times)),
        ("median_s", format!("{seconds:.6}")),
        ("epoch_s", format!("{epoch:.6}")),
        ("flops", format!("{flops:.0}")),
        ("gflops", format!("{:.3}", flops / epoch / 1e9)),
        ("accuracy", format!("{accuracy:.4}")),
    ]);

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

/// Times lesson 15's VAE decoder alone (Dense 2 → 7·7·64 ReLU → ConvTranspose 128 k3 s2
/// same ReLU → ConvTranspose 64 k3 s2 same ReLU → ConvTranspose 1 k3 same sigmoid, binary
/// cross-entropy, Adam, batch 128), decoding seeded normal latent points into the first
/// `BENCH_VAE_SAMPLES` training images.
fn bench_vae_decoder(data: &ImageSet, repeats: usize, json: &mut Json) -> Result<()> {
    let mut decoder = Sequential::new(&[2])
        .add(Dense::new(7 * 7 * 64).activation(Activation::Relu))
        .add(Reshape(vec![64, 7, 7]))
        .add(
            ConvTranspose2d::new(128, 3)
                .stride(2)
                .padding(Padding::Same)
                .activation(Activation::Relu),
        )
        .add(
            ConvTranspose2d::new(64, 3)
                .stride(2)
                .padding(Padding::Same)
                .activation(Activation::Relu),
        )
        .add(
            ConvTranspose2d::new(1, 3)
                .padding(Padding::Same)
                .activation(Activation::Sigmoid),
        )
        .build(&Device::Cpu, 0)?;
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
        // 2 → 64×7×7 → 128×14×14 → 64×28×28 → 1×28×28.
        layers: &[
            dense(2, 7 * 7 * 64),
            conv_transpose(64, 128, 3, 7),
            conv_transpose(128, 64, 3, 14),
            conv_transpose(64, 1, 3, 28),
        ],
        x: &latent,
        y: &images,
        test_x: &test_latent,
        test_y: &test_images,
    };
    bench(&case, &mut decoder, repeats, json)
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
