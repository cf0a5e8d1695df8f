//! Forward + backward time of the fused transposed convolution against the same maths in
//! Candle's ops (`conv_transpose2d` + bias + ReLU, what `nn/conv.rs` ran before), on the
//! layers of lesson 15's VAE decoder at batch 128: 64×7×7 → 128×14×14 and 128×14×14 →
//! 64×28×28 (3×3, stride 2, same, ReLU), 64×28×28 → 1×28×28 (3×3, stride 1, same).
//!
//! `cargo bench -p dlcourse --bench conv_transpose` (`BENCH_REPEATS`, default 10; median;
//! `BENCH_REFERENCE=0` times the fused op only, for profiling). GFLOP/s count 2 FLOPs per
//! multiply-add, three passes' worth (forward, input and kernel gradients).

use dlcourse::kernels::{ConvTranspose, conv_transpose2d, conv_transpose2d_with_candle_ops};
use dlcourse::prelude::*;
use std::time::Instant;

type Op = fn(&Tensor, &Tensor, &Tensor, ConvTranspose, Option<f32>) -> candle_core::Result<Tensor>;

/// Median milliseconds of one forward and backward pass.
fn time(
    op: Op,
    inputs: &[Var; 3],
    config: ConvTranspose,
    slope: Option<f32>,
    repeats: usize,
) -> Result<f64> {
    let mut ms = Vec::new();
    for _ in 0..repeats + 2 {
        let start = Instant::now();
        let [x, k, b] = inputs;
        let y = op(x.as_tensor(), k.as_tensor(), b.as_tensor(), config, slope)?;
        let grads = y.sum_all()?.backward()?;
        drop(grads);
        ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    ms.drain(..2);
    ms.sort_by(f64::total_cmp);
    Ok(ms[ms.len() / 2])
}

fn main() -> Result<()> {
    // Keep freed tensor memory mapped, as the notebooks do (`kernels::keep_freed_memory`).
    dlcourse::kernels::keep_freed_memory()?;
    let repeats: usize = std::env::var("BENCH_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let batch = 128;
    println!("threads: {}", candle_core::utils::get_num_threads());
    // (in channels, out channels, input side, stride, crop, output side, negative slope:
    // Some(0.0) for ReLU)
    let layers = [
        (64, 128, 7, 2, 0, 14, Some(0.0)),
        (128, 64, 14, 2, 0, 28, Some(0.0)),
        (64, 1, 28, 1, 1, 28, None),
    ];
    let (mut fused_total, mut reference_total) = (0.0, 0.0);
    for (n, &(channels, filters, side, stride, padding, output, slope)) in layers.iter().enumerate()
    {
        let seed = 10 * n as u64;
        let inputs = [
            dlcourse::nn::seeded_normal(&[batch, channels, side, side], 0.0, 1.0, seed)?,
            dlcourse::nn::seeded_normal(&[channels, filters, 3, 3], 0.0, 0.1, seed + 1)?,
            dlcourse::nn::seeded_normal(&[filters], 0.0, 0.1, seed + 2)?,
        ];
        let config = ConvTranspose {
            stride,
            padding,
            output: (output, output),
        };
        let flops = 3.0 * 2.0 * (batch * channels * filters * 9 * side * side) as f64;
        let label = format!("{channels}×{side}² → {filters}×{output}², stride {stride}");
        let fused = time(conv_transpose2d, &inputs, config, slope, repeats)?;
        fused_total += fused;
        let gflops = |ms: f64| flops / ms / 1e6;
        if std::env::var("BENCH_REFERENCE").is_ok_and(|v| v == "0") {
            println!(
                "{label:<32} fused {fused:8.2} ms ({:5.1} GFLOP/s)",
                gflops(fused)
            );
            continue;
        }
        let reference = time(
            conv_transpose2d_with_candle_ops,
            &inputs,
            config,
            slope,
            repeats,
        )?;
        reference_total += reference;
        println!(
            "{label:<32} fused {fused:8.2} ms ({:5.1} GFLOP/s), Candle ops {reference:8.2} ms \
             ({:5.1} GFLOP/s): {:.1}× faster",
            gflops(fused),
            gflops(reference),
            reference / fused
        );
    }
    println!(
        "all three layers: fused {fused_total:.1} ms, Candle ops {reference_total:.1} ms \
         (forward + backward, batch {batch})"
    );
    Ok(())
}
