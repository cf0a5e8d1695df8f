//! Recurrent layers that read a sequence and return its last hidden state (Keras:
//! `LSTM(units)` and `SimpleRNN(units)` with `return_sequences=False`), trained through
//! the fused [`recurrence`](crate::kernels::recurrence) op.

use crate::error::{Error, Result};
use crate::kernels::{self, Cell, Recurrence};
use crate::nn::dropout::DropoutModule;
use crate::nn::{BuildContext, BuiltLayer, LayerSpec, glorot_uniform, orthogonal_in_place};
use candle_core::{ModuleT, Tensor};
use candle_nn::Init;
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
            /// `dropout=`), with one mask per sequence shared by all of its steps.
            pub fn dropout(mut self, rate: f64) -> Self {
                self.0.dropout = rate;
                self
            }

            /// Drops this fraction of the hidden state before each recurrent product
            /// while training (Keras: `recurrent_dropout=`), one mask per sequence.
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
        for (name, rate) in [
            ("dropout", self.dropout),
            ("recurrent_dropout", self.recurrent_dropout),
        ] {
            if !(0.0..1.0).contains(&rate) {
                return Err(Error::shape(
                    format!("building a {kind} layer"),
                    format!("a {name} rate in [0, 1)"),
                    rate.to_string(),
                    "pass the fraction to drop, e.g. 0.2",
                ));
            }
        }
        if self.units == 0 {
            return Err(Error::shape(
                format!("building a {kind} layer"),
                "at least one unit",
                "0 units",
                "pass the number of units, e.g. 128",
            ));
        }
        let (units, width) = (self.units, self.cell.gates() * self.units);
        let kernel =
            ctx.vb
                .get_with_hints((width, features), "kernel", glorot_uniform(features, width))?;
        let recurrent_kernel = ctx.vb.get_with_hints(
            (width, units),
            "recurrent_kernel",
            Init::Randn {
                mean: 0.0,
                stdev: 1.0,
            },
        )?;
        orthogonal_in_place(&recurrent_kernel)?;
        let mut bias = vec![0f32; width];
        if self.cell == Cell::Lstm {
            bias[units..2 * units].fill(1.0);
        }
        let bias_init = ctx.vb.get_with_hints(width, "bias", Init::Const(0.0))?;
        bias_init.slice_set(&Tensor::from_vec(bias, width, bias_init.device())?, 0, 0)?;
        let module = RecurrentModule {
            kernel,
            recurrent_kernel,
            bias: bias_init,
            cell: self.cell,
            input_dropout: DropoutModule::new(self.dropout, ctx.seed),
            recurrent_dropout: self.recurrent_dropout as f32,
            masks: Mutex::new(StdRng::seed_from_u64(ctx.seed ^ 0x005E_ED0F_4EC0)),
        };
        Ok(BuiltLayer::new(module, vec![units]))
    }
}

/// The built layer: parameters stored as candle-nn does (`[out, in]`).
struct RecurrentModule {
    kernel: Tensor,
    recurrent_kernel: Tensor,
    bias: Tensor,
    cell: Cell,
    input_dropout: DropoutModule,
    recurrent_dropout: f32,
    /// Draws the seed of each batch's recurrent-dropout mask.
    masks: Mutex<StdRng>,
}

impl ModuleT for RecurrentModule {
    fn forward_t(&self, xs: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let (n, steps, features) = xs.dims3()?;
        let xs = if train {
            // One mask per sequence, shared by all of its steps.
            let ones = Tensor::ones((n, 1, features), xs.dtype(), xs.device())?;
            xs.broadcast_mul(&self.input_dropout.forward_t(&ones, true)?)?
        } else {
            xs.clone()
        };
        let width = self.cell.gates() * self.recurrent_kernel.dim(1)?;
        let projected = kernels::linear(&xs.reshape((n * steps, features))?, &self.kernel)?
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
