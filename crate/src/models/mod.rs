//! The course's models, each built the way its lesson describes, ready to `build`,
//! `compile` and `fit`. They are `Sequential` descriptions, so `summary()` shows their
//! layers and a learner can copy and change them.
//!
//! | model | lesson | parameters |
//! |---|---|---|
//! | [`mnist_mlp`] | 05 | 407,050 |
//! | [`mnist_cnn`] | 09 | 1,199,882 |
//! | [`mnist_cnn_with_filters`] | 09 | 596,042 (16 and 32 filters) |
//! | [`sentiment_lstm`] | 10 | 2,691,713 (20,000 words, 128 dimensions) |
//! | [`sentiment_rnn`] | 10 | 2,593,025 (the same with a SimpleRNN) |
//! | [`mammogram_mlp`] | 14, 17 | 37 (4 features) |
//! | [`mobilenet_v1`] | 11 | 475,544, pretrained on ImageNet (loaded, not a `Sequential`) |
//! | [`Vae`] ([`vae_encoder`], [`vae_decoder`]) | 15 | 879,172 + 157,633 (latent dimension 2) |
//! | [`Gan`] ([`gan_generator`], [`gan_discriminator`]) | 16 | 2,263,553 + 699,137 (noise 150) |

mod cnn;
mod gan;
mod gan_training;
mod mammogram;
mod mlp;
#[cfg(feature = "datasets")]
mod mobilenet;
mod sentiment;
mod vae;
mod vae_training;

pub use cnn::{mnist_cnn, mnist_cnn_with_filters};
pub use gan::{
    ClassCoverage, Gan, LEAKY_SLOPE, NOISE_DIM, Noise, gan_discriminator,
    gan_discriminator_with_width, gan_generator, gan_generator_with_width, ring_discriminator,
    ring_generator, ring_points,
};
pub use gan_training::{DISCRIMINATOR_ACCURACY, DISCRIMINATOR_LOSS, GENERATOR_LOSS, gan_adam};
pub use mammogram::mammogram_mlp;
pub use mlp::mnist_mlp;
#[cfg(feature = "datasets")]
pub use mobilenet::{
    IMAGE_SIZE, IMAGENET_CLASSES_FILE, MOBILENET_WEIGHTS_FILE, MobileNet, TopLabels, mobilenet_v1,
};
pub use sentiment::{sentiment_lstm, sentiment_rnn};
pub use vae::{
    KL_WEIGHT, Vae, VaeLosses, kl_divergence, mean_pairwise_distance, nearest_centre_accuracy,
    sample_latent, vae_decoder, vae_encoder,
};
pub use vae_training::{KL_LOSS, RECONSTRUCTION_LOSS};
