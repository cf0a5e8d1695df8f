//! A model written in plain Candle from `dlcourse::nn`'s public constructors is the same
//! model as the `Sequential` one: same parameter names and initial values (one seed),
//! same outputs, same gradients of every parameter; it trains with a candle-nn optimiser,
//! and its layers run on the crate's kernels (checked against Candle's reference ops).

use dlcourse::candle_core::{DType, Device, Module, ModuleT, Tensor, Var};
use dlcourse::candle_nn::{self, AdamW, Optimizer as _, ParamsAdamW, VarBuilder, VarMap};
use dlcourse::nn::{
    self, Conv2dConfig, Conv2dModule, DenseConfig, DenseModule, MaxPool2dModule, RecurrentConfig,
    RecurrentModule, SeededVarMap,
};
use dlcourse::prelude::{Activation, Conv2d, Dense, Flatten, Lstm, MaxPool2d, Sequential};
use dlcourse_tests::compare::{max_abs_difference, random};

const SEED: u64 = 5;

/// conv2d(1 → 4, 3×3, ReLU) → max_pool2d(2) → flatten → dense(36 → 3), in plain Candle.
struct Cnn {
    conv: Conv2dModule,
    pool: MaxPool2dModule,
    dense: DenseModule,
}

impl Module for Cnn {
    fn forward(&self, xs: &Tensor) -> dlcourse::candle_core::Result<Tensor> {
        let ys = self.pool.forward(&self.conv.forward(xs)?)?;
        self.dense.forward(&ys.flatten_from(1)?)
    }
}

fn plain_cnn(vb: VarBuilder) -> dlcourse::Result<Cnn> {
    let relu = Conv2dConfig {
        activation: Activation::Relu,
        ..Default::default()
    };
    Ok(Cnn {
        conv: nn::conv2d(1, 4, 3, relu, vb.pp("conv2d"))?,
        pool: nn::max_pool2d(2)?,
        dense: nn::dense(4 * 3 * 3, 3, DenseConfig::default(), vb.pp("dense"))?,
    })
}

fn sequential_cnn() -> dlcourse::Result<dlcourse::keras::Model> {
    Sequential::new(&[1, 8, 8])
        .add(Conv2d::new(4, 3).activation(Activation::Relu))
        .add(MaxPool2d(2))
        .add(Flatten)
        .add(Dense::new(3))
        .build(&Device::Cpu, SEED)
}

/// lstm(3 features → 5 units, last state) → dense(5 → 2), in plain Candle.
struct Rnn {
    lstm: RecurrentModule,
    dense: DenseModule,
}

impl ModuleT for Rnn {
    fn forward_t(&self, xs: &Tensor, train: bool) -> dlcourse::candle_core::Result<Tensor> {
        self.dense.forward(&self.lstm.forward_t(xs, train)?)
    }
}

fn plain_rnn(vb: VarBuilder) -> dlcourse::Result<Rnn> {
    Ok(Rnn {
        lstm: nn::lstm(3, 5, RecurrentConfig::default(), vb.pp("lstm"))?,
        dense: nn::dense(5, 2, DenseConfig::default(), vb.pp("dense"))?,
    })
}

fn sequential_rnn() -> dlcourse::Result<dlcourse::keras::Model> {
    Sequential::new(&[6, 3])
        .add(Lstm::new(5))
        .add(Dense::new(2))
        .build(&Device::Cpu, SEED)
}

/// A builder drawing new parameters from `SEED`, as `Sequential::build` does.
fn seeded(vars: &VarMap) -> VarBuilder<'static> {
    let backend = SeededVarMap::new(vars.clone(), SEED);
    VarBuilder::from_backend(Box::new(backend), DType::F32, Device::Cpu)
}

/// Labels 0..classes from the sign pattern of the inputs' first values.
fn labels(xs: &Tensor, classes: u32) -> Tensor {
    let n = xs.dim(0).unwrap();
    let flat = xs.flatten_from(1).unwrap().to_vec2::<f32>().unwrap();
    let ids: Vec<u32> = flat
        .iter()
        .map(|row| (row[0] > 0.0) as u32 + (classes > 2 && row[1] > 0.5) as u32)
        .collect();
    Tensor::from_vec(ids, n, &Device::Cpu).unwrap()
}

fn loss(logits: &Tensor, ys: &Tensor) -> Tensor {
    candle_nn::loss::cross_entropy(logits, ys).unwrap()
}

fn sorted_vars(vars: &VarMap) -> Vec<(String, Var)> {
    let data = vars.data().lock().unwrap();
    let mut all: Vec<_> = data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

/// The same names, values and (for `loss_of` each model) gradients, parameter by
/// parameter; returns how many parameters were compared.
fn assert_same_model(
    sequential: &VarMap,
    plain: &VarMap,
    sequential_loss: Tensor,
    plain_loss: Tensor,
) -> usize {
    let (ours, theirs) = (sorted_vars(sequential), sorted_vars(plain));
    let names = |vars: &[(String, Var)]| vars.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ours), names(&theirs), "parameter names");
    let (g_ours, g_theirs) = (
        sequential_loss.backward().unwrap(),
        plain_loss.backward().unwrap(),
    );
    for ((name, a), (_, b)) in ours.iter().zip(&theirs) {
        let values = max_abs_difference(a.as_tensor(), b.as_tensor());
        assert_eq!(values, 0.0, "{name}: initial values differ by {values}");
        let (ga, gb) = (g_ours.get(a).unwrap(), g_theirs.get(b).unwrap());
        let difference = max_abs_difference(ga, gb);
        let scale = ga
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(scale > 0.0, "{name}: no gradient reached it");
        assert!(
            difference <= 1e-6 * scale.max(1.0),
            "{name}: gradients differ by {difference} (largest {scale})"
        );
    }
    ours.len()
}

/// Trains `steps` AdamW steps on the plain model; returns the first and last loss.
fn train(vars: &VarMap, mut loss_at: impl FnMut() -> Tensor, steps: usize) -> (f32, f32) {
    let params = ParamsAdamW {
        lr: 0.02,
        weight_decay: 0.0,
        ..Default::default()
    };
    let mut optimiser = AdamW::new(vars.all_vars(), params).unwrap();
    let first = loss_at().to_scalar::<f32>().unwrap();
    for _ in 0..steps {
        optimiser.backward_step(&loss_at()).unwrap();
    }
    (first, loss_at().to_scalar::<f32>().unwrap())
}

#[test]
fn a_plain_candle_cnn_is_the_sequential_cnn_and_trains() -> dlcourse::Result<()> {
    let xs = random(&[16, 1, 8, 8], 1);
    let ys = labels(&xs, 3);
    let model = sequential_cnn()?;
    let vars = VarMap::new();
    let cnn = plain_cnn(seeded(&vars))?;
    let (a, b) = (model.logits(&xs, true)?, cnn.forward(&xs)?);
    assert_eq!(max_abs_difference(&a, &b), 0.0, "forward outputs");
    let compared = assert_same_model(model.vars(), &vars, loss(&a, &ys), loss(&b, &ys));
    assert_eq!(compared, 4, "conv2d and dense weights and biases");

    let (first, last) = train(&vars, || loss(&cnn.forward(&xs).unwrap(), &ys), 30);
    assert!(
        last < 0.5 * first,
        "loss {first} → {last} in 30 AdamW steps"
    );
    Ok(())
}

#[test]
fn a_plain_candle_lstm_is_the_sequential_lstm_and_trains() -> dlcourse::Result<()> {
    let xs = random(&[16, 6, 3], 2);
    let ys = labels(&xs, 2);
    let model = sequential_rnn()?;
    let vars = VarMap::new();
    let rnn = plain_rnn(seeded(&vars))?;
    let (a, b) = (model.logits(&xs, true)?, rnn.forward_t(&xs, true)?);
    assert_eq!(max_abs_difference(&a, &b), 0.0, "forward outputs");
    let compared = assert_same_model(model.vars(), &vars, loss(&a, &ys), loss(&b, &ys));
    assert_eq!(
        compared, 5,
        "lstm kernel, recurrent kernel, bias; dense weight, bias"
    );

    let (first, last) = train(&vars, || loss(&rnn.forward_t(&xs, true).unwrap(), &ys), 30);
    assert!(
        last < 0.5 * first,
        "loss {first} → {last} in 30 AdamW steps"
    );
    Ok(())
}

#[test]
fn a_plain_model_loads_the_sequential_weights_by_name() -> dlcourse::Result<()> {
    // Built over the trained model's own VarMap, the constructors reuse its variables
    // (an LSTM's recurrent kernel and forget-gate biases are not re-initialised).
    let xs = random(&[4, 6, 3], 3);
    let model = sequential_rnn()?;
    let bias = model.weight("lstm.bias")?.flatten_all()?.to_vec1::<f32>()?;
    model.vars().data().lock().unwrap()["lstm.bias"].set(&(random(&[20], 4) * 0.1)?)?;
    let vb = VarBuilder::from_varmap(model.vars(), DType::F32, &Device::Cpu);
    let rnn = plain_rnn(vb)?;
    let loaded = rnn.lstm.bias().flatten_all()?.to_vec1::<f32>()?;
    assert_ne!(
        loaded, bias,
        "the LSTM bias was reset to its initial values"
    );
    let (a, b) = (model.logits(&xs, false)?, rnn.forward_t(&xs, false)?);
    assert_eq!(max_abs_difference(&a, &b), 0.0);
    Ok(())
}

#[test]
fn the_layers_compute_what_candles_reference_ops_compute() -> dlcourse::Result<()> {
    let vars = VarMap::new();
    let cnn = plain_cnn(seeded(&vars))?;
    let xs = Var::from_tensor(&random(&[2, 1, 8, 8], 6))?;
    let conv = cnn.conv.forward(xs.as_tensor())?;
    let reference = xs
        .as_tensor()
        .conv2d(cnn.conv.weight(), 0, 1, 1, 1)?
        .broadcast_add(&cnn.conv.bias().reshape((1, 4, 1, 1))?)?
        .relu()?;
    assert!(
        max_abs_difference(&conv, &reference) < 1e-5,
        "conv2d + ReLU"
    );
    let flat = random(&[2, 36], 7);
    let dense = cnn.dense.forward(&flat)?;
    let reference = flat
        .matmul(&cnn.dense.weight().t()?)?
        .broadcast_add(cnn.dense.bias())?;
    assert!(max_abs_difference(&dense, &reference) < 1e-5, "dense");
    // The pool's gradient routes each window's gradient, whole, to its maximum: the
    // crate's kernel (Candle 0.11's max_pool2d scales it by 1/4 here).
    let pooled = cnn.pool.forward(xs.as_tensor())?;
    assert_eq!(pooled.dims(), &[2, 1, 4, 4]);
    let grads = pooled.sum_all()?.backward()?;
    let routed = grads.get(&xs).unwrap().to_dtype(DType::F32)?;
    let ones = routed
        .ge(1.0)?
        .to_dtype(DType::F32)?
        .sum_all()?
        .to_scalar::<f32>()?;
    assert_eq!(
        routed.sum_all()?.to_scalar::<f32>()?,
        32.0,
        "one per window"
    );
    assert_eq!(ones, 32.0, "each window's maximum gets the whole gradient");
    Ok(())
}

#[test]
fn the_constructors_refuse_bad_sizes_with_clear_errors() {
    let vars = VarMap::new();
    let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
    let zero_stride = Conv2dConfig {
        stride: 0,
        ..Default::default()
    };
    let err = nn::conv2d(1, 4, 3, zero_stride, vb.pp("c")).err().unwrap();
    assert!(err.to_string().contains("stride 0"), "{err}");
    let err = nn::dense(3, 0, DenseConfig::default(), vb.pp("d"))
        .err()
        .unwrap();
    assert!(err.to_string().contains("0 units"), "{err}");
    assert!(nn::max_pool2d(0).is_err());
    assert!(nn::dropout(f64::NAN, 0).is_err());
    let bad = RecurrentConfig {
        recurrent_dropout: 1.0,
        ..Default::default()
    };
    let err = nn::lstm(3, 4, bad, vb.pp("l")).err().unwrap();
    assert!(err.to_string().contains("recurrent_dropout"), "{err}");
    let transposed = nn::ConvTranspose2dConfig {
        stride: 2,
        output_padding: Some(2),
        ..Default::default()
    };
    assert!(nn::conv_transpose2d(4, 2, 3, transposed, vb.pp("t")).is_err());
}
