//! `model.summary()`: the Keras table of layers, output shapes and parameter counts.

use crate::keras::Model;
use std::fmt;

/// The layer table of a model. Prints like Keras' `model.summary()`.
#[derive(Debug, Clone)]
pub struct Summary {
    rows: Vec<(String, String, usize)>,
    /// Whether each row's layer is trainable (see [`Model::freeze_until`]).
    trainable: Vec<bool>,
    /// Parameters of each layer that no gradient updates: a BatchNorm's running mean
    /// and variance (Keras counts them as non-trainable too).
    statistics: Vec<usize>,
}

/// The names of parameters that are running statistics, not weights.
const STATISTICS: [&str; 2] = ["running_mean", "running_var"];

impl Model {
    /// The Keras-style table of layers, output shapes and parameter counts.
    pub fn summary(&self) -> Summary {
        Summary {
            rows: self
                .layers
                .iter()
                .map(|l| {
                    let mut shape = vec!["None".to_string()];
                    shape.extend(l.output_shape.iter().map(|d| d.to_string()));
                    (
                        format!("{} ({})", l.name, l.kind),
                        format!("({})", shape.join(", ")),
                        l.params,
                    )
                })
                .collect(),
            trainable: self.trainable_layers(),
            statistics: self
                .layers
                .iter()
                .map(|l| self.statistics(&l.name))
                .collect(),
        }
    }

    /// How many of layer `layer`'s parameters are running statistics.
    fn statistics(&self, layer: &str) -> usize {
        let data = self
            .vars
            .data()
            .lock()
            .expect("the var map is never poisoned");
        data.iter()
            .filter(|(name, _)| {
                name.strip_prefix(layer)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .is_some_and(|param| STATISTICS.contains(&param))
            })
            .map(|(_, var)| var.elem_count())
            .sum()
    }
}

impl Summary {
    /// Total number of parameters.
    pub fn total_params(&self) -> usize {
        self.rows.iter().map(|r| r.2).sum()
    }

    /// Parameters the optimiser updates: those of the trainable layers (not frozen),
    /// without running statistics.
    pub fn trainable_params(&self) -> usize {
        let rows = self.rows.iter().zip(&self.trainable).zip(&self.statistics);
        rows.filter(|((_, t), _)| **t)
            .map(|((r, _), s)| r.2 - s)
            .sum()
    }

    /// Parameters `fit` does not train: those of the frozen layers, and the running
    /// statistics of BatchNorm layers (updated by the batches, not by gradients).
    pub fn non_trainable_params(&self) -> usize {
        self.total_params() - self.trainable_params()
    }

    /// Parameters per layer, in order.
    pub fn layer_params(&self) -> Vec<usize> {
        self.rows.iter().map(|r| r.2).collect()
    }

    /// Shows the table as text in Jupyter.
    pub fn evcxr_display(&self) {
        println!("EVCXR_BEGIN_CONTENT text/plain\n{self}\nEVCXR_END_CONTENT");
    }
}

/// 407050 → "407,050".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w0 = self
            .rows
            .iter()
            .map(|r| r.0.len())
            .max()
            .unwrap_or(0)
            .max(12);
        let w1 = self
            .rows
            .iter()
            .map(|r| r.1.len())
            .max()
            .unwrap_or(0)
            .max(12);
        let w2 = 11;
        let rule = |c: char| c.to_string().repeat(w0 + w1 + w2 + 6);
        writeln!(f, "Model: \"sequential\"")?;
        writeln!(f, "{}", rule('━'))?;
        writeln!(
            f,
            "{:<w0$}   {:<w1$}   {:>w2$}",
            "Layer (type)", "Output Shape", "Param #"
        )?;
        writeln!(f, "{}", rule('━'))?;
        for (name, shape, params) in &self.rows {
            writeln!(
                f,
                "{name:<w0$}   {shape:<w1$}   {:>w2$}",
                thousands(*params)
            )?;
        }
        writeln!(f, "{}", rule('━'))?;
        let total = thousands(self.total_params());
        writeln!(f, " Total params: {total}")?;
        writeln!(
            f,
            " Trainable params: {}",
            thousands(self.trainable_params())
        )?;
        write!(
            f,
            " Non-trainable params: {}",
            thousands(self.non_trainable_params())
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn batch_norm_statistics_are_not_trainable() -> Result<()> {
        // Keras: Dense(4) on 3 inputs has 16 parameters; BatchNormalization of 4
        // features has 16, 8 trainable (gamma, beta) and 8 not (moving mean, variance).
        let mut model = Sequential::new(&[3])
            .add(Dense::new(4))
            .add(BatchNorm)
            .add(Dense::new(2))
            .build(&Device::Cpu, 0)?;
        let summary = model.summary();
        assert_eq!(summary.total_params(), 16 + 16 + 10);
        assert_eq!(summary.trainable_params(), 16 + 8 + 10);
        assert_eq!(summary.non_trainable_params(), 8);
        assert!(summary.to_string().contains("Non-trainable params: 8"));
        model.freeze_until(2)?;
        assert_eq!(model.summary().trainable_params(), 10);
        assert_eq!(model.summary().non_trainable_params(), 32);
        Ok(())
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(407050), "407,050");
        assert_eq!(super::thousands(2), "2");
        assert_eq!(super::thousands(1000), "1,000");
    }
}
