//! Pictures of a training [`History`].

use crate::plot::{Curves, Figure, Panels};
use crate::train::{History, Split};

impl History {
    /// The loss (and each metric) per epoch, training next to validation when present.
    pub fn plot(&self) -> Figure<Panels> {
        let mut panels = Vec::new();
        for key in self.keys().filter(|k| k.split == Split::Training) {
            let name = key.quantity.name();
            let title = if name == "loss" { "Loss" } else { name };
            let mut curves = Curves::new(title).x_label("epoch").y_label(name);
            curves = curves.line(&format!("training {name}"), self.get(key).unwrap_or(&[]));
            if let Some(val) = self.get(&key.clone().validation()) {
                curves = curves.line(&format!("validation {name}"), val);
            }
            panels.push(curves);
        }
        Panels::new(panels).figure()
    }

    /// Shows the curves inline in Jupyter.
    pub fn evcxr_display(&self) {
        self.plot().evcxr_display()
    }
}
