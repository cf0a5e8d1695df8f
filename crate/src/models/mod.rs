//! The course's models, each built the way its lesson describes, ready to `build`,
//! `compile` and `fit`. They are `Sequential` descriptions, so `summary()` shows their
//! layers and a learner can copy and change them.
//!
//! | model | lesson | parameters |
//! |---|---|---|
//! | [`mnist_mlp`] | 05 | 407,050 |
//! | [`mnist_cnn`] | 09 | 1,199,882 |
//! | [`sentiment_lstm`] | 10 | 2,691,713 (20,000 words, 128 dimensions) |
//! | [`sentiment_rnn`] | 10 | 2,593,025 (the same with a SimpleRNN) |

mod cnn;
mod mlp;
mod sentiment;

pub use cnn::mnist_cnn;
pub use mlp::mnist_mlp;
pub use sentiment::{sentiment_lstm, sentiment_rnn};
