//! Recurrent layers that read a sequence and return its last hidden state (Keras:
//! `LSTM(units)` and `SimpleRNN(units)` with `return_sequences=False`), trained through
//! the fused [`recurrence`](crate::kernels::recurrence) op.

use crate::error::{Error, Result};
use crate::kernels::{self, Cell, Recurrence};
use crate::nn::dropout::{DropoutModule, check_rate};
use crate::nn::{BuildContext, BuiltLayer, LayerSpec, glorot_uniform, orthogonal_in_place};
use candle_core::{ModuleT, Tensor};
use candle_nn::{Init, VarBuilder};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Mutex;

/// An LSTM of `units` cells over sequences of vectors (samples of length × features).
///
/// Gates are ordered input, forget, cell, output, with one bias per gate as in Keras (so
/// `summary()` counts what Keras counts), and initialised as Keras does: Glorot-uniform
/// input kernel, orthogonal recurrent kernel, zero biases except the forget gate's, 1.
///
/// ```
/// use dlcourse::prelude::*;
/// # fn main() -> dlcourse::Result<()> {
/// let model = Sequential::new(&[5, 3])
///     .add(Lstm::new(4).dropout(0.2).recurrent_dropout(0.2))
///     .build(&Device::Cpu, 0)?;
/// assert_eq!(model.summary().total_params(), 4 * (3 * 4 + 4 * 4 + 4));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Lstm(Recurrent);

/// A plain recurrent layer of `units` tanh neurons, hₜ = tanh(xₜ·W + hₜ₋₁·U + b) (Keras:
/// `SimpleRNN`): the layer lesson 10 compares the LSTM with. Same initialisation as the
/// LSTM (orthogonal recurrent kernel), zero bias.
#[derive(Debug, Clone, Copy)]
pub struct SimpleRnn(Recurrent);

/// What both layers share: units and the two dropout rates.
#[derive(Debug, Clone, Copy)]
struct Recurrent {
    cell: Cell,
    units: usize,
    dropout: f64,
    recurrent_dropout: f64,
}

macro_rules! recurrent_layer {
    ($layer:ident, $cell:expr, $kind:literal) => {
        impl $layer {
            #[doc = concat!("A ", $kind, " layer with `units` units.")]
            pub fn new(units: usize) -> Self {
                $layer(Recurrent {
                    cell: $cell,
                    units,
                    dropout: 0.0,
                    recurrent_dropout: 0.0,
                })
            }

            /// Drops this fraction of the input features while training (Keras:
            /// `dropout=`), with one mask per sequence shared by all of its steps; with
            /// recurrent dropout on, one such mask per gate, as in Keras.
            pub fn dropout(mut self, rate: f64) -> Self {
                self.0.dropout = rate;
                self
            }

            /// Drops this fraction of the hidden state before each recurrent product
            /// while training (Keras: `recurrent_dropout=`), one mask per sequence and
            /// gate, as in Keras.
            pub fn recurrent_dropout(mut self, rate: f64) -> Self {
                self.0.recurrent_dropout = rate;
                self
            }
        }

        impl LayerSpec for $layer {
            fn kind(&self) -> &'static str {
                $kind
            }

            fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
                self.0.build($kind, input_shape, ctx)
            }
        }
    };
}

recurrent_layer!(Lstm, Cell::Lstm, "LSTM");
recurrent_layer!(SimpleRnn, Cell::SimpleRnn, "SimpleRNN");

impl Recurrent {
    fn build(&self, kind: &str, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
        let [_, features] = *input_shape else {
            return Err(Error::shape(
                format!("building a {kind} layer"),
                "sequences of vectors (length × features per sample)",
                format!("input shape {input_shape:?}"),
                "put an Embedding before it, or reshape to (length, features)",
            ));
        };
        let config = RecurrentConfig {
            dropout: self.dropout,
            recurrent_dropout: self.recurrent_dropout,
            seed: ctx.seed,
        };
        let module = recurrent(kind, self.cell, features, self.units, config, ctx.vb)?;
        Ok(BuiltLayer::new(module, vec![self.units]))
    }
}

/// The settings of [`lstm`] and [`simple_rnn`]: no dropout by default.
///
/// ```
/// use dlcourse::nn::RecurrentConfig;
/// let config = RecurrentConfig { dropout: 0.2, recurrent_dropout: 0.2, seed: 7 };
/// assert_eq!(RecurrentConfig::default().dropout, 0.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RecurrentConfig {
    /// Fraction of the input features dropped while training (Keras: `dropout=`), one
    /// mask per sequence shared by all of its steps (per gate when `recurrent_dropout`
    /// is on, as in Keras); in [0, 1).
    pub dropout: f64,
    /// Fraction of the hidden state dropped before each recurrent product while training
    /// (Keras: `recurrent_dropout=`), one mask per sequence and gate; in [0, 1).
    pub recurrent_dropout: f64,
    /// Seeds the dropout masks, so a run repeats exactly.
    pub seed: u64,
}

/// An LSTM of `units` cells reading sequences of `features`-long vectors over `vb`, and
/// returning the last hidden state (Keras: `LSTM(units)`), on the crate's fused
/// [`recurrence`](crate::kernels::recurrence) op. Creates, or reuses if `vb` holds them
/// (the names [`Lstm`] uses in a `Sequential`): `kernel` `[4·units, features]`
/// (Glorot-uniform), `recurrent_kernel` `[4·units, units]` (orthogonal) and `bias`
/// `[4·units]` (1 for the forget gate, 0 elsewhere); gates ordered input, forget, cell,
/// output.
///
/// ```
/// use candle_core::{DType, Device, ModuleT, Tensor};
/// use candle_nn::{VarBuilder, VarMap};
/// use dlcourse::nn::{RecurrentConfig, lstm};
/// # fn main() -> dlcourse::Result<()> {
/// let vars = VarMap::new();
/// let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
/// let layer = lstm(3, 16, RecurrentConfig::default(), vb.pp("lstm"))?;
/// let sequences = Tensor::zeros((2, 10, 3), DType::F32, &Device::Cpu)?;
/// assert_eq!(layer.forward_t(&sequences, false)?.dims(), &[2, 16]);
/// # Ok(()) }
/// ```
pub fn lstm(
    features: usize,
    units: usize,
    config: RecurrentConfig,
    vb: VarBuilder,
) -> Result<RecurrentModule> {
    recurrent("LSTM", Cell::Lstm, features, units, config, vb)
}

/// A simple RNN of `units` tanh neurons, hₜ = tanh(xₜ·W + hₜ₋₁·U + b), reading sequences
/// of `features`-long vectors over `vb` and returning the last hidden state (Keras:
/// `SimpleRNN(units)`); parameters as [`lstm`]'s with one gate, zero bias.
///
/// ```
/// use candle_core::{DType, Device, ModuleT, Tensor};
/// use candle_nn::{VarBuilder, VarMap};
/// use dlcourse::nn::{RecurrentConfig, simple_rnn};
/// # fn main() -> dlcourse::Result<()> {
/// let vars = VarMap::new();
/// let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
/// let layer = simple_rnn(3, 8, RecurrentConfig::default(), vb.pp("simplernn"))?;
/// let sequences = Tensor::zeros((2, 10, 3), DType::F32, &Device::Cpu)?;
/// assert_eq!(layer.forward_t(&sequences, false)?.dims(), &[2, 8]);
/// # Ok(()) }
/// ```
pub fn simple_rnn(
    features: usize,
    units: usize,
    config: RecurrentConfig,
    vb: VarBuilder,
) -> Result<RecurrentModule> {
    recurrent("SimpleRNN", Cell::SimpleRnn, features, units, config, vb)
}

/// What [`lstm`] and [`simple_rnn`] share: checks, parameters, Keras' initialisation
/// (applied only to parameters `vb` did not already hold, so loaded weights are kept).
fn recurrent(
    kind: &str,
    cell: Cell,
    features: usize,
    units: usize,
    config: RecurrentConfig,
    vb: VarBuilder,
) -> Result<RecurrentModule> {
    let context = format!("building a {kind} layer");
    check_rate(&context, "dropout rate", config.dropout)?;
    check_rate(&context, "recurrent_dropout rate", config.recurrent_dropout)?;
    if units == 0 || features == 0 {
        return Err(Error::shape(
            context,
            "at least one unit and one input feature",
            format!("{units} units, {features} features"),
            "pass the number of units, e.g. 128, and sequences of non-empty vectors",
        ));
    }
    let width = cell.gates() * units;
    let kernel = vb.get_with_hints((width, features), "kernel", glorot_uniform(features, width))?;
    let fresh_recurrent = !vb.contains_tensor("recurrent_kernel");
    let recurrent_kernel = vb.get_with_hints(
        (width, units),
        "recurrent_kernel",
        Init::Randn {
            mean: 0.0,
            stdev: 1.0,
        },
    )?;
    if fresh_recurrent {
        orthogonal_in_place(&recurrent_kernel)?;
    }
    let fresh_bias = !vb.contains_tensor("bias");
    let bias = vb.get_with_hints(width, "bias", Init::Const(0.0))?;
    if fresh_bias && cell == Cell::Lstm {
        let mut values = vec![0f32; width];
        values[units..2 * units].fill(1.0);
        let values = Tensor::from_vec(values, width, bias.device())?.to_dtype(bias.dtype())?;
        bias.slice_set(&values, 0, 0)?;
    }
    Ok(RecurrentModule {
        kernel,
        recurrent_kernel,
        bias,
        cell,
        input_dropout: DropoutModule::new(config.dropout, config.seed),
        recurrent_dropout: config.recurrent_dropout as f32,
        masks: Mutex::new(StdRng::seed_from_u64(config.seed ^ 0x005E_ED0F_4EC0)),
    })
}

/// An LSTM or simple RNN built by [`lstm`] or [`simple_rnn`]: reads `[batch, steps,
/// features]` sequences and returns the last hidden state, `[batch, units]`. A
/// [`ModuleT`]: dropout is active only with `train = true`. Parameters are stored as
/// candle-nn does (`[out, in]`).
#[derive(Debug)]
pub struct RecurrentModule {
    kernel: Tensor,
    recurrent_kernel: Tensor,
    bias: Tensor,
    cell: Cell,
    input_dropout: DropoutModule,
    recurrent_dropout: f32,
    /// Draws the seed of each batch's recurrent-dropout mask.
    masks: Mutex<StdRng>,
}

impl RecurrentModule {
    /// The input kernel, `[gates·units, features]`.
    pub fn kernel(&self) -> &Tensor {
        &self.kernel
    }

    /// The recurrent kernel, `[gates·units, units]`.
    pub fn recurrent_kernel(&self) -> &Tensor {
        &self.recurrent_kernel
    }

    /// The biases, `[gates·units]`.
    pub fn bias(&self) -> &Tensor {
        &self.bias
    }
}

impl ModuleT for RecurrentModule {
    fn forward_t(&self, xs: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let (n, steps, features) = xs.dims3()?;
        let width = self.cell.gates() * self.recurrent_kernel.dim(1)?;
        let projected = if train && self.input_dropout.rate() > 0.0 {
            // One mask per sequence, shared by all of its steps. With recurrent dropout,
            // Keras draws one per gate (its `implementation=1`), and so do we.
            let parts = Recurrence::new(self.cell)
                .recurrent_dropout(self.recurrent_dropout, 0)
                .parts();
            let part_width = width / parts;
            let ones = Tensor::ones((parts, n, 1, features), xs.dtype(), xs.device())?;
            let masks = self.input_dropout.forward_t(&ones, true)?;
            let products = (0..parts)
                .map(|g| {
                    let x = xs.broadcast_mul(&masks.get(g)?)?;
                    let kernel = self.kernel.narrow(0, g * part_width, part_width)?;
                    kernels::linear(&x.reshape((n * steps, features))?, &kernel)
                })
                .collect::<candle_core::Result<Vec<_>>>()?;
            Tensor::cat(&products, 1)?
        } else {
            kernels::linear(&xs.reshape((n * steps, features))?, &self.kernel)?
        };
        let projected = projected
            .broadcast_add(&self.bias)?
            .reshape((n, steps, width))?;
        let units = self.recurrent_kernel.dim(1)?;
        let initial = Tensor::zeros((self.cell.states(), n, units), xs.dtype(), xs.device())?;
        let mut config = Recurrence::new(self.cell);
        if train && self.recurrent_dropout > 0.0 {
            let seed = self.masks.lock().expect("never poisoned").random::<u64>();
            config = config.recurrent_dropout(self.recurrent_dropout, seed);
        }
        let hidden = kernels::recurrence(&projected, &self.recurrent_kernel, &initial, config)?;
        hidden.narrow(1, steps - 1, 1)?.squeeze(1)
    }
}
