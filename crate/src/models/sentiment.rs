//! The recurrent sentiment classifiers of lesson 10.

use crate::keras::Sequential;
use crate::nn::{Activation, Dense, Embedding, Lstm, SimpleRnn};

/// Embedding(`vocabulary`, 128) → LSTM(128, dropout 0.2, recurrent dropout 0.2) →
/// Dense(1, sigmoid) over sequences of `length` word ids (the lesson: 20,000 words, the
/// last 80 tokens), as in the Keras IMDB example the lecture follows.
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let model = dlcourse::models::sentiment_lstm(20_000, 80).build(&candle_core::Device::Cpu, 0)?;
/// assert_eq!(model.summary().total_params(), 2_691_713);
/// # Ok(()) }
/// ```
pub fn sentiment_lstm(vocabulary: usize, length: usize) -> Sequential {
    Sequential::new(&[length])
        .add(Embedding::new(vocabulary, 128))
        .add(Lstm::new(128).dropout(0.2).recurrent_dropout(0.2))
        .add(Dense::new(1).activation(Activation::Sigmoid))
}

/// [`sentiment_lstm`] with a plain recurrent layer (SimpleRNN(128), same dropouts) in
/// place of the LSTM: the comparison lesson 10 draws.
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let model = dlcourse::models::sentiment_rnn(20_000, 80).build(&candle_core::Device::Cpu, 0)?;
/// assert_eq!(model.summary().total_params(), 20_000 * 128 + 128 * 128 + 128 * 128 + 128 + 129);
/// # Ok(()) }
/// ```
pub fn sentiment_rnn(vocabulary: usize, length: usize) -> Sequential {
    Sequential::new(&[length])
        .add(Embedding::new(vocabulary, 128))
        .add(SimpleRnn::new(128).dropout(0.2).recurrent_dropout(0.2))
        .add(Dense::new(1).activation(Activation::Sigmoid))
}
