//! Several models' cross-validated scores side by side: a table and a bar chart.

use super::folds::Score;
use crate::error::{Error, Result};
use crate::plot::{Bars, Figure, Table, table};
use polars::prelude::{Column, DataFrame};

/// Models scored on the same folds, in the order given: [`Comparison::frame`] tabulates
/// their means and spreads, [`Comparison::plot`] draws them with error bars.
///
/// ```
/// use dlcourse::classic::{Classifier, Comparison, Folds};
/// use candle_core::{Device, Tensor};
/// let x = Tensor::arange(0f32, 24., &Device::Cpu)?.reshape((24, 1))?;
/// let y = x.ge(12f32)?; // class 0 for 0..12, 1 for 12..24
/// let folds = Folds::new(24, 4, 0)?;
/// let table = Comparison::new(folds.classics(&Classifier::ALL, &x, &y)?)?;
/// assert_eq!(table.frame()?.height(), 7);
/// assert!(table.plot().to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Comparison {
    rows: Vec<Score>,
}

impl Comparison {
    /// The scores as one comparison. They must have been scored on the same folds
    /// (through one [`Folds`](super::Folds)); otherwise their numbers are not
    /// comparable and this is an error naming the first row that differs.
    pub fn new(rows: Vec<Score>) -> Result<Self> {
        if let Some(first) = rows.first()
            && let Some(other) = rows.iter().find(|r| r.folds != first.folds)
        {
            return Err(Error::Usage(format!(
                "comparing models: {:?} was scored on other folds than {:?} — score every \
                 model through the same Folds value",
                other.name, first.name
            )));
        }
        Ok(Comparison { rows })
    }

    /// The scores, in order.
    pub fn rows(&self) -> &[Score] {
        &self.rows
    }

    /// The best mean accuracy, or `None` for an empty comparison.
    pub fn best(&self) -> Option<&Score> {
        self.rows
            .iter()
            .max_by(|a, b| a.mean().total_cmp(&b.mean()))
    }

    /// One row per model: `model`, `kind` (`neural net` or the classic model's
    /// [`kind`](super::Classifier::kind)), and the `mean %`, `std %`, `lowest %` and
    /// `highest %` of its fold accuracies, rounded to a tenth of a percent.
    pub fn frame(&self) -> Result<DataFrame> {
        let percent = |f: &dyn Fn(&Score) -> f64| -> Vec<f64> {
            let round = |v: f64| (1000.0 * v).round() / 10.0;
            self.rows.iter().map(|r| round(f(r))).collect()
        };
        let low = |r: &Score| r.cv.scores.iter().copied().fold(f64::INFINITY, f64::min);
        let high = |r: &Score| {
            r.cv.scores
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
        };
        let names: Vec<&str> = self.rows.iter().map(|r| r.name.as_str()).collect();
        let kinds: Vec<&str> = self
            .rows
            .iter()
            .map(|r| r.classifier.map_or("neural net", |c| c.kind()))
            .collect();
        let columns = vec![
            Column::new("model".into(), names),
            Column::new("kind".into(), kinds),
            Column::new("mean %".into(), percent(&Score::mean)),
            Column::new("std %".into(), percent(&Score::std)),
            Column::new("lowest %".into(), percent(&low)),
            Column::new("highest %".into(), percent(&high)),
        ];
        DataFrame::new(self.rows.len(), columns)
            .map_err(|e| Error::Usage(format!("tabulating the comparison: {e}")))
    }

    /// [`Comparison::frame`] as a table that shows inline.
    pub fn table(&self) -> Result<Table> {
        Ok(table(&self.frame()?).rows(self.rows.len()))
    }

    /// Each model's mean accuracy as a bar, its standard deviation over the folds as an
    /// error bar, the best highlighted.
    pub fn plot(&self) -> Figure<Bars> {
        let names: Vec<&str> = self.rows.iter().map(|r| r.name.as_str()).collect();
        let means: Vec<f64> = self.rows.iter().map(Score::mean).collect();
        let spreads: Vec<f64> = self.rows.iter().map(Score::std).collect();
        let k = self.rows.first().map_or(0, |r| r.cv.scores.len());
        Bars::new(&names, &means)
            .errors(&spreads)
            .title(&format!("mean {k}-fold accuracy ± one standard deviation"))
            .figure()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Classifier, Folds};
    use super::*;
    use candle_core::{Device, Tensor};

    #[test]
    fn rows_from_other_folds_are_refused() -> Result<()> {
        let x = Tensor::new(&[[0f32], [1.], [2.], [3.], [10.], [11.]], &Device::Cpu)?;
        let y = Tensor::new(&[0u32, 0, 0, 1, 1, 1], &Device::Cpu)?;
        let a = Folds::new(6, 3, 0)?.classic(Classifier::DecisionTree, &x, &y)?;
        let b = Folds::new(6, 3, 1)?.classic(Classifier::NaiveBayes, &x, &y)?;
        let err = Comparison::new(vec![a.clone(), b]).unwrap_err().to_string();
        assert!(
            err.contains("naive Bayes") && err.contains("other folds"),
            "{err}"
        );
        let one = Comparison::new(vec![a])?;
        let frame = one.frame()?;
        assert_eq!(frame.width(), 6);
        let kind = frame.column("kind").and_then(|c| c.str().cloned()).unwrap();
        assert_eq!(kind.get(0), Some("decision tree"));
        assert_eq!(one.best().map(|s| s.name.as_str()), Some("decision tree"));
        Ok(())
    }
}
