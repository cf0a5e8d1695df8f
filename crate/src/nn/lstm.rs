//! `Lstm`: a long short-term memory layer that reads a sequence and returns its last
//! hidden state (Keras: `LSTM(units)` with `return_sequences=False`).

use crate::error::{Error, Result};
use crate::nn::dropout::DropoutModule;
use crate::nn::{BuildContext, BuiltLayer, LayerSpec, glorot_uniform};
use candle_core::{D, ModuleT, Tensor};
use candle_nn::Init;

/// An LSTM of `units` cells over sequences of vectors (samples of length × features).
///
/// Gates are ordered input, forget, cell, output, with one bias per gate as in Keras (so
/// `summary()` counts what Keras counts). The input projection of every time step is one
/// matrix product for the whole batch; only the recurrent product runs step by step.
#[derive(Debug, Clone, Copy)]
pub struct Lstm {
    units: usize,
    dropout: f64,
}

impl Lstm {
    /// An LSTM with `units` cells.
    pub fn new(units: usize) -> Self {
        Lstm {
            units,
            dropout: 0.0,
        }
    }

    /// Drops this fraction of the input features while training (Keras: `dropout=`),
    /// with one mask per sequence.
    pub fn dropout(mut self, rate: f64) -> Self {
        self.dropout = rate;
        self
    }
}

struct LstmModule {
    w_ih: Tensor,
    w_hh: Tensor,
    bias: Tensor,
    units: usize,
    dropout: DropoutModule,
}

impl ModuleT for LstmModule {
    fn forward_t(&self, xs: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let (n, steps, features) = xs.dims3()?;
        // One mask per sequence, shared by all of its steps.
        let mask = self.dropout.forward_t(
            &Tensor::ones((n, 1, features), xs.dtype(), xs.device())?,
            train,
        )?;
        let xs = xs.broadcast_mul(&mask)?;
        let gates_x = xs
            .reshape((n * steps, features))?
            .matmul(&self.w_ih.t()?)?
            .broadcast_add(&self.bias)?
            .reshape((n, steps, 4 * self.units))?;
        let mut h = Tensor::zeros((n, self.units), xs.dtype(), xs.device())?;
        let mut c = h.clone();
        let w_hh_t = self.w_hh.t()?;
        for step in 0..steps {
            let gates = (gates_x.narrow(1, step, 1)?.squeeze(1)? + h.matmul(&w_hh_t)?)?;
            let chunks = gates.chunk(4, D::Minus1)?;
            let input = candle_nn::ops::sigmoid(&chunks[0])?;
            let forget = candle_nn::ops::sigmoid(&chunks[1])?;
            let cell = chunks[2].tanh()?;
            let output = candle_nn::ops::sigmoid(&chunks[3])?;
            c = ((forget * &c)? + (input * cell)?)?;
            h = (output * c.tanh()?)?;
        }
        Ok(h)
    }
}

impl LayerSpec for Lstm {
    fn kind(&self) -> &'static str {
        "LSTM"
    }

    fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
        let [_, features] = *input_shape else {
            return Err(Error::shape(
                "building an LSTM layer",
                "sequences of vectors (length × features per sample)",
                format!("input shape {input_shape:?}"),
                "put an Embedding before the LSTM, or reshape to (length, features)",
            ));
        };
        let units = self.units;
        let w_ih = ctx.vb.get_with_hints(
            (4 * units, features),
            "kernel",
            glorot_uniform(features, 4 * units),
        )?;
        let w_hh = ctx.vb.get_with_hints(
            (4 * units, units),
            "recurrent_kernel",
            glorot_uniform(units, 4 * units),
        )?;
        let bias = ctx.vb.get_with_hints(4 * units, "bias", Init::Const(0.0))?;
        let module = LstmModule {
            w_ih,
            w_hh,
            bias,
            units,
            dropout: DropoutModule::new(self.dropout, ctx.seed),
        };
        Ok(BuiltLayer::new(module, vec![units]))
    }
}
