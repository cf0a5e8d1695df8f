//! Lesson 15's variational auto-encoder: an encoder that maps an image to a Gaussian in a
//! small latent space (its mean μ and log-variance log σ²), a sampling step
//! z = μ + σ·ε, and a decoder that draws an image from a latent point. Training is
//! [`Vae::fit`] (`vae_training.rs`); the losses are here.

use crate::error::{Error, Result};
use crate::keras::{Model, Sequential};
use crate::nn::{Activation, Conv2d, ConvTranspose2d, Dense, Flatten, Padding, Reshape};
use crate::train::Loss;
use candle_core::{D, DType, Device, Tensor, Var};

/// The weight of the KL term in the course's loss: reconstruction + 3 × KL.
pub const KL_WEIGHT: f64 = 3.0;

/// The course's encoder for 1×28×28 images: Conv2D(128, 3×3, stride 2, same, ReLU) →
/// Conv2D(64, 3×3, stride 2, same, ReLU) → Flatten → Dense(256, ReLU) → Dense(2·`latent`).
/// The last layer holds both of Keras' heads side by side: its first `latent` outputs
/// are z_mean, the others z_log_var (the same weights as two `Dense(latent)` layers).
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let encoder = dlcourse::models::vae_encoder(2).build(&candle_core::Device::Cpu, 0)?;
/// // 128·9 + 128, 64·128·9 + 64, 7·7·64·256 + 256, 256·4 + 4
/// assert_eq!(encoder.summary().total_params(), 1_280 + 73_792 + 803_072 + 1_028);
/// # Ok(()) }
/// ```
pub fn vae_encoder(latent: usize) -> Sequential {
    let conv = |filters| {
        Conv2d::new(filters, 3)
            .stride(2)
            .padding(Padding::Same)
            .activation(Activation::Relu)
    };
    Sequential::new(&[1, 28, 28])
        .add(conv(128))
        .add(conv(64))
        .add(Flatten)
        .add(Dense::new(256).activation(Activation::Relu))
        .add(Dense::new(2 * latent))
}

/// The course's decoder from `latent` dimensions: Dense(7·7·64, ReLU) → Reshape 64×7×7 →
/// Conv2DTranspose(128, 3×3, stride 2, same, ReLU) → Conv2DTranspose(64, 3×3, stride 2,
/// same, ReLU) → Conv2DTranspose(1, 3×3, same, sigmoid): a 1×28×28 image in 0..1.
///
/// ```
/// # fn main() -> dlcourse::Result<()> {
/// let decoder = dlcourse::models::vae_decoder(2).build(&candle_core::Device::Cpu, 0)?;
/// // 2·3136 + 3136, 64·128·9 + 128, 128·64·9 + 64, 64·9 + 1
/// assert_eq!(decoder.summary().total_params(), 9_408 + 73_856 + 73_792 + 577);
/// # Ok(()) }
/// ```
pub fn vae_decoder(latent: usize) -> Sequential {
    let up = |filters| {
        ConvTranspose2d::new(filters, 3)
            .stride(2)
            .padding(Padding::Same)
            .activation(Activation::Relu)
    };
    Sequential::new(&[latent])
        .add(Dense::new(7 * 7 * 64).activation(Activation::Relu))
        .add(Reshape(vec![64, 7, 7]))
        .add(up(128))
        .add(up(64))
        .add(
            ConvTranspose2d::new(1, 3)
                .padding(Padding::Same)
                .activation(Activation::Sigmoid),
        )
}

/// The sampling layer: z = μ + exp(½·log σ²)·ε, with ε drawn from N(0, 1) by the caller
/// (the "reparametrisation trick": the randomness sits in ε, so the gradient flows
/// through μ and log σ²). All three have the same shape.
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> dlcourse::Result<()> {
/// let mean = Tensor::new(&[[1f32, 2.0]], &Device::Cpu)?;
/// let log_var = Tensor::new(&[[0f32, 2.0f32.ln()]], &Device::Cpu)?; // σ² = 1 and 2
/// let eps = Tensor::new(&[[0.5f32, 1.0]], &Device::Cpu)?;
/// let z = dlcourse::models::sample_latent(&mean, &log_var, &eps)?.to_vec2::<f32>()?;
/// assert!((z[0][0] - 1.5).abs() < 1e-6 && (z[0][1] - (2.0 + 2f32.sqrt())).abs() < 1e-6);
/// # Ok(()) }
/// ```
pub fn sample_latent(z_mean: &Tensor, z_log_var: &Tensor, epsilon: &Tensor) -> Result<Tensor> {
    for (name, t) in [("z_log_var", z_log_var), ("epsilon", epsilon)] {
        if t.shape() != z_mean.shape() {
            return Err(Error::shape(
                format!("sampling latent points: {name}"),
                format!("the shape of z_mean, {:?}", z_mean.dims()),
                format!("{:?}", t.dims()),
                "give the mean, the log-variance and the noise one row per image",
            ));
        }
    }
    Ok((z_mean + (z_log_var * 0.5)?.exp()?.mul(epsilon)?)?)
}

/// The Kullback–Leibler divergence of N(μ, σ²) from N(0, 1), summed over the latent
/// dimensions and averaged over the batch: −½ Σ (1 + log σ² − μ² − σ²). It is 0 when the
/// encoder outputs μ = 0, σ = 1, and grows as the codes move away from the standard normal.
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> dlcourse::Result<()> {
/// let mean = Tensor::new(&[[0f32, 0.0], [1.0, 0.0]], &Device::Cpu)?;
/// let log_var = Tensor::zeros((2, 2), candle_core::DType::F32, &Device::Cpu)?;
/// // the first image costs 0, the second ½·1² = 0.5: the mean is 0.25
/// let kl = dlcourse::models::kl_divergence(&mean, &log_var)?.to_scalar::<f32>()?;
/// assert!((kl - 0.25).abs() < 1e-6);
/// # Ok(()) }
/// ```
pub fn kl_divergence(z_mean: &Tensor, z_log_var: &Tensor) -> Result<Tensor> {
    let terms = ((z_log_var + 1.0)? - z_mean.sqr()?)?.sub(&z_log_var.exp()?)?;
    Ok((terms.sum(D::Minus1)?.mean_all()? * -0.5)?)
}

/// How different the images of a batch are from each other: the root-mean-square
/// difference of their pixels, averaged over every pair of two different images (0 when
/// all are the same; two unrelated Fashion-MNIST images differ by about 0.3–0.5). A
/// decoder that ignored its latent point would score 0.
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> dlcourse::Result<()> {
/// let black_and_white = Tensor::new(&[[0f32, 0.0], [1.0, 1.0], [1.0, 1.0]], &Device::Cpu)?;
/// // pairs differ by 1, 1 and 0: the mean is 2/3
/// let d = dlcourse::models::mean_pairwise_distance(&black_and_white)?;
/// assert!((d - 2.0 / 3.0).abs() < 1e-6);
/// # Ok(()) }
/// ```
pub fn mean_pairwise_distance(images: &Tensor) -> Result<f64> {
    let n = images.dims().first().copied().unwrap_or(0);
    if n < 2 || images.elem_count() == 0 {
        return Err(Error::shape(
            "measuring how different images are",
            "at least two images",
            format!("a tensor of shape {:?}", images.dims()),
            "pass a batch of images, e.g. [256, 1, 28, 28]",
        ));
    }
    let x = images.flatten_from(1)?.to_dtype(DType::F64)?;
    let pixels = x.dim(1)? as f64;
    let squares = x.sqr()?.sum_keepdim(1)?;
    let gram = x.matmul(&x.t()?)?;
    let distances = squares
        .broadcast_add(&squares.t()?)?
        .sub(&(gram * 2.0)?)?
        .relu()?
        .affine(1.0 / pixels, 0.0)?
        .sqrt()?;
    let sum = distances.sum_all()?.to_scalar::<f64>()?;
    let mean = sum / (n * (n - 1)) as f64;
    if !mean.is_finite() {
        return Err(Error::shape(
            "measuring how different images are",
            "finite pixel values",
            format!("a mean distance of {mean}"),
            "check the images for NaN or infinite values",
        ));
    }
    Ok(mean)
}

/// How well the classes, never shown to the model, can be read off latent points: each
/// point gets the class whose mean point (centre) is nearest, and the fraction of points
/// given their own class is returned (chance is about 1 / the number of classes).
///
/// ```
/// use candle_core::{Device, Tensor};
/// # fn main() -> dlcourse::Result<()> {
/// let points = Tensor::new(&[[0f32, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 4.0], [0.5, 0.5]], &Device::Cpu)?;
/// let labels = Tensor::new(&[0u32, 0, 1, 1, 1], &Device::Cpu)?;
/// // the last point lies nearer class 0's centre: 4 of 5 are right
/// let accuracy = dlcourse::models::nearest_centre_accuracy(&points, &labels)?;
/// assert!((accuracy - 0.8).abs() < 1e-9);
/// # Ok(()) }
/// ```
pub fn nearest_centre_accuracy(points: &Tensor, labels: &Tensor) -> Result<f64> {
    let context = "scoring latent points by their nearest class centre";
    let n = points.dims().first().copied().unwrap_or(0);
    if points.rank() != 2 || n == 0 || labels.dims() != [n] {
        return Err(Error::shape(
            context,
            "points [n, d] with n ≥ 1 and one label per point, [n]",
            format!("points {:?}, labels {:?}", points.dims(), labels.dims()),
            "pass the encoder's z_mean and the images' labels",
        ));
    }
    let points = points.to_dtype(DType::F32)?;
    let labels = labels.to_dtype(DType::U32)?;
    let classes = labels.max(0)?.to_scalar::<u32>()? as usize + 1;
    let one_hot = candle_nn::encoding::one_hot(labels.clone(), classes, 1f32, 0f32)?;
    let counts = one_hot.sum(0)?;
    let centres = one_hot
        .t()?
        .matmul(&points)?
        .broadcast_div(&counts.clamp(1f32, f32::MAX)?.unsqueeze(1)?)?;
    // |p − c|² = |p|² + |c|² − 2 p·c; classes without a point are pushed out of reach.
    let absent = counts
        .eq(0f32)?
        .to_dtype(DType::F32)?
        .affine(f32::MAX as f64 / 4.0, 0.0)?;
    let distances = points
        .sqr()?
        .sum_keepdim(1)?
        .broadcast_add(&(centres.sqr()?.sum(1)? + absent)?.unsqueeze(0)?)?
        .sub(&(points.matmul(&centres.t()?)? * 2.0)?)?;
    let right = distances.argmin(1)?.eq(&labels)?.to_dtype(DType::F32)?;
    Ok(right.sum_all()?.to_scalar::<f32>()? as f64 / n as f64)
}

/// The three losses of a batch, each a scalar tensor, per image (summed over pixels or
/// latent dimensions, averaged over the batch): `total` = `reconstruction` + weight × `kl`.
#[derive(Debug, Clone)]
pub struct VaeLosses {
    /// What the optimiser minimises.
    pub total: Tensor,
    /// Binary cross-entropy between each image and its reconstruction, summed over pixels.
    pub reconstruction: Tensor,
    /// [`kl_divergence`] of the encoder's Gaussians from N(0, 1).
    pub kl: Tensor,
}

/// A variational auto-encoder: an encoder to (z_mean, z_log_var), the sampling step, and a
/// decoder back to images. Both halves are ordinary [`Model`]s.
///
/// ```
/// use dlcourse::prelude::*;
/// use dlcourse::models::Vae;
/// # fn main() -> dlcourse::Result<()> {
/// let vae = Vae::fashion_mnist(&Device::Cpu, 42)?;
/// let images = Tensor::rand(0f32, 1.0, (4, 1, 28, 28), &Device::Cpu)?;
/// let (z_mean, z_log_var) = vae.encode(&images)?;
/// assert_eq!(z_mean.dims(), &[4, 2]);
/// assert_eq!(vae.decode(&z_mean)?.dims(), &[4, 1, 28, 28]);
/// # Ok(()) }
/// ```
pub struct Vae {
    pub(crate) encoder: Model,
    pub(crate) decoder: Model,
    pub(crate) latent: usize,
    pub(crate) kl_weight: f64,
    pub(crate) seed: u64,
}

impl Vae {
    /// The course's VAE for Fashion-MNIST ([`vae_encoder`], [`vae_decoder`], latent
    /// dimension 2, KL weight 3), with weights, noise and shuffling drawn from `seed`.
    pub fn fashion_mnist(device: &Device, seed: u64) -> Result<Self> {
        let encoder = vae_encoder(2).build(device, seed)?;
        let decoder = vae_decoder(2).build(device, seed.wrapping_add(1))?;
        Vae::new(encoder, decoder, seed)
    }

    /// A VAE from an `encoder` whose outputs are z_mean and z_log_var side by side
    /// (2·latent values) and a `decoder` from latent points to images of the encoder's
    /// input shape, in 0..1 (a sigmoid last). `seed` draws the noise and the shuffling.
    pub fn new(encoder: Model, decoder: Model, seed: u64) -> Result<Self> {
        let outputs = encoder.layers.last().map(|l| l.output_shape.clone());
        let latent = match outputs.as_deref() {
            Some([n]) if n % 2 == 0 && *n > 0 => n / 2,
            other => {
                return Err(Error::shape(
                    "building a VAE: the encoder's output",
                    "2·latent values per image (z_mean, then z_log_var)",
                    format!("{other:?}"),
                    "end the encoder with Dense::new(2 * latent)",
                ));
            }
        };
        let image = decoder.layers.last().map(|l| l.output_shape.clone());
        if decoder.input_shape() != [latent] || image.as_deref() != Some(encoder.input_shape()) {
            return Err(Error::shape(
                "building a VAE: the decoder",
                format!(
                    "inputs of [{latent}] and outputs of {:?} (the encoder's input)",
                    encoder.input_shape()
                ),
                format!(
                    "inputs of {:?}, outputs of {image:?}",
                    decoder.input_shape()
                ),
                "build the decoder from Sequential::new(&[latent]) up to the image shape",
            ));
        }
        Ok(Vae {
            encoder,
            decoder,
            latent,
            kl_weight: KL_WEIGHT,
            seed,
        })
    }

    /// Uses `weight` × KL in the total loss instead of [`KL_WEIGHT`] (1 is the textbook
    /// VAE; more pulls the codes closer to N(0, 1) at the cost of sharper images).
    pub fn kl_weight(mut self, weight: f64) -> Result<Self> {
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Error::shape(
                "setting the VAE's KL weight",
                "a finite weight ≥ 0",
                format!("{weight}"),
                "use e.g. 1.0 (textbook) or 3.0 (the course)",
            ));
        }
        self.kl_weight = weight;
        Ok(self)
    }

    /// The number of latent dimensions (2 in the lesson).
    pub fn latent_dim(&self) -> usize {
        self.latent
    }

    /// The encoder (for its `summary()`).
    pub fn encoder(&self) -> &Model {
        &self.encoder
    }

    /// The decoder (for its `summary()`, or to decode latent points yourself).
    pub fn decoder(&self) -> &Model {
        &self.decoder
    }

    /// Every trainable variable with its name (`encoder.conv2d.weight`, …), sorted by
    /// name, so an optimiser's state and a checkpoint always list them in one order.
    pub fn vars(&self) -> Vec<(String, Var)> {
        let mut vars = Vec::new();
        for (half, model) in [("encoder", &self.encoder), ("decoder", &self.decoder)] {
            let data = model
                .vars()
                .data()
                .lock()
                .expect("the var map is never poisoned");
            vars.extend(data.iter().map(|(n, v)| (format!("{half}.{n}"), v.clone())));
        }
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        vars
    }

    /// z_mean and z_log_var of each image, in inference mode (images `[n, 1, 28, 28]` in
    /// 0..1, run in batches): the centre of each image's code and the log of its spread.
    pub fn encode(&self, images: &Tensor) -> Result<(Tensor, Tensor)> {
        self.check_images(images, "encoding images")?;
        self.split(&self.encoder.predict(images)?)
    }

    /// The images the decoder draws from latent points `z` (`[n, latent]`), in 0..1.
    pub fn decode(&self, z: &Tensor) -> Result<Tensor> {
        self.decoder.predict(z)
    }

    /// Each image encoded to its mean latent point and decoded again.
    pub fn reconstruct(&self, images: &Tensor) -> Result<Tensor> {
        self.decode(&self.encode(images)?.0)
    }

    /// The losses of a batch of `images` in training mode, with the sampling noise
    /// `epsilon` (`[n, latent]`, drawn from N(0, 1)); `losses.total.backward()` gives the
    /// gradients of one training step.
    pub fn losses(&self, images: &Tensor, epsilon: &Tensor) -> Result<VaeLosses> {
        let (z_mean, z_log_var) = self.split(&self.encoder.logits(images, true)?)?;
        let z = sample_latent(&z_mean, &z_log_var, epsilon)?;
        let logits = self.decoder.logits(&z, true)?;
        let pixels = images.elem_count() / images.dim(0)?.max(1);
        let activation = self.decoder.output_activation();
        let bce = Loss::BinaryCrossEntropy.compute(&logits, activation, images)?;
        let reconstruction = (bce * pixels as f64)?;
        let kl = kl_divergence(&z_mean, &z_log_var)?;
        let total = (&reconstruction + (&kl * self.kl_weight)?)?;
        Ok(VaeLosses {
            total,
            reconstruction,
            kl,
        })
    }

    /// Standard normal noise for `n` images, drawn from `rng`.
    pub(crate) fn noise(&self, n: usize, rng: &mut impl rand::Rng) -> Result<Tensor> {
        use rand_distr::{Distribution, StandardNormal};
        let values: Vec<f32> = (0..n * self.latent)
            .map(|_| StandardNormal.sample(rng))
            .collect();
        Ok(Tensor::from_vec(
            values,
            (n, self.latent),
            self.encoder.device(),
        )?)
    }

    /// (z_mean, z_log_var) from the encoder's `[n, 2·latent]` outputs.
    fn split(&self, outputs: &Tensor) -> Result<(Tensor, Tensor)> {
        let mean = outputs.narrow(1, 0, self.latent)?.contiguous()?;
        let log_var = outputs.narrow(1, self.latent, self.latent)?.contiguous()?;
        Ok((mean, log_var))
    }

    /// An error unless `images` is a non-empty batch of finite values in 0..1 (the
    /// reconstruction loss is a cross-entropy against the pixels).
    pub(crate) fn check_images(&self, images: &Tensor, context: &str) -> Result<()> {
        check_unit_images(images, context)
    }
}

/// An error unless `images` is a non-empty batch of finite values in 0..1 (shared by the
/// VAE and the GAN, whose generators end in a sigmoid).
pub(crate) fn check_unit_images(images: &Tensor, context: &str) -> Result<()> {
    if images.dims().first().is_none_or(|&n| n == 0) || images.elem_count() == 0 {
        return Err(Error::shape(
            context,
            "a batch of at least one image",
            format!("a tensor of shape {:?}", images.dims()),
            "check how the images were sliced (a narrow of length 0?)",
        ));
    }
    let flat = images.flatten_all()?.to_dtype(DType::F64)?;
    let (min, max, sum) = (
        flat.min(0)?.to_scalar::<f64>()?,
        flat.max(0)?.to_scalar::<f64>()?,
        flat.sum_all()?.to_scalar::<f64>()?,
    );
    if sum.is_finite() && (0.0..=1.0).contains(&min) && (0.0..=1.0).contains(&max) {
        return Ok(());
    }
    let found = match sum.is_finite() {
        true => format!("values from {min} to {max}"),
        false => "NaN or infinite values".to_string(),
    };
    Err(Error::shape(
        context,
        "pixels between 0 and 1",
        found,
        "scale the images to 0..1 (Split::images_nchw does), e.g. x.affine(1.0 / 255.0, 0.0)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev() -> Device {
        Device::Cpu
    }

    #[test]
    fn kl_matches_a_hand_computed_value() -> Result<()> {
        // One image, μ = (1, −2), log σ² = (ln 2, 0):
        // −½[(1 + ln 2 − 1 − 2) + (1 + 0 − 4 − 1)] = −½(ln 2 − 2 − 4) = 3 − ½ ln 2.
        let mean = Tensor::new(&[[1f32, -2.0]], &dev())?;
        let log_var = Tensor::new(&[[2f32.ln(), 0.0]], &dev())?;
        let kl = kl_divergence(&mean, &log_var)?.to_scalar::<f32>()?;
        assert!((kl - (3.0 - 0.5 * 2f32.ln())).abs() < 1e-6, "{kl}");
        // The standard normal costs nothing; any other Gaussian costs more.
        let zero = Tensor::zeros((3, 2), DType::F32, &dev())?;
        assert_eq!(kl_divergence(&zero, &zero)?.to_scalar::<f32>()?, 0.0);
        let wide = Tensor::full(1f32, (3, 2), &dev())?;
        assert!(kl_divergence(&zero, &wide)?.to_scalar::<f32>()? > 0.0);
        Ok(())
    }

    #[test]
    fn sampling_keeps_the_shape_and_passes_the_gradient_through_mean_and_log_var() -> Result<()> {
        let mean = Var::new(&[[0.5f32, -1.0], [2.0, 0.0]], &dev())?;
        let log_var = Var::new(&[[0f32, 1.0], [-1.0, 2.0]], &dev())?;
        let eps = Tensor::new(&[[1f32, -0.5], [0.25, 2.0]], &dev())?;
        let z = sample_latent(mean.as_tensor(), log_var.as_tensor(), &eps)?;
        assert_eq!(z.dims(), &[2, 2]);
        let grads = z.sum_all()?.backward()?;
        // dz/dμ = 1; dz/d(log σ²) = ½·exp(½·log σ²)·ε.
        let d_mean = grads
            .get(&mean)
            .expect("a gradient for μ")
            .to_vec2::<f32>()?;
        assert_eq!(d_mean, vec![vec![1.0; 2]; 2]);
        let d_log_var = grads.get(&log_var).expect("a gradient for log σ²");
        let lv = log_var.as_tensor().to_vec2::<f32>()?;
        let e = eps.to_vec2::<f32>()?;
        for (i, row) in d_log_var.to_vec2::<f32>()?.iter().enumerate() {
            for (j, g) in row.iter().enumerate() {
                let expected = 0.5 * (0.5 * lv[i][j]).exp() * e[i][j];
                assert!((g - expected).abs() < 1e-6, "({i}, {j}): {g} vs {expected}");
            }
        }
        let wrong = Tensor::zeros((2, 3), DType::F32, &dev())?;
        let err = sample_latent(mean.as_tensor(), &wrong, &eps).unwrap_err();
        assert!(err.to_string().contains("z_log_var"), "{err}");
        Ok(())
    }

    #[test]
    fn the_losses_add_up_and_start_near_chance() -> Result<()> {
        let vae = Vae::fashion_mnist(&dev(), 0)?;
        let images = Tensor::rand(0f32, 1.0, (3, 1, 28, 28), &dev())?;
        let eps = Tensor::zeros((3, 2), DType::F32, &dev())?;
        let losses = vae.losses(&images, &eps)?;
        let [total, recon, kl] = [&losses.total, &losses.reconstruction, &losses.kl]
            .map(|t| t.to_scalar::<f32>().unwrap() as f64);
        assert!((total - (recon + KL_WEIGHT * kl)).abs() < 1e-3 * total);
        // Untrained, the decoder draws about 0.5 everywhere: about 784 · ln 2 ≈ 543.
        assert!((450.0..650.0).contains(&recon), "{recon}");
        assert!(kl >= 0.0);
        let grads = losses.total.backward()?;
        let missing: Vec<String> = vae
            .vars()
            .into_iter()
            .filter(|(_, v)| grads.get(v).is_none())
            .map(|(n, _)| n)
            .collect();
        assert!(missing.is_empty(), "no gradient for {missing:?}");
        Ok(())
    }

    #[test]
    fn pairwise_distance_is_zero_for_copies_and_grows_with_differences() -> Result<()> {
        let same = Tensor::full(0.3f32, (5, 1, 28, 28), &dev())?;
        assert!(mean_pairwise_distance(&same)? < 1e-6);
        let noise = Tensor::rand(0f32, 1.0, (5, 1, 28, 28), &dev())?;
        // Two independent uniform pixels differ by √(1/6) ≈ 0.41 in RMS.
        let d = mean_pairwise_distance(&noise)?;
        assert!((d - (1.0f64 / 6.0).sqrt()).abs() < 0.03, "{d}");
        assert!(mean_pairwise_distance(&same.narrow(0, 0, 1)?).is_err());
        Ok(())
    }

    #[test]
    fn nearest_centre_accuracy_counts_points_nearest_their_own_class() -> Result<()> {
        // Two tight clusters far apart, labelled by cluster: every point is right. With
        // each cluster holding both classes, the two centres nearly coincide between the
        // clusters and only half the points are right.
        let points = Tensor::new(&[[0f32, 0.0], [0.1, 0.0], [9.0, 9.0], [9.1, 9.0]], &dev())?;
        let by_cluster = Tensor::new(&[0u32, 0, 1, 1], &dev())?;
        assert_eq!(nearest_centre_accuracy(&points, &by_cluster)?, 1.0);
        let mixed = Tensor::new(&[0u32, 1, 0, 1], &dev())?;
        assert_eq!(nearest_centre_accuracy(&points, &mixed)?, 0.5);
        // A class with no point (label 1 missing) is never chosen.
        let gap = Tensor::new(&[0u32, 0, 2, 2], &dev())?;
        assert_eq!(nearest_centre_accuracy(&points, &gap)?, 1.0);
        let err = nearest_centre_accuracy(&points, &by_cluster.narrow(0, 0, 3)?).unwrap_err();
        assert!(err.to_string().contains("one label per point"), "{err}");
        Ok(())
    }

    #[test]
    fn images_outside_0_1_and_mismatched_halves_are_refused() -> Result<()> {
        let vae = Vae::fashion_mnist(&dev(), 0)?;
        let bytes = Tensor::full(255f32, (2, 1, 28, 28), &dev())?;
        let err = vae.encode(&bytes).unwrap_err().to_string();
        assert!(
            err.contains("between 0 and 1") && err.contains("255"),
            "{err}"
        );
        let nan = Tensor::full(f32::NAN, (2, 1, 28, 28), &dev())?;
        let err = vae.encode(&nan).unwrap_err().to_string();
        assert!(err.contains("NaN or infinite"), "{err}");
        assert!(vae.encode(&bytes.narrow(0, 0, 0)?).is_err());
        let encoder = vae_encoder(3).build(&dev(), 0)?;
        let decoder = vae_decoder(2).build(&dev(), 0)?;
        let err = Vae::new(encoder, decoder, 0)
            .err()
            .expect("an error")
            .to_string();
        assert!(err.contains("inputs of [3]"), "{err}");
        assert!(Vae::fashion_mnist(&dev(), 0)?.kl_weight(f64::NAN).is_err());
        Ok(())
    }
}
