//! Comparing a fast kernel's tensors with Candle's reference ops.

use dlcourse::candle_core::Tensor;

/// A seeded tensor of standard normal values (no ties, so max pooling's argmax is unique).
pub fn random(shape: &[usize], seed: u64) -> Tensor {
    dlcourse::nn::seeded_normal(shape, 0.0, 1.0, seed)
        .expect("a random tensor")
        .as_tensor()
        .detach()
}

/// The largest absolute difference between two tensors of one shape.
pub fn max_abs_difference(a: &Tensor, b: &Tensor) -> f32 {
    assert_eq!(a.dims(), b.dims());
    (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap()
}

/// Asserts `fast` equals `reference` within 1e-4 of the reference's largest value (or 1).
pub fn assert_close(what: &str, fast: &Tensor, reference: &Tensor) {
    let zeros = reference.zeros_like().unwrap();
    let scale = max_abs_difference(reference, &zeros).max(1.0);
    let difference = max_abs_difference(fast, reference);
    assert!(
        difference <= 1e-4 * scale,
        "{what}: the fast kernel differs from Candle's by {difference} (scale {scale})"
    );
}
