//! `model.summary()`: the Keras table of layers, output shapes and parameter counts.

use crate::keras::Model;
use std::fmt;

/// The layer table of a model. Prints like Keras' `model.summary()`.
#[derive(Debug, Clone)]
pub struct Summary {
    rows: Vec<(String, String, usize)>,
    /// Whether each row's layer is trainable (see [`Model::freeze_until`]).
    trainable: Vec<bool>,
}

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
        }
    }
}

impl Summary {
    /// Total number of parameters.
    pub fn total_params(&self) -> usize {
        self.rows.iter().map(|r| r.2).sum()
    }

    /// Parameters of the trainable layers (those not frozen).
    pub fn trainable_params(&self) -> usize {
        let rows = self.rows.iter().zip(&self.trainable);
        rows.filter(|(_, t)| **t).map(|(r, _)| r.2).sum()
    }

    /// Parameters of the frozen layers, which `fit` leaves as they are.
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
        if i > 0 && (digits.len() - i) % 3 == 0 {
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
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(407050), "407,050");
        assert_eq!(super::thousands(2), "2");
        assert_eq!(super::thousands(1000), "1,000");
    }
}
