//! Max pooling off the CPU's fast path: `kernels::max_pool2d_with_candle_ops`, what a GPU
//! (or f64) runs, must train with exactly the fast CPU kernel's values and gradients —
//! Candle 0.11's own `max_pool2d` scales its gradients by 1/k². The fallback is forced
//! here on the CPU, so no GPU is needed.

use dlcourse::candle_core::{self as candle_core, DType, Tensor, Var};
use dlcourse::kernels;
use dlcourse_tests::compare::random;

/// The output of `pool(x, size)` and the gradient of Σ pool(x)·r with respect to x.
fn value_and_gradient(
    x: &Tensor,
    size: usize,
    r_seed: u64,
    pool: fn(&Tensor, usize) -> candle_core::Result<Tensor>,
) -> (Vec<f32>, Vec<f32>) {
    let x = Var::from_tensor(x).unwrap();
    let y = pool(x.as_tensor(), size).unwrap();
    let r = random(y.dims(), r_seed).to_dtype(y.dtype()).unwrap();
    let grads = (&y * &r).unwrap().sum_all().unwrap().backward().unwrap();
    let flat = |t: &Tensor| {
        t.to_dtype(DType::F32)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap()
    };
    (flat(&y), flat(grads.get(&x).expect("a gradient for x")))
}

/// Inputs with many ties: normal values rounded to whole numbers (about five levels).
fn tied(shape: &[usize], seed: u64) -> Tensor {
    random(shape, seed)
        .round()
        .unwrap()
        .affine(1.0, 0.0)
        .unwrap()
}

/// (batch, channels, height, width, window): odd sizes that leave a partial window at
/// the right and bottom edges, windows of 2, 3 and 4, a single plane.
const SHAPES: [(usize, usize, usize, usize, usize); 5] = [
    (2, 3, 5, 7, 2),
    (1, 2, 6, 6, 3),
    (3, 1, 9, 4, 4),
    (1, 1, 2, 2, 2),
    (4, 5, 11, 13, 3),
];

fn assert_same(what: &str, inputs: impl Fn(&[usize], u64) -> Tensor) {
    for (i, &(b, c, h, w, size)) in SHAPES.iter().enumerate() {
        let x = inputs(&[b, c, h, w], 700 + i as u64);
        let case = format!("{what} case {i} {:?}", SHAPES[i]);
        let fast = value_and_gradient(&x, size, 800 + i as u64, kernels::max_pool2d);
        let fallback = value_and_gradient(
            &x,
            size,
            800 + i as u64,
            kernels::max_pool2d_with_candle_ops,
        );
        assert_eq!(fast.0, fallback.0, "{case}: the outputs differ");
        assert_eq!(fast.1, fallback.1, "{case}: the gradients differ");
        // Every output's gradient reaches exactly one input, whole: no 1/k² scaling.
        let nonzero = fallback.1.iter().filter(|g| **g != 0.0).count();
        assert_eq!(
            nonzero,
            fallback.0.len(),
            "{case}: one routed gradient per window"
        );
    }
}

#[test]
fn the_fallback_equals_the_fast_kernel_on_distinct_values() {
    assert_same("distinct values", random);
}

#[test]
fn the_fallback_sends_a_tied_gradient_to_the_same_first_maximum() {
    assert_same("tied values", tied);
    assert_same("all equal", |shape, _| {
        Tensor::ones(shape, DType::F32, &candle_core::Device::Cpu).unwrap()
    });
}

#[test]
fn f64_input_takes_the_fallback_through_max_pool2d_with_the_same_gradients() {
    for (i, &(b, c, h, w, size)) in SHAPES.iter().enumerate() {
        let x = tied(&[b, c, h, w], 900 + i as u64);
        let fast = value_and_gradient(&x, size, 950, kernels::max_pool2d);
        let x64 = x.to_dtype(DType::F64).unwrap();
        let dispatched = value_and_gradient(&x64, size, 950, kernels::max_pool2d);
        assert_eq!(fast.0, dispatched.0, "f64 case {i}: the outputs differ");
        assert_eq!(fast.1, dispatched.1, "f64 case {i}: the gradients differ");
    }
}

#[test]
fn the_fallback_refuses_a_window_larger_than_the_image() {
    let x = random(&[1, 1, 3, 5], 1);
    let error = kernels::max_pool2d_with_candle_ops(&x, 4)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("4×4 window does not fit a 3×5 image"),
        "{error}"
    );
}
