//! Renders every kind of plot to PNG files, to look at them side by side.
//!
//! ```text
//! cargo run -p dlcourse --example gallery -- target/gallery
//! ```

use dlcourse::plot::{self, Bars, Curves, Grid, Matrix, Scatter};
use dlcourse::prelude::*;
use polars::prelude::*;
use std::path::{Path, PathBuf};

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or("target/gallery".into()));
    std::fs::create_dir_all(&dir)?;
    let dev = Device::Cpu;
    let save = |name: &str| dir.join(name);

    curves(&save)?;
    images(&dir, &dev)?;
    classes(&dir, &dev)?;
    boundary(&dir, &dev)?;
    top_labels(&dir, &dev)?;
    roc(&dir)?;
    tuning(&dir, &dev)?;

    let df = df!(
        "party" => ["democrat", "republican", "democrat <i>"],
        "handicapped-infants" => [Some("y"), None, Some("n")],
        "votes" => [12i64, 7, 9],
    )?;
    std::fs::write(dir.join("table.html"), plot::table(&df).to_html())?;
    println!("wrote the gallery to {}", dir.display());
    Ok(())
}

/// Loss curves of real runs, activation functions, gradient descent.
fn curves(save: &dyn Fn(&str) -> PathBuf) -> Result<()> {
    let data = toy::celsius_fahrenheit()?;
    let mut runs = Vec::new();
    for lr in [0.5, 0.1, 0.01] {
        let mut model = Sequential::new(&[1])
            .add(Dense::new(1))
            .build(&Device::Cpu, 0)?;
        model.compile(Optimizer::adam(lr), Loss::MeanSquaredError, &[])?;
        let history = model.fit(&data.x, &data.y, Fit::epochs(300).quiet())?;
        runs.push((format!("lr {lr}"), history));
    }
    let named: Vec<(&str, &History)> = runs.iter().map(|(n, h)| (n.as_str(), h)).collect();
    let sweep = Curves::compare(&named, &Key::LOSS)?
        .log_scale(true)
        .figure();
    sweep.save(save("compare.png"))?;
    runs[1].1.plot().save(save("history.png"))?;

    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    Curves::new("Activation functions")
        .x_label("x")
        .function("sigmoid", sigmoid, -5.0..5.0)
        .function("tanh", f64::tanh, -5.0..5.0)
        .function("ReLU", |x| x.max(0.0), -5.0..5.0)
        .function("sigmoid'", |x| sigmoid(x) * (1.0 - sigmoid(x)), -5.0..5.0)
        .figure()
        .save(save("functions.png"))?;

    let f = |x: f64| x.powi(4) - 3.0 * x.powi(2) + x;
    let df = |x: f64| 4.0 * x.powi(3) - 6.0 * x + 1.0;
    let (mut plain, mut momentum) = (vec![2.0], vec![2.0]);
    let mut v = 0.0;
    for _ in 0..15 {
        let x = *plain.last().unwrap_or(&0.0);
        plain.push(x - 0.02 * df(x));
        let x = *momentum.last().unwrap_or(&0.0);
        v = 0.9 * v - 0.02 * df(x);
        momentum.push(x + v);
    }
    let runs = [("plain", &plain[..]), ("momentum", &momentum[..])];
    plot::descent(f, -2.2..2.2, &runs).save(save("descent.png"))
}

/// Synthetic 28×28 "images": class `c` is a bright bar whose position and angle depend
/// on `c`, plus noise.
fn fake_images(n: usize, dev: &Device) -> Result<(Tensor, Tensor)> {
    let mut v = vec![0f32; n * 784];
    for i in 0..n {
        let c = i % 10;
        for r in 4..24 {
            let col = 6 + c + (r * c) / 14;
            for dc in 0..3 {
                v[i * 784 + r * 28 + (col + dc).min(27)] = 1.0 - 0.02 * ((i * 7 + r) % 10) as f32;
            }
        }
    }
    let labels: Vec<u32> = (0..n).map(|i| (i % 10) as u32).collect();
    Ok((
        Tensor::from_vec(v, (n, 28, 28), dev)?,
        Tensor::from_vec(labels, n, dev)?,
    ))
}

/// The sample grid, the misclassified gallery, one image, the stacked-images picture.
fn images(dir: &Path, dev: &Device) -> Result<()> {
    let (x, y) = fake_images(500, dev)?;
    let first = x.narrow(0, 0, 25)?;
    Grid::new(&first)?
        .labels(
            &y.narrow(0, 0, 25)?,
            &dlcourse::data::mnist::FASHION_MNIST_CLASSES,
        )?
        .columns(5)
        .title("Training samples")
        .figure()
        .save(dir.join("grid.png"))?;
    // Every fourth prediction is wrong: class c taken for c + 3.
    let wrong: Vec<u32> = (0..500u32)
        .map(|i| (i % 10 + 3 * u32::from(i % 4 == 0)) % 10)
        .collect();
    let predicted = Tensor::new(wrong, dev)?;
    plot::misclassified(
        &x,
        &y,
        &predicted,
        &dlcourse::data::mnist::FASHION_MNIST_CLASSES,
        12,
    )?
    .save(dir.join("misclassified.png"))?;
    let colours = Tensor::rand(0f32, 1.0, (6, 3, 8, 8), dev)?;
    Grid::new(&colours)?
        .figure()
        .save(dir.join("grid-rgb.png"))?;
    Grid::new(&x.narrow(0, 0, 256)?)?
        .columns(16)
        .title("Decoded from the latent grid")
        .figure()
        .save(dir.join("grid-16x16.png"))?;
    plot::Picture::new(&x.get(3)?)?
        .title("label 3: Dress")
        .figure()
        .save(dir.join("image.png"))?;
    Matrix::new(&x.reshape((500, 784))?)?
        .title("The first 500 training images, one per row")
        .x_label("pixel")
        .y_label("image")
        .colorbar(true)
        .figure()
        .save(dir.join("matrix.png"))?;
    let kernel = Tensor::new(&[[1f32, 0., 1.], [0., 1., 0.], [1., 0., 1.]], dev)?;
    plot::matrix(&kernel)?.save(dir.join("matrix-small.png"))
}

/// Latent scatter, confusion matrix, probability bars.
fn classes(dir: &Path, dev: &Device) -> Result<()> {
    let n = 3000;
    let labels: Vec<u32> = (0..n).map(|i| (i % 10) as u32).collect();
    let labels = Tensor::new(labels, dev)?;
    let angle = (labels.to_dtype(DType::F32)? * (std::f64::consts::TAU / 10.0))?;
    let noise = Tensor::randn(0f32, 0.35, (n, 2), dev)?;
    let centres = Tensor::stack(&[angle.cos()?, angle.sin()?], 1)?;
    let z = ((centres * 2.0)? + noise)?;
    Scatter::new(&z, &labels)?
        .names(&dlcourse::data::mnist::FASHION_MNIST_CLASSES)
        .title("Latent space")
        .x_label("z[0]")
        .y_label("z[1]")
        .figure()
        .save(dir.join("scatter.png"))?;

    let noisy = (z.affine(1.0, 0.0)? + Tensor::randn(0f32, 0.6, (n, 2), dev)?)?;
    let predicted = nearest_centre(&noisy)?;
    plot::confusion(
        &labels,
        &predicted,
        &dlcourse::data::mnist::FASHION_MNIST_CLASSES,
    )?
    .save(dir.join("confusion.png"))?;
    let binary = Tensor::new(&[0u8, 0, 0, 1, 1, 0, 1, 1, 0, 0], dev)?;
    let guess = Tensor::new(&[0u8, 1, 0, 1, 0, 0, 1, 1, 0, 0], dev)?;
    plot::confusion(&binary, &guess, &["benign", "malignant"])?
        .save(dir.join("confusion-binary.png"))?;

    let p = Tensor::new(
        &[0.01f32, 0.0, 0.02, 0.01, 0.0, 0.08, 0.0, 0.71, 0.02, 0.15],
        dev,
    )?;
    plot::probabilities(&p, &dlcourse::data::mnist::FASHION_MNIST_CLASSES)?
        .save(dir.join("probabilities.png"))?;
    Bars::new(
        &["warplane", "airliner", "wing", "airship", "space shuttle"],
        &[0.62, 0.21, 0.09, 0.03, 0.01],
    )
    .title("Top-5 labels")
    .figure()
    .save(dir.join("bars-top5.png"))
}

/// The class whose centre on the unit circle is nearest each point.
fn nearest_centre(z: &Tensor) -> Result<Tensor> {
    let angle = z.narrow(1, 1, 1)?.squeeze(1)?.to_vec1::<f32>()?;
    let x = z.narrow(1, 0, 1)?.squeeze(1)?.to_vec1::<f32>()?;
    let classes: Vec<u32> = angle
        .iter()
        .zip(&x)
        .map(|(y, x)| {
            let a = y.atan2(*x).rem_euclid(std::f32::consts::TAU);
            ((a / (std::f32::consts::TAU / 10.0)).round() as u32) % 10
        })
        .collect();
    Ok(Tensor::new(classes, z.device())?)
}

/// A small network trained on the "circle" data, and its decision regions.
fn boundary(dir: &Path, dev: &Device) -> Result<()> {
    let n = 200;
    let xy = Tensor::rand(-1f32, 1.0, (n, 2), dev)?;
    let radius = xy.sqr()?.sum_keepdim(1)?.sqrt()?;
    let y = radius.lt(0.6)?.to_dtype(DType::F32)?;
    let mut model = Sequential::new(&[2])
        .add(Dense::new(8).activation(Activation::Tanh))
        .add(Dense::new(1).activation(Activation::Sigmoid))
        .build(dev, 0)?;
    model.compile(Optimizer::adam(0.05), Loss::BinaryCrossEntropy, &[])?;
    model.fit(&xy, &y, Fit::epochs(300).quiet())?;
    plot::decision_boundary(
        |g: &Tensor| model.predict(g),
        &xy,
        &y,
        &["outside", "inside"],
    )?
    .save(dir.join("boundary.png"))
}

/// ROC and precision–recall curves of made-up scores that overlap, 0.5 and a lower
/// threshold marked.
fn roc(dir: &Path) -> Result<()> {
    let labels: Vec<bool> = (0..200).map(|i| i % 3 == 0).collect();
    let scores: Vec<f64> = (0..200)
        .map(|i| ((i * 37 % 100) as f64 / 100.0 + if i % 3 == 0 { 0.45 } else { 0.0 }) / 1.45)
        .collect();
    let t = dlcourse::train::Thresholds::from_slices(&scores, &labels)?;
    plot::Roc::new(&t)
        .mark("threshold 0.5", t.counts(0.5)?)
        .mark("threshold 0.3", t.counts(0.3)?)
        .figure()
        .save(dir.join("roc.png"))
}

/// Two made-up "photos" (colour gradients) with top-3 labels, the first right, the second
/// wrong with its true class third.
fn top_labels(dir: &Path, dev: &Device) -> Result<()> {
    let ramp = Tensor::arange(0f32, 224.0, dev)?.affine(1.0 / 224.0, 0.0)?;
    let rows = ramp.reshape((1, 224, 1))?.broadcast_as((1, 224, 224))?;
    let cols = ramp.reshape((1, 1, 224))?.broadcast_as((1, 224, 224))?;
    let warm = Tensor::cat(&[&rows, &cols, &(cols.ones_like()? * 0.3)?], 0)?;
    let cool = Tensor::cat(&[&(cols.ones_like()? * 0.2)?, &cols, &rows], 0)?;
    plot::TopK::new()
        .photo(
            &warm,
            "sunset.jpg",
            &["lakeside", "volcano", "seashore"],
            &[0.7, 0.2, 0.05],
        )?
        .truth("lakeside")
        .photo(
            &cool,
            "glacier.jpg",
            &["iceberg", "igloo", "alp"],
            &[0.4, 0.3, 0.2],
        )?
        .truth("alp")
        .figure()
        .save(dir.join("topk.png"))
}

/// Lesson 12's pictures: the spread of made-up runs per batch size, and a real
/// learning-rate scan of one neuron fitting a line.
fn tuning(dir: &Path, dev: &Device) -> Result<()> {
    let small = [0.951, 0.949, 0.953, 0.950, 0.955];
    let large = [0.868, 0.874, 0.861, 0.872, 0.858];
    plot::Strip::new(&[("batch 16", &small[..]), ("batch 512", &large[..])])?
        .title("Final accuracy over 5 seeds")
        .y_label("validation accuracy")
        .figure()
        .save(dir.join("strip.png"))?;
    let x = Tensor::arange(0f32, 1024.0, dev)?
        .affine(1.0 / 512.0, -1.0)?
        .reshape((1024, 1))?;
    let mut model = Sequential::new(&[1]).add(Dense::new(1)).build(dev, 0)?;
    model.compile(Optimizer::sgd(0.01), Loss::MeanSquaredError, &[])?;
    let find = dlcourse::train::LrFind::new()
        .range(1e-4, 1e2)
        .batch_size(8)
        .smoothing(0.9);
    model
        .lr_find(&x, &x.affine(3.0, 1.0)?, &find)?
        .plot()
        .save(dir.join("lr-finder.png"))
}
