//! `Sequential`: a stack of layers, each feeding the next.

use crate::error::{Error, Result};
use crate::keras::model::{Layer, Model};
use crate::nn::{Activation, BuildContext, LayerSpec, SeededVarMap};
use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};

/// A description of a model as a stack of layers; [`Sequential::build`] creates its
/// parameters (Keras creates them on first use; here it is explicit).
///
/// ```
/// use dlcourse::prelude::*;
/// # fn main() -> dlcourse::Result<()> {
/// let model = Sequential::new(&[784])
///     .add(Dense::new(512).activation(Activation::Relu))
///     .add(Dense::new(10).activation(Activation::Softmax))
///     .build(&Device::Cpu, 42)?;
/// assert_eq!(model.summary().total_params(), 407_050);
/// # Ok(()) }
/// ```
pub struct Sequential {
    input_shape: Vec<usize>,
    specs: Vec<Box<dyn LayerSpec>>,
}

impl Sequential {
    /// An empty stack for samples of `input_shape` (without the batch dimension).
    pub fn new(input_shape: &[usize]) -> Self {
        Sequential {
            input_shape: input_shape.to_vec(),
            specs: Vec::new(),
        }
    }

    /// Adds a layer on top.
    #[allow(clippy::should_implement_trait)]
    pub fn add(mut self, layer: impl LayerSpec + 'static) -> Self {
        self.specs.push(Box::new(layer));
        self
    }

    /// Creates every layer's parameters on `device`, drawn from `seed`: the same seed
    /// gives the same initial weights, the same shuffling and the same training run.
    pub fn build(mut self, device: &Device, seed: u64) -> Result<Model> {
        if self.specs.is_empty() {
            return Err(Error::Usage(
                "building a Sequential model with no layers — add at least one, \
                 e.g. .add(Dense::new(1))"
                    .into(),
            ));
        }
        if self.input_shape.is_empty() || self.input_shape.contains(&0) {
            return Err(Error::shape(
                "building a Sequential model",
                "an input shape of positive sizes (one sample, without the batch dimension)",
                format!("{:?}", self.input_shape),
                "pass the shape of one sample, e.g. Sequential::new(&[784]) or &[1, 28, 28]",
            ));
        }
        let input_dtype = self.specs[0].input_dtype();
        let output_activation = self
            .specs
            .last_mut()
            .and_then(|spec| spec.take_output_activation())
            .unwrap_or(Activation::Linear);
        let vars = VarMap::new();
        let seeded = SeededVarMap::new(vars.clone(), seed);
        let vb = VarBuilder::from_backend(Box::new(seeded), DType::F32, device.clone());
        let mut shape = self.input_shape.clone();
        let mut layers = Vec::with_capacity(self.specs.len());
        let mut counts = std::collections::HashMap::new();
        let mut l2 = crate::train::L2Penalty::new();
        for spec in &self.specs {
            let kind = spec.kind();
            let seen = counts.entry(kind).or_insert(0usize);
            let name = match *seen {
                0 => kind.to_ascii_lowercase(),
                n => format!("{}_{n}", kind.to_ascii_lowercase()),
            };
            *seen += 1;
            let ctx = BuildContext {
                vb: vb.pp(&name),
                seed: seed
                    .wrapping_add(1 + layers.len() as u64)
                    .wrapping_mul(0x9e37_79b9_7f4a_7c15),
            };
            let built = spec.build(&shape, ctx).map_err(|err| match err {
                Error::Shape {
                    context,
                    expected,
                    found,
                    fix,
                } => Error::Shape {
                    context: format!(
                        "{context} `{name}` (layer {} of the model)",
                        layers.len() + 1
                    ),
                    expected,
                    found,
                    fix,
                },
                other => other,
            })?;
            if built.output_shape.contains(&0) {
                return Err(Error::shape(
                    format!(
                        "building layer `{name}` ({kind}, layer {} of the model)",
                        layers.len() + 1
                    ),
                    "an output with at least one unit, filter or position in every dimension",
                    format!(
                        "output shape {:?} from input shape {shape:?}",
                        built.output_shape
                    ),
                    "give the layer at least one unit or filter, and a window no larger \
                     than its input",
                ));
            }
            let params = count_params(&vars, &name);
            for (param, factor) in spec.l2_penalties() {
                l2.add(layer_var(&vars, &name, param)?, factor);
            }
            shape = built.output_shape.clone();
            layers.push(Layer {
                name,
                kind,
                output_shape: built.output_shape,
                params,
                module: built.module,
                trainable: true,
            });
        }
        let mut model = Model::new(
            layers,
            self.input_shape,
            input_dtype,
            output_activation,
            vars,
            device.clone(),
            seed,
        );
        model.l2 = l2;
        Ok(model)
    }
}

/// The parameter `param` of layer `layer`, for a penalty the layer asked for.
fn layer_var(vars: &VarMap, layer: &str, param: &str) -> Result<candle_core::Var> {
    let data = vars.data().lock().expect("the var map is never poisoned");
    let name = format!("{layer}.{param}");
    data.get(&name).cloned().ok_or_else(|| {
        Error::Usage(format!(
            "layer `{layer}` asked for an L2 penalty on `{param}`, a parameter it did not \
             create — a LayerSpec's l2_penalties must name its own parameters"
        ))
    })
}

fn count_params(vars: &VarMap, layer: &str) -> usize {
    let prefix = format!("{layer}.");
    let data = vars.data().lock().expect("the var map is never poisoned");
    data.iter()
        .filter(|(name, _)| name.starts_with(&prefix))
        .map(|(_, var)| var.elem_count())
        .sum()
}
