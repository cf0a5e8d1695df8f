//! `Embedding`: a learned vector for every word id (Keras: `Embedding`).

use crate::error::{Error, Result};
use crate::nn::{BuildContext, BuiltLayer, LayerSpec};
use candle_core::DType;
use candle_nn::{Init, VarBuilder};

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

/// An embedding of `vocabulary` token ids into `dimensions` numbers each over `vb`
/// (candle-nn: `embedding(vocabulary, dimensions, vb)`), initialised as Keras does
/// (uniform in ±0.05) into `embeddings`, the name [`Embedding`] uses in a `Sequential`.
/// Returns candle-nn's own module (a table lookup needs no faster kernel); inputs are u32
/// ids of any shape.
///
/// ```
/// use candle_core::{DType, Device, Module, Tensor};
/// use candle_nn::{VarBuilder, VarMap};
/// use dlcourse::nn::embedding;
/// # fn main() -> dlcourse::Result<()> {
/// let vars = VarMap::new();
/// let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
/// let words = embedding(1000, 16, vb.pp("embedding"))?;
/// let ids = Tensor::new(&[[1u32, 5, 7], [2, 0, 999]], &Device::Cpu)?;
/// assert_eq!(words.forward(&ids)?.dims(), &[2, 3, 16]);
/// # Ok(()) }
/// ```
pub fn embedding(
    vocabulary: usize,
    dimensions: usize,
    vb: VarBuilder,
) -> Result<candle_nn::Embedding> {
    if vocabulary == 0 || dimensions == 0 {
        return Err(Error::shape(
            "building an Embedding layer",
            "a vocabulary of at least one id and at least one dimension",
            format!("vocabulary {vocabulary}, {dimensions} dimensions"),
            "pass the number of distinct token ids and the vector size, e.g. (10000, 32)",
        ));
    }
    let table = vb.get_with_hints(
        (vocabulary, dimensions),
        "embeddings",
        Init::Uniform {
            lo: -0.05,
            up: 0.05,
        },
    )?;
    Ok(candle_nn::Embedding::new(table, dimensions))
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
        Ok(BuiltLayer::new(
            embedding(self.vocabulary, self.dimensions, ctx.vb)?,
            vec![length, self.dimensions],
        ))
    }
}
