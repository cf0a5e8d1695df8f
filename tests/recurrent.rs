//! The fused recurrence (LSTM and simple RNN) against the same maths in Candle's ops, step
//! by step: values forward, and gradients of the projected inputs, the recurrent kernel
//! and the initial states backward, on random inputs of several shapes, with and without
//! recurrent dropout.

use dlcourse::candle_core::{self as candle_core, Tensor, Var};
use dlcourse::kernels::{Cell, Recurrence, recurrence, recurrence_with_candle_ops};
use dlcourse::prelude::*;
use dlcourse_tests::compare::{assert_close, random};

type Op = fn(&Tensor, &Tensor, &Tensor, Recurrence) -> candle_core::Result<Tensor>;

/// The outputs and the gradients of Σ outputs·r for the three inputs.
fn run(op: Op, inputs: &[Tensor; 3], config: Recurrence) -> [Tensor; 4] {
    let vars: Vec<Var> = inputs
        .iter()
        .map(|t| Var::from_tensor(t).unwrap())
        .collect();
    let y = op(
        vars[0].as_tensor(),
        vars[1].as_tensor(),
        vars[2].as_tensor(),
        config,
    )
    .unwrap();
    let r = random(y.dims(), 99);
    let grads = (&y * &r).unwrap().sum_all().unwrap().backward().unwrap();
    let grad = |v: &Var| grads.get(v).expect("a gradient").clone();
    [y.clone(), grad(&vars[0]), grad(&vars[1]), grad(&vars[2])]
}

fn check(cell: Cell, batch: usize, steps: usize, units: usize, dropout: f32) {
    let width = cell.gates() * units;
    let inputs = [
        random(&[batch, steps, width], 1),
        (random(&[width, units], 2) * 0.3).unwrap(),
        (random(&[cell.states(), batch, units], 3) * 0.5).unwrap(),
    ];
    let config = Recurrence::new(cell).recurrent_dropout(dropout, 7);
    let fast = run(recurrence, &inputs, config);
    let reference = run(recurrence_with_candle_ops, &inputs, config);
    let what = format!("{cell:?} batch {batch}, {steps} steps, {units} units, dropout {dropout}");
    for (name, (f, r)) in [
        "outputs",
        "input gradient",
        "kernel gradient",
        "state gradient",
    ]
    .iter()
    .zip(fast.iter().zip(&reference))
    {
        assert_close(&format!("{what}: {name}"), f, r);
    }
}

#[test]
fn lstm_matches_candle_ops_forward_and_backward() {
    for (batch, steps, units) in [(1, 1, 3), (3, 5, 4), (7, 9, 5), (32, 12, 16)] {
        check(Cell::Lstm, batch, steps, units, 0.0);
    }
}

#[test]
fn lstm_with_recurrent_dropout_matches_candle_ops() {
    for (batch, steps, units) in [(1, 4, 3), (5, 6, 8), (9, 3, 7)] {
        check(Cell::Lstm, batch, steps, units, 0.3);
    }
}

#[test]
fn simple_rnn_matches_candle_ops_with_and_without_dropout() {
    for (batch, steps, units) in [(1, 1, 2), (4, 7, 5), (17, 10, 9)] {
        check(Cell::SimpleRnn, batch, steps, units, 0.0);
        check(Cell::SimpleRnn, batch, steps, units, 0.25);
    }
}

#[test]
fn the_recurrence_refuses_mismatched_shapes() {
    let err = recurrence(
        &random(&[2, 3, 8], 1),
        &random(&[8, 3], 2),
        &random(&[2, 2, 3], 3),
        Recurrence::new(Cell::Lstm),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("recurrent kernel must be [4 × units, units]"),
        "{err}"
    );
    let err = recurrence(
        &random(&[2, 3, 3], 1),
        &random(&[3, 3], 2),
        &random(&[1, 5, 3], 3),
        Recurrence::new(Cell::SimpleRnn),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("initial states must be [1, 2, 3]"), "{err}");
}

#[test]
fn a_sentiment_lstm_learns_a_toy_task() -> dlcourse::Result<()> {
    // Sequences whose label is whether token 1 appears anywhere; the LSTM must carry it
    // to the last step.
    let dev = Device::Cpu;
    let (n, len) = (256, 12);
    let ids: Vec<u32> = (0..n * len)
        .map(|i| ((i * 7919 + i / len * 31) % 5 + 2) as u32)
        .collect();
    let mut ids = ids;
    let mut labels = vec![0f32; n];
    for s in (0..n).step_by(2) {
        ids[s * len + (s * 13) % len] = 1;
        labels[s] = 1.0;
    }
    let x = Tensor::from_vec(ids, (n, len), &dev)?;
    let y = Tensor::from_vec(labels, (n, 1), &dev)?;
    let mut model = Sequential::new(&[len])
        .add(Embedding::new(8, 8))
        .add(Lstm::new(16).recurrent_dropout(0.1))
        .add(Dense::new(1).activation(Activation::Sigmoid))
        .build(&dev, 3)?;
    model.compile(
        Optimizer::adam(0.01),
        Loss::BinaryCrossEntropy,
        &[Metric::Accuracy],
    )?;
    model.fit(&x, &y, Fit::epochs(30).batch_size(32).quiet())?;
    let accuracy = model.evaluate(&x, &y)?.accuracy()?;
    assert!(accuracy > 0.95, "accuracy {accuracy}");
    Ok(())
}

/// For each gate's block of `rows_per_gate` rows of a kernel gradient `[gates·rows, cols]`,
/// the columns that are exactly zero: the features (or hidden units) that gate's dropout
/// mask dropped, when the batch holds one sequence.
fn dropped_columns(gradient: &Tensor, gates: usize) -> Vec<Vec<usize>> {
    let rows: Vec<Vec<f32>> = gradient.to_vec2().unwrap();
    let per_gate = rows.len() / gates;
    (0..gates)
        .map(|g| {
            (0..rows[0].len())
                .filter(|&c| {
                    rows[g * per_gate..(g + 1) * per_gate]
                        .iter()
                        .all(|r| r[c] == 0.0)
                })
                .collect()
        })
        .collect()
}

/// Asserts that every gate dropped some columns but not all, and that the gates' masks differ.
fn assert_masks_per_gate(what: &str, dropped: &[Vec<usize>], columns: usize) {
    for (g, d) in dropped.iter().enumerate() {
        assert!(
            !d.is_empty() && d.len() < columns,
            "{what}: gate {g} dropped {d:?}"
        );
    }
    assert!(
        dropped.iter().any(|d| d != &dropped[0]),
        "{what}: all gates share one mask {:?}",
        dropped[0]
    );
}

#[test]
fn each_lstm_gate_gets_its_own_recurrent_dropout_mask() {
    // One sequence: the recurrent kernel's gradient for gate g is zero exactly in the
    // columns (hidden units) that gate g's mask dropped. Keras draws four masks.
    let (steps, units) = (3, 16);
    let inputs = [
        random(&[1, steps, 4 * units], 1),
        (random(&[4 * units, units], 2) * 0.3).unwrap(),
        (random(&[2, 1, units], 3) * 0.5).unwrap(),
    ];
    let config = Recurrence::new(Cell::Lstm).recurrent_dropout(0.5, 11);
    let [_, _, kernel_gradient, _] = run(recurrence, &inputs, config);
    let dropped = dropped_columns(&kernel_gradient, 4);
    assert_masks_per_gate("recurrent kernel", &dropped, units);
}

#[test]
fn with_recurrent_dropout_each_lstm_gate_gets_its_own_input_mask() -> dlcourse::Result<()> {
    // Keras' LSTM with recurrent_dropout > 0 (its implementation 1) draws one input mask
    // per gate: the input kernel's gradient shows four different sets of dropped features.
    use dlcourse::candle_core::ModuleT;
    use dlcourse::candle_nn::{VarBuilder, VarMap};
    let (features, units) = (16, 4);
    let vars = VarMap::new();
    let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
    let config = dlcourse::nn::RecurrentConfig {
        dropout: 0.5,
        recurrent_dropout: 0.2,
        seed: 5,
    };
    let layer = dlcourse::nn::lstm(features, units, config, vb.pp("lstm"))?;
    let h = layer.forward_t(&random(&[1, 3, features], 4), true)?;
    let grads = (&h * &random(h.dims(), 6))?.sum_all()?.backward()?;
    let kernel_gradient = grads.get(layer.kernel()).expect("a kernel gradient");
    let dropped = dropped_columns(kernel_gradient, 4);
    assert_masks_per_gate("input kernel", &dropped, features);
    Ok(())
}
