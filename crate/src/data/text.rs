//! Text to integer sequences: a tokenizer, a vocabulary of the most frequent words, and
//! Keras-style padding.
//!
//! The tokenizer lower-cases, removes the `<br />` line breaks of the IMDB reviews, and
//! splits on everything that is not a letter or a digit. An apostrophe inside a word is
//! kept (`don't`, `rock'n'roll`); apostrophes at either end are dropped (`'hello'` →
//! `hello`). Numbers are words too: reviewers often end with their rating, and `7/10`
//! gives the tokens `7` and `10`. Punctuation separates words and is dropped.
//!
//! ```
//! use dlcourse::data::text::{Vocabulary, tokenize};
//! assert_eq!(tokenize("Don't<br />GO, 'now'!"), ["don't", "go", "now"]);
//! let vocab = Vocabulary::fit(&["a b b c", "b c"], 4); // ids 0 pad, 1 unknown, 2 "b", 3 "c"
//! assert_eq!(vocab.encode("b a c"), [2, 1, 3]);
//! assert_eq!(vocab.decode(&[0, 2, 1, 3]), "b <unk> c");
//! ```

use crate::error::Result;
use candle_core::{Device, Tensor};
use std::collections::HashMap;

/// Calls `f` with each token of `text` (see the module docs for the rules).
fn for_each_token(text: &str, mut f: impl FnMut(&str)) {
    let lower = text.to_lowercase();
    let clean = if lower.contains("<br") {
        lower
            .replace("<br />", " ")
            .replace("<br/>", " ")
            .replace("<br>", " ")
    } else {
        lower
    };
    for word in clean.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
        let word = word.trim_matches('\'');
        if !word.is_empty() {
            f(word);
        }
    }
}

/// The words of `text`, lower-cased (see the module docs for the rules).
///
/// ```
/// assert_eq!(dlcourse::data::text::tokenize("It's GREAT.<br /><br />10/10"), ["it's", "great", "10", "10"]);
/// ```
pub fn tokenize(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for_each_token(text, |w| words.push(w.to_owned()));
    words
}

/// The number of words of `text` ([`tokenize`]'s length, without building the words).
///
/// ```
/// assert_eq!(dlcourse::data::text::token_count("It's GREAT.<br /><br />10/10"), 4);
/// ```
pub fn token_count(text: &str) -> usize {
    let mut count = 0;
    for_each_token(text, |_| count += 1);
    count
}

/// A word ↔ id table: id 0 is padding, id 1 stands for every unknown word, and ids
/// 2, 3, … are the most frequent words of the texts it was fitted on, most frequent first
/// (equal counts in alphabetical order, so a fit is deterministic).
#[derive(Debug, Clone)]
pub struct Vocabulary {
    words: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Vocabulary {
    /// The padding id.
    pub const PAD: u32 = 0;
    /// The id of every word not in the vocabulary.
    pub const UNKNOWN: u32 = 1;

    /// The vocabulary of `texts` with `size` ids in all: the two reserved ones and the
    /// `size - 2` most frequent words (fewer when the texts have fewer distinct words).
    /// An `Embedding` over it needs `size` rows: every id is below `size`.
    ///
    /// ```
    /// let vocab = dlcourse::data::text::Vocabulary::fit(&["the cat", "the dog"], 3);
    /// assert_eq!(vocab.len(), 3);
    /// assert_eq!(vocab.word(2), Some("the"));
    /// ```
    pub fn fit<S: AsRef<str>>(texts: &[S], size: usize) -> Self {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for text in texts {
            for_each_token(text.as_ref(), |w| match counts.get_mut(w) {
                Some(c) => *c += 1,
                None => {
                    counts.insert(w.to_owned(), 1);
                }
            });
        }
        let mut ranked: Vec<(String, u64)> = counts.into_iter().collect();
        ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(size.saturating_sub(2));
        let words: Vec<String> = ["<pad>".to_owned(), "<unk>".to_owned()]
            .into_iter()
            .chain(ranked.into_iter().map(|(w, _)| w))
            .collect();
        let ids = words
            .iter()
            .enumerate()
            .skip(2)
            .map(|(i, w)| (w.clone(), i as u32))
            .collect();
        Vocabulary { words, ids }
    }

    /// Number of ids, the two reserved ones included.
    ///
    /// ```
    /// assert_eq!(dlcourse::data::text::Vocabulary::fit(&["a b"], 100).len(), 4);
    /// ```
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary holds no word (only the two reserved ids).
    ///
    /// ```
    /// assert!(dlcourse::data::text::Vocabulary::fit(&[""], 10).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.words.len() <= 2
    }

    /// The id of `word` (lower-case), or [`Vocabulary::UNKNOWN`].
    ///
    /// ```
    /// use dlcourse::data::text::Vocabulary;
    /// let vocab = Vocabulary::fit(&["good film"], 10);
    /// assert_eq!(vocab.id("zebra"), Vocabulary::UNKNOWN);
    /// ```
    pub fn id(&self, word: &str) -> u32 {
        self.ids.get(word).copied().unwrap_or(Self::UNKNOWN)
    }

    /// The word with id `id` (`"<pad>"` and `"<unk>"` for the reserved ones).
    ///
    /// ```
    /// let vocab = dlcourse::data::text::Vocabulary::fit(&["good film"], 10);
    /// assert_eq!(vocab.word(1), Some("<unk>"));
    /// ```
    pub fn word(&self, id: u32) -> Option<&str> {
        self.words.get(id as usize).map(String::as_str)
    }

    /// The ids of the words of `text`, unknown words as [`Vocabulary::UNKNOWN`].
    ///
    /// ```
    /// let vocab = dlcourse::data::text::Vocabulary::fit(&["good good film"], 10);
    /// assert_eq!(vocab.encode("Good awful film"), [2, 1, 3]);
    /// ```
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        for_each_token(text, |w| ids.push(self.id(w)));
        ids
    }

    /// The words of `text` that are not in the vocabulary (each once, in order of first
    /// appearance): the words a model reads as `<unk>`.
    ///
    /// ```
    /// let vocab = dlcourse::data::text::Vocabulary::fit(&["a good film"], 10);
    /// assert_eq!(vocab.unknown_words("A splendid, splendid and good film"), ["splendid", "and"]);
    /// ```
    pub fn unknown_words(&self, text: &str) -> Vec<String> {
        let mut unknown: Vec<String> = Vec::new();
        for_each_token(text, |w| {
            if !self.ids.contains_key(w) && !unknown.iter().any(|u| u == w) {
                unknown.push(w.to_owned());
            }
        });
        unknown
    }

    /// The words of `ids` joined by spaces; padding is skipped, unknown ids read `<unk>`.
    ///
    /// ```
    /// let vocab = dlcourse::data::text::Vocabulary::fit(&["good film"], 10);
    /// assert_eq!(vocab.decode(&[0, 0, 3, 2, 99]), "good film <unk>");
    /// ```
    pub fn decode(&self, ids: &[u32]) -> String {
        ids.iter()
            .filter(|&&id| id != Self::PAD)
            .map(|&id| self.word(id).unwrap_or("<unk>"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Every text encoded and cut or padded to `len` ids (see [`pad`]): a `u32` tensor
    /// of shape `[texts.len(), len]`, ready for an embedding layer.
    ///
    /// ```
    /// let vocab = dlcourse::data::text::Vocabulary::fit(&["good good film"], 10);
    /// let x = vocab.encode_batch(&["good", "a good good film"], 3)?;
    /// assert_eq!(x.to_vec2::<u32>()?, [[0, 0, 2], [2, 2, 3]]);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn encode_batch<S: AsRef<str>>(&self, texts: &[S], len: usize) -> Result<Tensor> {
        let mut ids = Vec::with_capacity(texts.len() * len);
        for text in texts {
            ids.extend(pad(&self.encode(text.as_ref()), len));
        }
        Ok(Tensor::from_vec(ids, (texts.len(), len), &Device::Cpu)?)
    }
}

/// `ids` cut or padded to exactly `len`, as Keras' `pad_sequences` does by default: a
/// long sequence keeps its LAST `len` ids, a short one gets padding ids (0) in front.
///
/// ```
/// use dlcourse::data::text::pad;
/// assert_eq!(pad(&[5, 6, 7, 8], 2), [7, 8]);
/// assert_eq!(pad(&[5, 6], 4), [0, 0, 5, 6]);
/// ```
pub fn pad(ids: &[u32], len: usize) -> Vec<u32> {
    let keep = &ids[ids.len().saturating_sub(len)..];
    let mut out = vec![Vocabulary::PAD; len - keep.len()];
    out.extend_from_slice(keep);
    out
}

/// Sequences cut or padded to `len` (see [`pad`]), as a `u32` tensor `[n, len]`.
///
/// ```
/// let x = dlcourse::data::text::pad_sequences(&[vec![1, 2, 3], vec![4]], 2)?;
/// assert_eq!(x.to_vec2::<u32>()?, [[2, 3], [0, 4]]);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn pad_sequences(sequences: &[Vec<u32>], len: usize) -> Result<Tensor> {
    let flat: Vec<u32> = sequences.iter().flat_map(|s| pad(s, len)).collect();
    Ok(Tensor::from_vec(
        flat,
        (sequences.len(), len),
        &Device::Cpu,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_are_broken_alphabetically_and_reserved_ids_come_first() {
        let vocab = Vocabulary::fit(&["zeta alpha beta", "beta"], 10);
        assert_eq!(vocab.decode(&[2, 3, 4]), "beta alpha zeta");
        assert_eq!(vocab.len(), 5);
        assert_eq!(vocab.word(0), Some("<pad>"));
        assert_eq!(vocab.id("<unk>"), Vocabulary::UNKNOWN);
    }

    #[test]
    fn tokenizer_keeps_inner_apostrophes_and_numbers() {
        assert_eq!(
            tokenize("Rock'n'Roll isn't 'dead'... 42x<BR />Ünïcode"),
            ["rock'n'roll", "isn't", "dead", "42x", "ünïcode"]
        );
    }
}
