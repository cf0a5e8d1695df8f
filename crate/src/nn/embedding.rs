//! `Embedding`: a learned vector for every word id (Keras: `Embedding`).

use crate::error::{Error, Result};
use crate::nn::{BuildContext, BuiltLayer, LayerSpec};
use candle_core::DType;
use candle_nn::Init;

/// Maps each of `vocabulary` token ids to a learned vector of `dimensions` numbers.
/// Inputs are sequences of ids (u32); outputs are sequences of vectors.
#[derive(Debug, Clone, Copy)]
pub struct Embedding {
    vocabulary: usize,
    dimensions: usize,
}

impl Embedding {
    /// An embedding of `vocabulary` ids into `dimensions` numbers each.
    pub fn new(vocabulary: usize, dimensions: usize) -> Self {
        Embedding {
            vocabulary,
            dimensions,
        }
    }
}

impl LayerSpec for Embedding {
    fn kind(&self) -> &'static str {
        "Embedding"
    }

    fn input_dtype(&self) -> DType {
        DType::U32
    }

    fn build(&self, input_shape: &[usize], ctx: BuildContext) -> Result<BuiltLayer> {
        let [length] = *input_shape else {
            return Err(Error::shape(
                "building an Embedding layer",
                "sequences of token ids (one dimension per sample)",
                format!("input shape {input_shape:?}"),
                "pad or cut the sequences to one length first",
            ));
        };
        let table = ctx.vb.get_with_hints(
            (self.vocabulary, self.dimensions),
            "embeddings",
            Init::Uniform {
                lo: -0.05,
                up: 0.05,
            },
        )?;
        Ok(BuiltLayer::new(
            candle_nn::Embedding::new(table, self.dimensions),
            vec![length, self.dimensions],
        ))
    }
}
