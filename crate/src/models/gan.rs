//! Lesson 16's generative adversarial network: a generator that draws an image (or a
//! point) from random noise, and a discriminator that tells real samples from drawn ones.
//! Training ([`Gan::fit`], `gan_training.rs`) plays them against each other; the losses
//! are here, and so is [`ClassCoverage`], which measures how many kinds of clothing the
//! generator draws well enough for a classifier to be sure of them.

use crate::error::{Error, Result};
use crate::keras::{Model, Sequential};
use crate::models::vae::check_unit_images;
use crate::nn::{Activation, Conv2d, ConvTranspose2d, Dense, Dropout, Flatten, Padding, Reshape};
use crate::train::Loss;
use candle_core::{DType, Device, Tensor, Var};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The course's noise dimension: the generator draws an image from 150 random numbers.
pub const NOISE_DIM: usize = 150;

/// The slope of the LeakyReLU units for negative inputs (Keras' `LeakyReLU(0.2)`).
pub const LEAKY_SLOPE: f64 = 0.2;

const LEAKY: Activation = Activation::LeakyRelu(LEAKY_SLOPE);

/// The course's generator from `noise` random numbers: Dense(7·7·256, LeakyReLU) →
/// Reshape 256×7×7 → Conv2DTranspose(128, 3×3, stride 2, same, LeakyReLU) →
/// Conv2DTranspose(64, 3×3, stride 2, same, LeakyReLU) → Conv2DTranspose(1, 3×3, same,
/// sigmoid): a 1×28×28 image in 0..1.
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let generator = dlcourse::models::gan_generator(150).build(&candle_core::Device::Cpu, 0)?;
/// // 150·12544 + 12544, 256·128·9 + 128, 128·64·9 + 64, 64·9 + 1
/// assert_eq!(generator.summary().total_params(), 1_894_144 + 295_040 + 73_792 + 577);
/// # Ok(()) }
/// ```
pub fn gan_generator(noise: usize) -> Sequential {
    gan_generator_with_width(noise, 256)
}

/// [`gan_generator`] with `width` maps of 7×7 after the dense layer instead of 256, and
/// `width / 2` and `width / 4` filters in the transposed convolutions: about `width²`
/// times cheaper per image (the quick profile trains a narrower GAN).
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let narrow = dlcourse::models::gan_generator_with_width(150, 64).build(&candle_core::Device::Cpu, 0)?;
/// // 150·3136 + 3136, 64·32·9 + 32, 32·16·9 + 16, 16·9 + 1
/// assert_eq!(narrow.summary().total_params(), 473_536 + 18_464 + 4_624 + 145);
/// # Ok(()) }
/// ```
pub fn gan_generator_with_width(noise: usize, width: usize) -> Sequential {
    let up = |filters: usize| {
        ConvTranspose2d::new(filters.max(1), 3)
            .stride(2)
            .padding(Padding::Same)
            .activation(LEAKY)
    };
    Sequential::new(&[noise])
        .add(Dense::new(7 * 7 * width).activation(LEAKY))
        .add(Reshape(vec![width, 7, 7]))
        .add(up(width / 2))
        .add(up(width / 4))
        .add(
            ConvTranspose2d::new(1, 3)
                .padding(Padding::Same)
                .activation(Activation::Sigmoid),
        )
}

/// The course's discriminator for 1×28×28 images: Conv2D(256, 3×3, stride 2, same,
/// LeakyReLU) → Conv2D(128, 3×3, stride 2, same, LeakyReLU) → Flatten → Dense(64,
/// LeakyReLU) → Dropout(0.5) → Dense(1, sigmoid): the probability that an image is real.
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let discriminator = dlcourse::models::gan_discriminator().build(&candle_core::Device::Cpu, 0)?;
/// // 256·9 + 256, 128·256·9 + 128, 7·7·128·64 + 64, 64 + 1
/// assert_eq!(discriminator.summary().total_params(), 2_560 + 295_040 + 401_472 + 65);
/// # Ok(()) }
/// ```
pub fn gan_discriminator() -> Sequential {
    gan_discriminator_with_width(256)
}

/// [`gan_discriminator`] with `width` and `width / 2` filters instead of 256 and 128.
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let narrow = dlcourse::models::gan_discriminator_with_width(64).build(&candle_core::Device::Cpu, 0)?;
/// // 64·9 + 64, 32·64·9 + 32, 7·7·32·64 + 64, 64 + 1
/// assert_eq!(narrow.summary().total_params(), 640 + 18_464 + 100_416 + 65);
/// # Ok(()) }
/// ```
pub fn gan_discriminator_with_width(width: usize) -> Sequential {
    let conv = |filters: usize| {
        Conv2d::new(filters.max(1), 3)
            .stride(2)
            .padding(Padding::Same)
            .activation(LEAKY)
    };
    Sequential::new(&[1, 28, 28])
        .add(conv(width))
        .add(conv(width / 2))
        .add(Flatten)
        .add(Dense::new(64).activation(LEAKY))
        .add(Dropout(0.5))
        .add(Dense::new(1).activation(Activation::Sigmoid))
}

/// A small generator for 2-D points (GAN Lab's toy): `noise` numbers → Dense(32,
/// LeakyReLU) → Dense(32, LeakyReLU) → Dense(2).
pub fn ring_generator(noise: usize) -> Sequential {
    Sequential::new(&[noise])
        .add(Dense::new(32).activation(LEAKY))
        .add(Dense::new(32).activation(LEAKY))
        .add(Dense::new(2))
}

/// A small discriminator for 2-D points: Dense(32, LeakyReLU) → Dense(32, LeakyReLU) →
/// Dense(1, sigmoid).
pub fn ring_discriminator() -> Sequential {
    Sequential::new(&[2])
        .add(Dense::new(32).activation(LEAKY))
        .add(Dense::new(32).activation(LEAKY))
        .add(Dense::new(1).activation(Activation::Sigmoid))
}

/// `n` points on a ring of radius 1 around the origin, blurred by N(0, 0.05²) noise in
/// the radius, drawn from `seed`: the real data of the 2-D GAN.
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let ring = dlcourse::models::ring_points(500, 0)?;
/// let radius = ring.sqr()?.sum(1)?.sqrt()?.mean_all()?.to_scalar::<f32>()?;
/// assert_eq!(ring.dims(), &[500, 2]);
/// assert!((radius - 1.0).abs() < 0.02);
/// # Ok(()) }
/// ```
pub fn ring_points(n: usize, seed: u64) -> Result<Tensor> {
    use rand::Rng;
    use rand_distr::{Distribution, Normal};
    let mut rng = StdRng::seed_from_u64(seed);
    let blur = Normal::new(0f32, 0.05).expect("a valid spread");
    let mut xy = Vec::with_capacity(2 * n);
    for _ in 0..n {
        let (a, r) = (
            rng.random_range(0.0..std::f32::consts::TAU),
            1.0 + blur.sample(&mut rng),
        );
        xy.extend([r * a.cos(), r * a.sin()]);
    }
    Ok(Tensor::from_vec(xy, (n, 2), &Device::Cpu)?)
}

/// Where the generator's random numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Noise {
    /// The standard normal N(0, 1) (the course).
    #[default]
    Normal,
    /// Uniform between −1 and 1.
    Uniform,
}

/// A generative adversarial network: a generator from noise to samples and a
/// discriminator from samples to the probability that they are real. Both are ordinary
/// [`Model`]s, trained by [`Gan::fit`] with one optimiser each.
///
/// ```
/// use dlcourse::prelude::*;
/// use dlcourse::models::Gan;
/// # fn main() -> dlcourse::Result<()> {
/// let gan = Gan::fashion_mnist(&Device::Cpu, 42)?;
/// let images = gan.generate(&gan.noise(4, 0)?)?;
/// assert_eq!(images.dims(), &[4, 1, 28, 28]);
/// assert_eq!(gan.real_probability(&images)?.dims(), &[4]);
/// # Ok(()) }
/// ```
pub struct Gan {
    pub(crate) generator: Model,
    pub(crate) discriminator: Model,
    pub(crate) noise_dim: usize,
    pub(crate) noise: Noise,
    pub(crate) discriminator_steps: usize,
    pub(crate) seed: u64,
}

impl Gan {
    /// The course's GAN for Fashion-MNIST ([`gan_generator`] from [`NOISE_DIM`] numbers,
    /// [`gan_discriminator`]), with weights, noise and shuffling drawn from `seed`.
    pub fn fashion_mnist(device: &Device, seed: u64) -> Result<Self> {
        Gan::fashion_mnist_with_width(device, 256, seed)
    }

    /// The course's GAN with both halves `width` wide instead of 256
    /// ([`gan_generator_with_width`], [`gan_discriminator_with_width`]).
    pub fn fashion_mnist_with_width(device: &Device, width: usize, seed: u64) -> Result<Self> {
        if width < 4 {
            return Err(Error::shape(
                "building a Fashion-MNIST GAN",
                "a width of at least 4 (its layers have width, width / 2 and width / 4 filters)",
                format!("{width}"),
                "use 256 (the course) or e.g. 64",
            ));
        }
        let generator = gan_generator_with_width(NOISE_DIM, width).build(device, seed)?;
        let discriminator =
            gan_discriminator_with_width(width).build(device, seed.wrapping_add(1))?;
        Gan::new(generator, discriminator, seed)
    }

    /// The 2-D toy GAN ([`ring_generator`] from 2 numbers, [`ring_discriminator`]).
    pub fn ring(device: &Device, seed: u64) -> Result<Self> {
        let generator = ring_generator(2).build(device, seed)?;
        let discriminator = ring_discriminator().build(device, seed.wrapping_add(1))?;
        Gan::new(generator, discriminator, seed)
    }

    /// A GAN from a `generator` with a flat noise input and a `discriminator` whose input
    /// is the generator's output and whose output is one sigmoid probability.
    pub fn new(generator: Model, discriminator: Model, seed: u64) -> Result<Self> {
        let noise_dim = match generator.input_shape() {
            [n] if *n > 0 => *n,
            other => {
                return Err(Error::shape(
                    "building a GAN: the generator's input",
                    "a flat vector of noise, e.g. [150]",
                    format!("{other:?}"),
                    "start the generator with Sequential::new(&[noise_dim])",
                ));
            }
        };
        let drawn = generator.layers.last().map(|l| l.output_shape.clone());
        let verdict = discriminator.layers.last().map(|l| l.output_shape.clone());
        let sigmoid = discriminator.output_activation() == Activation::Sigmoid;
        if drawn.as_deref() != Some(discriminator.input_shape())
            || verdict.as_deref() != Some(&[1])
            || !sigmoid
        {
            return Err(Error::shape(
                "building a GAN: the discriminator",
                format!("inputs of the generator's output shape {drawn:?} and one sigmoid output"),
                format!(
                    "inputs of {:?}, outputs of {verdict:?} ({:?})",
                    discriminator.input_shape(),
                    discriminator.output_activation()
                ),
                "end the discriminator with Dense::new(1).activation(Activation::Sigmoid)",
            ));
        }
        Ok(Gan {
            generator,
            discriminator,
            noise_dim,
            noise: Noise::Normal,
            discriminator_steps: 1,
            seed,
        })
    }

    /// Draws the generator's noise from `noise` instead of N(0, 1).
    pub fn noise_kind(mut self, noise: Noise) -> Self {
        self.noise = noise;
        self
    }

    /// Takes `k` discriminator steps (each on fresh noise, with the same real batch)
    /// before each generator step, instead of 1 (the original GAN paper's k).
    pub fn discriminator_steps(mut self, k: usize) -> Result<Self> {
        if k == 0 {
            return Err(Error::shape(
                "setting the GAN's discriminator steps",
                "at least 1 step per batch",
                "0",
                "use 1 (the course) or e.g. 2–5",
            ));
        }
        self.discriminator_steps = k;
        Ok(self)
    }

    /// The number of random numbers the generator draws from.
    pub fn noise_dim(&self) -> usize {
        self.noise_dim
    }

    /// The generator (for its `summary()`).
    pub fn generator(&self) -> &Model {
        &self.generator
    }

    /// The discriminator (for its `summary()`).
    pub fn discriminator(&self) -> &Model {
        &self.discriminator
    }

    /// `n` rows of noise drawn from `seed` (the same seed gives the same rows, so a grid
    /// drawn from them shows how the generator changes while it trains).
    pub fn noise(&self, n: usize, seed: u64) -> Result<Tensor> {
        self.draw_noise(n, &mut StdRng::seed_from_u64(seed))
    }

    /// The generator's samples for `noise` (`[n, noise_dim]`), in inference mode.
    pub fn generate(&self, noise: &Tensor) -> Result<Tensor> {
        self.generator.predict(noise)
    }

    /// The discriminator's probability that each sample is real, `[n]`, in inference mode.
    pub fn real_probability(&self, samples: &Tensor) -> Result<Tensor> {
        Ok(self.discriminator.predict(samples)?.flatten_all()?)
    }

    /// The generator's (`generator.…`) or the discriminator's (`discriminator.…`)
    /// trainable variables with their names, sorted by name.
    pub fn vars(&self, generator: bool) -> Vec<(String, Var)> {
        let (half, model) = match generator {
            true => ("generator", &self.generator),
            false => ("discriminator", &self.discriminator),
        };
        let data = model
            .vars()
            .data()
            .lock()
            .expect("the var map is never poisoned");
        let mut vars: Vec<(String, Var)> = data
            .iter()
            .map(|(n, v)| (format!("{half}.{n}"), v.clone()))
            .collect();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        vars
    }

    /// Samples from the generator in training mode, for `noise`, cut off from the
    /// generator's gradient when `detach` (a discriminator step trains only the
    /// discriminator).
    pub(crate) fn draw(&self, noise: &Tensor, detach: bool) -> Result<Tensor> {
        let logits = self.generator.logits(noise, true)?;
        let samples = self.generator.output_activation().apply(&logits)?;
        Ok(if detach { samples.detach() } else { samples })
    }

    /// The discriminator's loss on a batch of `real` and one of `fake` samples, in
    /// training mode: the binary cross-entropy of calling the real ones real (1) and the
    /// fake ones fake (0), over both batches; and its accuracy, the share it got right.
    pub fn discriminator_loss(&self, real: &Tensor, fake: &Tensor) -> Result<(Tensor, f64)> {
        let both = Tensor::cat(&[real, fake], 0)?;
        let targets = Tensor::cat(
            &[
                Tensor::ones((real.dim(0)?, 1), DType::F32, real.device())?,
                Tensor::zeros((fake.dim(0)?, 1), DType::F32, real.device())?,
            ],
            0,
        )?;
        let logits = self.discriminator.logits(&both, true)?;
        let loss = Loss::BinaryCrossEntropy.compute(&logits, Activation::Sigmoid, &targets)?;
        let right = logits.ge(0f32)?.to_dtype(DType::F32)?.eq(&targets)?;
        let accuracy = right.to_dtype(DType::F32)?.mean_all()?.to_scalar::<f32>()? as f64;
        Ok((loss, accuracy))
    }

    /// The generator's loss for `fake` samples drawn from it: the binary cross-entropy of
    /// the discriminator (in training mode) calling them real — low when it is fooled.
    pub fn generator_loss(&self, fake: &Tensor) -> Result<Tensor> {
        let logits = self.discriminator.logits(fake, true)?;
        let targets = Tensor::ones((fake.dim(0)?, 1), DType::F32, fake.device())?;
        Loss::BinaryCrossEntropy.compute(&logits, Activation::Sigmoid, &targets)
    }

    /// `n` rows of noise from `rng`.
    pub(crate) fn draw_noise(&self, n: usize, rng: &mut impl rand::Rng) -> Result<Tensor> {
        use rand_distr::{Distribution, StandardNormal};
        let count = n * self.noise_dim;
        let values: Vec<f32> = match self.noise {
            Noise::Normal => (0..count).map(|_| StandardNormal.sample(rng)).collect(),
            Noise::Uniform => (0..count).map(|_| rng.random_range(-1f32..1.0)).collect(),
        };
        let device = self.generator.device();
        Ok(Tensor::from_vec(values, (n, self.noise_dim), device)?)
    }

    /// An error unless `samples` fit the discriminator: non-empty, finite, and in 0..1
    /// when the generator ends in a sigmoid (otherwise the two are told apart by range).
    pub(crate) fn check_samples(&self, samples: &Tensor, context: &str) -> Result<()> {
        let shape = samples.dims();
        if shape.get(1..) != Some(self.discriminator.input_shape()) {
            return Err(Error::shape(
                context,
                format!(
                    "samples of shape [n, {:?}]",
                    self.discriminator.input_shape()
                ),
                format!("{shape:?}"),
                "pass images [n, 1, 28, 28] (Split::images_nchw) or points [n, 2]",
            ));
        }
        if self.generator.output_activation() == Activation::Sigmoid {
            return check_unit_images(samples, context);
        }
        let sum = samples
            .to_dtype(DType::F64)?
            .sum_all()?
            .to_scalar::<f64>()?;
        if shape[0] == 0 || !sum.is_finite() {
            return Err(Error::shape(
                context,
                "at least one sample of finite values",
                format!("{} samples, sum {sum}", shape[0]),
                "check the data for NaN and empty slices",
            ));
        }
        Ok(())
    }
}

/// What a classifier makes of generated images: per class, how many it assigns to that
/// class and how many of those with a probability of at least the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassCoverage {
    /// Images whose most probable class is this one.
    pub assigned: Vec<usize>,
    /// Of those, the images whose probability is at least `threshold`.
    pub confident: Vec<usize>,
    /// The confidence threshold.
    pub threshold: f64,
}

impl ClassCoverage {
    /// Counts, from a classifier's `probabilities` (`[n, classes]`, rows summing to 1),
    /// the images of each class and those given at least `threshold`.
    ///
    /// ```
    /// use candle_core::{Device, Tensor};
    /// use dlcourse::models::ClassCoverage;
    /// # fn main() -> dlcourse::Result<()> {
    /// let p = Tensor::new(&[[0.95f32, 0.05, 0.0], [0.6, 0.4, 0.0], [0.0, 0.02, 0.98]], &Device::Cpu)?;
    /// let coverage = ClassCoverage::new(&p, 0.9)?;
    /// assert_eq!((coverage.assigned.clone(), coverage.confident.clone()), (vec![2, 0, 1], vec![1, 0, 1]));
    /// assert_eq!(coverage.classes_reached(1), 2);
    /// # Ok(()) }
    /// ```
    pub fn new(probabilities: &Tensor, threshold: f64) -> Result<Self> {
        let context = "counting the classes of generated images";
        let (n, classes) = match probabilities.dims() {
            [n, c] if *n > 0 && *c > 0 => (*n, *c),
            other => {
                return Err(Error::shape(
                    context,
                    "probabilities [n, classes] for at least one image",
                    format!("{other:?}"),
                    "pass classifier.predict(&images) for a softmax classifier",
                ));
            }
        };
        if !(threshold.is_finite() && (0.0..=1.0).contains(&threshold)) {
            return Err(Error::shape(
                context,
                "a confidence threshold between 0 and 1",
                format!("{threshold}"),
                "use e.g. 0.9",
            ));
        }
        let p = probabilities.to_dtype(DType::F32)?;
        let best = p.argmax(1)?.to_vec1::<u32>()?;
        let top = p.max(1)?.to_vec1::<f32>()?;
        if top.iter().any(|v| !v.is_finite()) {
            return Err(Error::shape(
                context,
                "finite probabilities",
                "NaN or infinite values",
                "check the classifier's inputs",
            ));
        }
        let (mut assigned, mut confident) = (vec![0; classes], vec![0; classes]);
        for (&class, &p) in best.iter().zip(&top).take(n) {
            assigned[class as usize] += 1;
            if p as f64 >= threshold {
                confident[class as usize] += 1;
            }
        }
        Ok(ClassCoverage {
            assigned,
            confident,
            threshold,
        })
    }

    /// The number of classes with at least `min_images` confident images.
    pub fn classes_reached(&self, min_images: usize) -> usize {
        self.confident
            .iter()
            .filter(|&&c| c >= min_images.max(1))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_losses_start_near_chance_and_reach_only_their_own_half() -> Result<()> {
        let gan = Gan::fashion_mnist(&Device::Cpu, 0)?;
        let real = Tensor::rand(0f32, 1.0, (4, 1, 28, 28), &Device::Cpu)?;
        let fake = gan.draw(&gan.noise(4, 1)?, true)?;
        let (d_loss, accuracy) = gan.discriminator_loss(&real, &fake)?;
        // Untrained, the discriminator says about ½ to everything: about ln 2.
        let d = d_loss.to_scalar::<f32>()?;
        assert!((d - 2f32.ln()).abs() < 0.2, "{d}");
        assert!((0.0..=1.0).contains(&accuracy));
        let grads = d_loss.backward()?;
        assert!(gan.vars(false).iter().all(|(_, v)| grads.get(v).is_some()));
        assert!(gan.vars(true).iter().all(|(_, v)| grads.get(v).is_none()));
        let g_loss = gan.generator_loss(&gan.draw(&gan.noise(4, 2)?, false)?)?;
        let grads = g_loss.backward()?;
        assert!(gan.vars(true).iter().all(|(_, v)| grads.get(v).is_some()));
        Ok(())
    }

    #[test]
    fn noise_repeats_with_its_seed_and_has_the_chosen_spread() -> Result<()> {
        let gan = Gan::ring(&Device::Cpu, 0)?;
        assert_eq!(
            gan.noise(3, 5)?.to_vec2::<f32>()?,
            gan.noise(3, 5)?.to_vec2::<f32>()?
        );
        let uniform = Gan::ring(&Device::Cpu, 0)?.noise_kind(Noise::Uniform);
        let u = uniform.noise(2_000, 1)?;
        let (lo, hi) = (
            u.min_all()?.to_scalar::<f32>()?,
            u.max_all()?.to_scalar::<f32>()?,
        );
        assert!(lo >= -1.0 && hi <= 1.0 && hi - lo > 1.9, "{lo}..{hi}");
        let normal = gan.noise(2_000, 1)?.sqr()?.mean_all()?.to_scalar::<f32>()?;
        assert!((normal - 1.0).abs() < 0.1, "{normal}");
        Ok(())
    }

    #[test]
    fn mismatched_halves_and_bad_inputs_are_refused() -> Result<()> {
        let generator = ring_generator(2).build(&Device::Cpu, 0)?;
        let err = Gan::new(generator, gan_discriminator().build(&Device::Cpu, 0)?, 0)
            .err()
            .expect("an error")
            .to_string();
        assert!(err.contains("one sigmoid output"), "{err}");
        let gan = Gan::fashion_mnist(&Device::Cpu, 0)?;
        assert!(
            gan.check_samples(&Tensor::full(2f32, (2, 1, 28, 28), &Device::Cpu)?, "t")
                .is_err()
        );
        assert!(
            gan.check_samples(&Tensor::zeros((2, 784), DType::F32, &Device::Cpu)?, "t")
                .is_err()
        );
        assert!(Gan::ring(&Device::Cpu, 0)?.discriminator_steps(0).is_err());
        let bad = Tensor::new(&[[f32::NAN, 1.0]], &Device::Cpu)?;
        assert!(ClassCoverage::new(&bad, 0.9).is_err());
        assert!(ClassCoverage::new(&Tensor::new(&[[1f32]], &Device::Cpu)?, 1.5).is_err());
        Ok(())
    }
}
