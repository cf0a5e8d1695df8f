//! The same seed gives bit-identical weights whatever the number of threads: a small
//! dense model, a small convolutional one and a small LSTM train for a few steps in
//! child processes (this test binary run again, `child_train`) with
//! `RAYON_NUM_THREADS` 1, 2 and 4, and each prints a hash of every weight's bits. The
//! hashes must be equal: no kernel's order of summation depends on the thread count
//! (see `dlcourse::kernels`).

use dlcourse::prelude::*;
use std::process::Command;

/// The environment variable that makes [`child_train`] train and print its hashes.
const CHILD: &str = "DLCOURSE_TEST_CHILD_TRAIN";

/// FNV-1a over the bits of every weight, in name order.
fn weights_hash(model: &Model) -> Result<u64> {
    let data = model
        .vars()
        .data()
        .lock()
        .expect("the weights' lock")
        .clone();
    let mut named: Vec<_> = data.into_iter().collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for (name, var) in named {
        let values: Vec<f32> = var.as_tensor().flatten_all()?.to_vec1()?;
        let bytes = name
            .bytes()
            .chain(values.iter().flat_map(|v| v.to_bits().to_le_bytes()));
        for byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    Ok(hash)
}

fn normal(shape: &[usize], seed: u64) -> Result<Tensor> {
    Ok(dlcourse::nn::seeded_normal(shape, 0.0, 1.0, seed)?
        .as_tensor()
        .detach())
}

/// A 256 → 64 → 1 network, 4 epochs of batches of 64 on 512 random rows.
fn train_dense() -> Result<u64> {
    let (x, y) = (normal(&[512, 256], 1)?, normal(&[512, 1], 2)?);
    let mut model = Sequential::new(&[256])
        .add(Dense::new(64).activation(Activation::Relu))
        .add(Dense::new(1))
        .build(&Device::Cpu, 7)?;
    model.compile(Optimizer::adam(0.01), Loss::MeanSquaredError, &[])?;
    model.fit(&x, &y, Fit::epochs(4).batch_size(64).quiet())?;
    weights_hash(&model)
}

/// Convolution, max pooling and a dense layer on 1×12×12 images, 3 epochs of batches of
/// 32 on 120 random images (the last batch 24; before the backward pass's shares were
/// fixed, they were 4 per thread and these weights differed between 1 and 2 threads).
fn train_conv() -> Result<u64> {
    let (x, y) = (normal(&[120, 1, 12, 12], 3)?, normal(&[120, 1], 4)?);
    let mut model = Sequential::new(&[1, 12, 12])
        .add(Conv2d::new(8, 3).activation(Activation::Relu))
        .add(MaxPool2d(2))
        .add(Conv2d::new(4, 3).activation(Activation::Relu))
        .add(Flatten)
        .add(Dense::new(1))
        .build(&Device::Cpu, 7)?;
    model.compile(Optimizer::adam(0.01), Loss::MeanSquaredError, &[])?;
    model.fit(&x, &y, Fit::epochs(3).batch_size(32).quiet())?;
    weights_hash(&model)
}

/// An embedding, an LSTM with recurrent dropout and a dense layer on sequences of 12
/// tokens, 3 epochs of batches of 32 on 96 random sequences.
fn train_lstm() -> Result<u64> {
    let (n, len) = (96, 12);
    let ids: Vec<u32> = (0..n * len).map(|i| ((i * 7919) % 13) as u32).collect();
    let x = Tensor::from_vec(ids, (n, len), &Device::Cpu)?;
    let y = normal(&[n, 1], 5)?;
    let mut model = Sequential::new(&[len])
        .add(Embedding::new(13, 8))
        .add(Lstm::new(16).recurrent_dropout(0.1))
        .add(Dense::new(1))
        .build(&Device::Cpu, 7)?;
    model.compile(Optimizer::adam(0.01), Loss::MeanSquaredError, &[])?;
    model.fit(&x, &y, Fit::epochs(3).batch_size(32).quiet())?;
    weights_hash(&model)
}

/// The child process of the test below (does nothing without [`CHILD`]).
#[test]
#[ignore = "the child process of the thread-count test, run by it"]
fn child_train() -> Result<()> {
    if std::env::var_os(CHILD).is_none() {
        return Ok(());
    }
    println!(
        "threads {} dense {:016x} conv {:016x} lstm {:016x}",
        dlcourse::candle_core::utils::get_num_threads(),
        train_dense()?,
        train_conv()?,
        train_lstm()?
    );
    Ok(())
}

/// What the child printed when run on `threads` threads.
fn hashes_on(threads: usize) -> String {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["child_train", "--exact", "--ignored", "--nocapture"])
        .env(CHILD, "1")
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the child failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find(|line| line.starts_with("threads "))
        .unwrap_or_else(|| panic!("no hashes in the child's output: {stdout}"));
    assert!(
        line.starts_with(&format!("threads {threads} ")),
        "the child ran on another thread count: {line}"
    );
    line.split_once(' ')
        .unwrap()
        .1
        .split_once(' ')
        .unwrap()
        .1
        .to_owned()
}

#[test]
fn one_two_and_four_threads_train_bit_identical_weights() {
    let one = hashes_on(1);
    assert_eq!(
        hashes_on(2),
        one,
        "weights after training on 1 and on 2 threads"
    );
    assert_eq!(
        hashes_on(4),
        one,
        "weights after training on 1 and on 4 threads"
    );
}
