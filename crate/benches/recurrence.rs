//! Forward + backward time of the fused recurrence against the same maths in Candle's
//! ops (what `nn/lstm.rs` ran before the fused op), on lesson 10's shapes: batch 32,
//! 80 steps, 128 units, with and without recurrent dropout, LSTM and SimpleRNN.
//!
//! `cargo bench -p dlcourse --bench recurrence` (`BENCH_REPEATS`, default 20; median;
//! `BENCH_REFERENCE=0` times the fused op only, for profiling).

use dlcourse::kernels::{Cell, Recurrence, recurrence, recurrence_with_candle_ops};
use dlcourse::prelude::*;
use std::time::Instant;

type Op = fn(&Tensor, &Tensor, &Tensor, Recurrence) -> candle_core::Result<Tensor>;

/// Median milliseconds of one forward and backward pass.
fn time(op: Op, inputs: &[Var; 3], config: Recurrence, repeats: usize) -> Result<f64> {
    let mut ms = Vec::new();
    for _ in 0..repeats + 2 {
        let start = Instant::now();
        let h = op(
            inputs[0].as_tensor(),
            inputs[1].as_tensor(),
            inputs[2].as_tensor(),
            config,
        )?;
        let steps = h.dim(1)?;
        let grads = h.narrow(1, steps - 1, 1)?.sum_all()?.backward()?;
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
        .unwrap_or(20);
    let (batch, steps, units) = (32, 80, 128);
    println!("threads: {}", candle_core::utils::get_num_threads());
    for cell in [Cell::Lstm, Cell::SimpleRnn] {
        let width = cell.gates() * units;
        let inputs = [
            dlcourse::nn::seeded_normal(&[batch, steps, width], 0.0, 1.0, 1)?,
            dlcourse::nn::seeded_normal(&[width, units], 0.0, 0.1, 2)?,
            Var::zeros((cell.states(), batch, units), DType::F32, &Device::Cpu)?,
        ];
        for rate in [0.0, 0.2] {
            let config = Recurrence::new(cell).recurrent_dropout(rate, 5);
            let fused = time(recurrence, &inputs, config, repeats)?;
            if std::env::var("BENCH_REFERENCE").is_ok_and(|v| v == "0") {
                println!("{cell:?}, recurrent dropout {rate}: fused {fused:7.2} ms");
                continue;
            }
            let reference = time(recurrence_with_candle_ops, &inputs, config, repeats)?;
            println!(
                "{cell:?}, recurrent dropout {rate}: fused {fused:7.2} ms, Candle ops {reference:7.2} ms \
                 (forward + backward, batch {batch} × {steps} steps × {units} units): {:.1}× faster",
                reference / fused
            );
        }
    }
    Ok(())
}
