//! The recurrent sentiment classifier of lesson 10.

use crate::keras::Sequential;
use crate::nn::{Activation, Dense, Embedding, Lstm};

/// Embedding(`vocabulary`, 128) → LSTM(128, dropout 0.2) → Dense(1, sigmoid) over
/// sequences of `length` word ids (the lesson: 20,000 words, the last 80 tokens).
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
        .add(Lstm::new(128).dropout(0.2))
        .add(Dense::new(1).activation(Activation::Sigmoid))
}
