//! Sentences with the probability a binary classifier gives each, and the words it could
//! not read: a table for trying a sentiment model on one's own sentences.

use crate::data::text::Vocabulary;
use crate::error::Result;
use crate::plot::html::{self, escape};
use crate::plot::input::{same_length, values};
use crate::plot::palette;
use candle_core::Tensor;
use std::fmt::Write as _;

/// One row per sentence: the sentence, the probability of the positive class as a number
/// and a bar, and the words outside the vocabulary (which the model reads as `<unk>`).
///
/// ```
/// # use candle_core::{Device, Tensor};
/// use dlcourse::data::text::Vocabulary;
/// let vocab = Vocabulary::fit(&["a good film", "a bad film"], 10);
/// let p = Tensor::new(&[[0.93f32], [0.08]], &Device::Cpu)?;
/// let table = dlcourse::plot::sentiments(&["A good film!", "A dreadful film."], &p, &vocab)?;
/// assert_eq!(table.probabilities(), [0.93f32 as f64, 0.08f32 as f64]);
/// assert!(table.to_html().contains("dreadful"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Sentiments {
    rows: Vec<(String, f64, Vec<String>)>,
}

/// `sentences` with their `probabilities` of being positive (`[n]` or `[n, 1]`, what
/// `model.predict` gives for a sigmoid output) and their words outside `vocab`.
pub fn sentiments<S: AsRef<str>>(
    sentences: &[S],
    probabilities: &Tensor,
    vocab: &Vocabulary,
) -> Result<Sentiments> {
    let p = values(probabilities)?;
    same_length(
        "showing sentiments",
        "probabilities",
        sentences.len(),
        p.len(),
    )?;
    let rows = sentences
        .iter()
        .zip(p)
        .map(|(s, p)| (s.as_ref().to_owned(), p, vocab.unknown_words(s.as_ref())))
        .collect();
    Ok(Sentiments { rows })
}

impl Sentiments {
    /// The probability of each sentence, in order.
    pub fn probabilities(&self) -> Vec<f64> {
        self.rows.iter().map(|r| r.1).collect()
    }

    /// The HTML table.
    pub fn to_html(&self) -> String {
        let (pos, neg) = (palette::color(2), palette::color(3));
        let mut html = String::from(
            "<table class=\"dataframe\">\n<thead><tr><th>sentence</th><th>P(positive)</th>\
             <th>words outside the vocabulary</th></tr></thead>\n<tbody>\n",
        );
        for (sentence, p, unknown) in &self.rows {
            let c = if *p >= 0.5 { pos } else { neg };
            let bar = format!(
                "<div style=\"width:120px;background:#eee\"><div style=\"width:{:.0}px;\
                 height:8px;background:rgb({},{},{})\"></div></div>",
                120.0 * p.clamp(0.0, 1.0),
                c.0,
                c.1,
                c.2
            );
            let unknown = match unknown.is_empty() {
                true => "—".to_owned(),
                false => escape(&unknown.join(", ")),
            };
            let _ = writeln!(
                html,
                "<tr><td style=\"text-align:left\">{}</td><td>{:.3}{bar}</td><td>{unknown}</td></tr>",
                escape(sentence),
                p
            );
        }
        html.push_str("</tbody>\n</table>");
        html
    }

    /// Shows the table inline in Jupyter (called by the evcxr kernel).
    pub fn evcxr_display(&self) {
        html::display(&self.to_html());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn one_row_per_sentence_and_a_count_mismatch_is_an_error() -> Result<()> {
        let vocab = Vocabulary::fit(&["good film"], 10);
        let p = Tensor::new(&[0.9f32, 0.2], &Device::Cpu)?;
        let html = sentiments(&["good film", "a <dull> film"], &p, &vocab)?.to_html();
        assert_eq!(html.matches("<tr>").count(), 3);
        assert!(html.contains("<td>—</td>") && html.contains("a, dull"));
        assert!(!html.contains("<dull>"));
        assert!(sentiments(&["one"], &p, &vocab).is_err());
        Ok(())
    }
}
