//! The fast CPU kernels against Candle's reference ops, on random inputs: the same
//! values forward and the same gradients backward, for every padding, stride and batch
//! size the layers use (a batch smaller than the thread count takes another code path).

use dlcourse::candle_core::{self as candle_core, DType, Device, Tensor, Var};
use dlcourse::candle_nn;
use dlcourse::kernels::{self, ConvParams};
use dlcourse_tests::compare::{assert_close, random};

/// Values of `op(a, b)` and the gradients of Σ op(a, b)·r with respect to a and b.
fn value_and_gradients(
    a: &Tensor,
    b: &Tensor,
    r_seed: u64,
    op: impl Fn(&Tensor, &Tensor) -> candle_core::Result<Tensor>,
) -> (Tensor, Tensor, Tensor) {
    let (va, vb) = (Var::from_tensor(a).unwrap(), Var::from_tensor(b).unwrap());
    let y = op(va.as_tensor(), vb.as_tensor()).unwrap();
    let r = random(y.dims(), r_seed);
    let grads = (&y * &r).unwrap().sum_all().unwrap().backward().unwrap();
    (
        y,
        grads
            .get(&va)
            .expect("gradient of the first operand")
            .clone(),
        grads
            .get(&vb)
            .expect("gradient of the second operand")
            .clone(),
    )
}

#[test]
fn conv2d_matches_candle_forward_and_backward() {
    // (batch, channels, height, width, filters, kernel, stride, padding)
    let cases = [
        (5, 1, 28, 28, 8, 3, 1, 0),
        (1, 3, 9, 7, 4, 3, 1, 1),
        (4, 6, 12, 12, 5, 5, 2, 2),
        (3, 2, 11, 11, 3, 2, 2, 0),
        (2, 4, 6, 6, 2, 1, 1, 0),
        // 3×3, stride 1, ≥ 8 channels: Winograd's F(2×2, 3×3), also on odd sizes, a batch
        // of one (the GEMMs get the threads), more images than backward shares, padding 2.
        (3, 8, 10, 9, 6, 3, 1, 0),
        (1, 12, 7, 7, 5, 3, 1, 1),
        (33, 8, 6, 5, 4, 3, 1, 2),
        (2, 32, 26, 26, 64, 3, 1, 0),
    ];
    for (i, &(b, c, h, w, f, k, stride, padding)) in cases.iter().enumerate() {
        let seed = 10 * i as u64;
        let x = random(&[b, c, h, w], seed);
        let kernel = random(&[f, c, k, k], seed + 1);
        let what = format!("conv2d case {i} {:?}", cases[i]);
        let fast = value_and_gradients(&x, &kernel, seed + 2, |x, k| {
            kernels::conv2d(x, k, ConvParams { padding, stride })
        });
        let reference = value_and_gradients(&x, &kernel, seed + 2, |x, k| {
            x.conv2d(k, padding, stride, 1, 1)
        });
        assert_close(&format!("{what}: output"), &fast.0, &reference.0);
        assert_close(&format!("{what}: input gradient"), &fast.1, &reference.1);
        assert_close(&format!("{what}: kernel gradient"), &fast.2, &reference.2);
    }
}

#[test]
fn the_fused_layer_matches_candle_conv_bias_relu_and_leaky_relu() {
    // (stride, padding, negative slope: 0 is ReLU, channels: 8 and more take Winograd's way)
    let cases = [
        (1, 0, 0.0, 3),
        (2, 1, 0.0, 3),
        (2, 1, 0.2, 3),
        (1, 1, 0.01, 3),
        (1, 0, 0.0, 8),
        (1, 1, 0.2, 16),
    ];
    for (i, &(stride, padding, slope, channels)) in cases.iter().enumerate() {
        let x = random(&[4, channels, 9, 9], 600 + i as u64);
        let kernel = random(&[5, channels, 3, 3], 610 + i as u64);
        let bias = random(&[5], 620 + i as u64);
        let (vx, vk, vb) = (
            Var::from_tensor(&x).unwrap(),
            Var::from_tensor(&kernel).unwrap(),
            Var::from_tensor(&bias).unwrap(),
        );
        let run = |fast: bool| {
            let params = ConvParams { padding, stride };
            let y = match (fast, slope) {
                (true, 0.0) => kernels::conv2d_bias_relu(&vx, &vk, &vb, params).unwrap(),
                (true, _) => kernels::conv2d_bias_leaky_relu(&vx, &vk, &vb, params, slope).unwrap(),
                (false, _) => {
                    let z = vx
                        .conv2d(&vk, padding, stride, 1, 1)
                        .unwrap()
                        .broadcast_add(&vb.reshape((1, 5, 1, 1)).unwrap())
                        .unwrap();
                    candle_nn::ops::leaky_relu(&z, slope as f64).unwrap()
                }
            };
            let weights = random(y.dims(), 630);
            let grads = (&y * &weights)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap();
            let g = |v: &Var| grads.get(v).expect("a gradient").clone();
            (y, g(&vx), g(&vk), g(&vb))
        };
        let (fast, reference) = (run(true), run(false));
        let what = format!("fused conv case {i} {:?}", cases[i]);
        assert_close(&format!("{what}: output"), &fast.0, &reference.0);
        assert_close(&format!("{what}: input gradient"), &fast.1, &reference.1);
        assert_close(&format!("{what}: kernel gradient"), &fast.2, &reference.2);
        assert_close(&format!("{what}: bias gradient"), &fast.3, &reference.3);
    }
}

#[test]
fn conv2d_backward_handles_non_square_strided_images() {
    // Candle's own backward pass gets the input gradient's width wrong here (it derives
    // the output padding from the height only); the fast kernel's follows the input.
    let x = Var::from_tensor(&random(&[2, 3, 10, 11], 7)).unwrap();
    let kernel = random(&[4, 3, 2, 2], 8);
    let y = kernels::conv2d(
        &x,
        &kernel,
        ConvParams {
            padding: 0,
            stride: 2,
        },
    )
    .unwrap();
    assert_eq!(y.dims(), [2, 4, 5, 5]);
    let grads = y.sum_all().unwrap().backward().unwrap();
    let gx = grads.get(&x).unwrap();
    assert_eq!(gx.dims(), [2, 3, 10, 11]);
    // The last column is never read by a stride-2 kernel of width 2 over width 11.
    let last = gx
        .narrow(3, 10, 1)
        .unwrap()
        .abs()
        .unwrap()
        .sum_all()
        .unwrap();
    assert_eq!(last.to_scalar::<f32>().unwrap(), 0.0);
}

#[test]
fn conv2d_skips_the_gradient_of_data() {
    let x = random(&[2, 1, 6, 6], 1);
    let kernel = Var::from_tensor(&random(&[3, 1, 3, 3], 2)).unwrap();
    let y = kernels::conv2d(
        &x,
        &kernel,
        ConvParams {
            padding: 0,
            stride: 1,
        },
    )
    .unwrap();
    let grads = y.sum_all().unwrap().backward().unwrap();
    assert!(
        grads.get(&x).is_none(),
        "no gradient is computed for the input data"
    );
    assert!(grads.get(&kernel).is_some());
}

#[test]
fn conv2d_rejects_mismatched_channels() {
    let x = random(&[1, 3, 6, 6], 1);
    let kernel = random(&[2, 1, 3, 3], 2);
    let error = kernels::conv2d(
        &x,
        &kernel,
        ConvParams {
            padding: 0,
            stride: 1,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("3 channels"), "{error}");
}

/// Max pooling from reshapes and max reductions, whose gradient Candle derives
/// correctly. (Candle 0.11's own `max_pool2d` backward multiplies each gradient by the
/// share of maxima in its window, 1/k² for a unique maximum, instead of dividing by their
/// count; the fast kernel does not copy that.)
fn reference_max_pool(x: &Tensor, k: usize) -> candle_core::Result<Tensor> {
    let (b, c, h, w) = x.dims4()?;
    let (oh, ow) = (h / k, w / k);
    x.narrow(2, 0, oh * k)?
        .narrow(3, 0, ow * k)?
        .reshape((b, c, oh, k, ow, k))?
        .max(5)?
        .max(3)
}

#[test]
fn max_pool2d_matches_the_reference_forward_and_backward() {
    for (i, &(b, c, h, w, size)) in [(5, 4, 24, 24, 2), (1, 2, 7, 9, 2), (3, 3, 9, 9, 3)]
        .iter()
        .enumerate()
    {
        let x = random(&[b, c, h, w], 100 + i as u64);
        // A second operand (a zero added to every output) keeps value_and_gradients' shape.
        let unused = Tensor::zeros(1, DType::F32, &Device::Cpu).unwrap();
        let pool = |fast: bool| {
            value_and_gradients(&x, &unused, 200 + i as u64, move |x, u| {
                let pooled = if fast {
                    kernels::max_pool2d(x, size)?
                } else {
                    reference_max_pool(x, size)?
                };
                pooled.broadcast_add(u)
            })
        };
        let (fast, reference) = (pool(true), pool(false));
        assert_close(
            &format!("max_pool2d case {i}: output"),
            &fast.0,
            &reference.0,
        );
        assert_close(
            &format!("max_pool2d case {i}: gradient"),
            &fast.1,
            &reference.1,
        );
        // Candle's op agrees forward.
        assert_close(
            &format!("max_pool2d case {i}: Candle's output"),
            &fast.0,
            &x.max_pool2d(size).unwrap(),
        );
    }
}

#[test]
fn max_pool2d_sends_a_tied_gradient_to_the_first_maximum() {
    let x = Var::new(&[[[[1f32, 1.], [1., 1.]]]], &Device::Cpu).unwrap();
    let y = kernels::max_pool2d(&x, 2).unwrap();
    let grads = y.sum_all().unwrap().backward().unwrap();
    let g = grads
        .get(&x)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap();
    assert_eq!(g, [1., 0., 0., 0.]);
}

#[test]
fn linear_bias_matches_candle_dense_layers() {
    // (batch, inputs, outputs, negative slope: None linear, 0 ReLU, else LeakyReLU)
    let cases = [
        (100, 784, 512, Some(0.0)),
        (1, 7, 3, None),
        (33, 128, 10, Some(0.2)),
        (5, 9216, 128, Some(0.0)),
    ];
    for (i, &(batch, inputs, outputs, slope)) in cases.iter().enumerate() {
        let (x, w, b) = (
            random(&[batch, inputs], 700 + i as u64),
            random(&[outputs, inputs], 710 + i as u64),
            random(&[outputs], 720 + i as u64),
        );
        let (vx, vw, vb) = (
            Var::from_tensor(&x).unwrap(),
            Var::from_tensor(&w).unwrap(),
            Var::from_tensor(&b).unwrap(),
        );
        let run = |fast: bool| {
            let y = if fast {
                kernels::linear_bias(&vx, &vw, &vb, slope).unwrap()
            } else {
                let z = vx
                    .matmul(&vw.t().unwrap())
                    .unwrap()
                    .broadcast_add(&vb)
                    .unwrap();
                match slope {
                    None => z,
                    Some(s) => candle_nn::ops::leaky_relu(&z, s as f64).unwrap(),
                }
            };
            let r = random(y.dims(), 730);
            let grads = (&y * &r).unwrap().sum_all().unwrap().backward().unwrap();
            let g = |v: &Var| grads.get(v).expect("a gradient").clone();
            (y, g(&vx), g(&vw), g(&vb))
        };
        let (fast, reference) = (run(true), run(false));
        let what = format!("linear_bias case {i} {:?}", cases[i]);
        assert_close(&format!("{what}: output"), &fast.0, &reference.0);
        assert_close(&format!("{what}: input gradient"), &fast.1, &reference.1);
        assert_close(&format!("{what}: weight gradient"), &fast.2, &reference.2);
        assert_close(&format!("{what}: bias gradient"), &fast.3, &reference.3);
    }
}

#[test]
fn linear_bias_skips_the_gradient_of_data() {
    let x = random(&[4, 6], 740);
    let (w, b) = (
        Var::from_tensor(&random(&[3, 6], 741)).unwrap(),
        Var::from_tensor(&random(&[3], 742)).unwrap(),
    );
    let y = kernels::linear_bias(&x, &w, &b, Some(0.0)).unwrap();
    let grads = y.sum_all().unwrap().backward().unwrap();
    assert!(grads.get(&x).is_none(), "data got a gradient");
    assert!(grads.get(&w).is_some() && grads.get(&b).is_some());
}

#[test]
fn linear_bias_rejects_a_negative_slope() {
    let x = random(&[2, 3], 750);
    let (w, b) = (random(&[2, 3], 751), random(&[2], 752));
    let error = kernels::linear_bias(&x, &w, &b, Some(-1.0))
        .unwrap_err()
        .to_string();
    assert!(error.contains("negative slope of -1"), "{error}");
}

#[test]
fn linear_matches_candle_forward_and_backward() {
    for (i, &(batch, inputs, outputs)) in [(100, 784, 512), (1, 7, 3), (33, 128, 10)]
        .iter()
        .enumerate()
    {
        let x = random(&[batch, inputs], 300 + i as u64);
        let w = random(&[outputs, inputs], 400 + i as u64);
        let fast = value_and_gradients(&x, &w, 500, kernels::linear);
        let reference = value_and_gradients(&x, &w, 500, |x, w| x.matmul(&w.t()?));
        assert_close(&format!("linear case {i}: output"), &fast.0, &reference.0);
        assert_close(
            &format!("linear case {i}: input gradient"),
            &fast.1,
            &reference.1,
        );
        assert_close(
            &format!("linear case {i}: weight gradient"),
            &fast.2,
            &reference.2,
        );
    }
}

#[test]
fn the_kernels_fall_back_to_candle_for_other_dtypes() {
    let x = random(&[2, 1, 5, 5], 1).to_dtype(DType::F64).unwrap();
    let k = random(&[2, 1, 3, 3], 2).to_dtype(DType::F64).unwrap();
    let fast = kernels::conv2d(
        &x,
        &k,
        ConvParams {
            padding: 1,
            stride: 1,
        },
    )
    .unwrap();
    let reference = x.conv2d(&k, 1, 1, 1, 1).unwrap();
    assert_eq!(fast.dtype(), DType::F64);
    let difference = (fast - reference)
        .unwrap()
        .abs()
        .unwrap()
        .sum_all()
        .unwrap();
    assert_eq!(difference.to_scalar::<f64>().unwrap(), 0.0);
}
