//! Training a [`Vae`]: the custom step of lesson 15 (encode, sample, decode, the three
//! losses, one optimiser step) on the crate's epoch loop, optionally with a checkpoint
//! after every epoch so that a long run can stop and go on later.

use crate::error::{Error, Result};
use crate::models::Vae;
use crate::train::{
    Fit, History, Key, Logs, Optimizer, ParamUpdate, Resumable, TrainStep, Validation, run_epochs,
};
use candle_core::{Tensor, Var};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::Path;

/// The name of the reconstruction loss in the history (as in the Keras example).
pub const RECONSTRUCTION_LOSS: Key = Key::named("reconstruction_loss");
/// The name of the KL term in the history (as in the Keras example).
pub const KL_LOSS: Key = Key::named("kl_loss");

impl Vae {
    /// Trains on `images` (`[n, 1, 28, 28]` in 0..1) for `fit.epochs` epochs of
    /// `fit.batch_size` images with `optimizer`. Each step encodes the batch, samples
    /// z = μ + σ·ε with fresh noise, decodes, and takes one optimiser step on
    /// reconstruction + weight × KL. The history holds, per epoch and per image, `loss`
    /// (the total), `reconstruction_loss` and `kl_loss`.
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// use dlcourse::models::Vae;
    /// # fn main() -> dlcourse::Result<()> {
    /// let vae = Vae::fashion_mnist(&Device::Cpu, 0)?;
    /// let images = Tensor::rand(0f32, 1.0, (8, 1, 28, 28), &Device::Cpu)?;
    /// let history = vae.fit(&images, Fit::epochs(1).batch_size(4).quiet(), Optimizer::adam(0.001))?;
    /// assert_eq!(history.epochs(), 1);
    /// # Ok(()) }
    /// ```
    pub fn fit(&self, images: &Tensor, fit: Fit, optimizer: Optimizer) -> Result<History> {
        self.train(images, fit, optimizer, None)
    }

    /// Like [`Vae::fit`], saving the weights, the optimiser's state and the history to
    /// `path` after every epoch. When `path` already holds the first epochs of the same
    /// run (same model, data size, batch size and seed), training goes on from there up to
    /// `fit.epochs`, and the history returned covers every epoch. A resumed run shuffles
    /// and draws noise afresh from the seed and the epoch it starts at, so it is not
    /// bit-for-bit the run that would have gone on without stopping.
    pub fn fit_with_checkpoint(
        &self,
        images: &Tensor,
        fit: Fit,
        optimizer: Optimizer,
        path: impl AsRef<Path>,
    ) -> Result<History> {
        self.train(images, fit, optimizer, Some(path.as_ref()))
    }

    fn train(
        &self,
        images: &Tensor,
        mut fit: Fit,
        optimizer: Optimizer,
        path: Option<&Path>,
    ) -> Result<History> {
        self.check_images(images, "training a VAE")?;
        if !matches!(fit.validation, Validation::None) {
            return Err(Error::Usage(
                "training a VAE: validation data is not supported — leave it out of Fit, \
                 and measure the losses of held-out images with vae.losses"
                    .into(),
            ));
        }
        let vars = self.vars();
        let mut optimizer = optimizer.build(vars.iter().map(|(_, v)| v.clone()).collect())?;
        let resumable = Resumable::open(
            path,
            self.run(images, &fit),
            &vars,
            &mut [optimizer.as_mut()],
            &fit,
        )?;
        let done = resumable.done();
        if done >= fit.epochs {
            return Ok(resumable.whole(&History::new()));
        }
        fit.epochs -= done;
        let images = images.to_device(self.encoder.device())?;
        let seed = self.seed.wrapping_add(done as u64);
        let mut step = VaeStep {
            vae: self,
            optimizer,
            noise: StdRng::seed_from_u64(seed ^ 0x6e01_5e00),
            resumable,
            vars,
        };
        let mut rng = StdRng::seed_from_u64(seed);
        let history = run_epochs(&mut step, &[&images], &mut fit, &mut rng)?;
        Ok(step.resumable.whole(&history))
    }

    /// What a checkpoint must match to be resumed.
    fn run(&self, images: &Tensor, fit: &Fit) -> String {
        let params: usize = self.vars().iter().map(|(_, v)| v.elem_count()).sum();
        format!(
            "VAE of {params} parameters, latent {}, KL weight {}; {} images, batch {}, seed {}",
            self.latent,
            self.kl_weight,
            images.dim(0).unwrap_or(0),
            fit.batch_size,
            self.seed
        )
    }
}

/// The custom training step, for [`run_epochs`].
struct VaeStep<'a> {
    vae: &'a Vae,
    optimizer: Box<dyn ParamUpdate>,
    noise: StdRng,
    resumable: Resumable,
    vars: Vec<(String, Var)>,
}

impl TrainStep for VaeStep<'_> {
    fn train_batch(&mut self, batch: &[Tensor]) -> Result<Logs> {
        let images = &batch[0];
        let epsilon = self.vae.noise(images.dim(0)?, &mut self.noise)?;
        let losses = self.vae.losses(images, &epsilon)?;
        self.optimizer.step(&losses.total.backward()?)?;
        let value = |t: &Tensor| -> Result<f64> { Ok(t.to_scalar::<f32>()? as f64) };
        Ok(Logs::from([
            (Key::LOSS, value(&losses.total)?),
            (RECONSTRUCTION_LOSS, value(&losses.reconstruction)?),
            (KL_LOSS, value(&losses.kl)?),
        ]))
    }

    fn learning_rate(&self) -> Option<f64> {
        Some(self.optimizer.learning_rate())
    }

    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.optimizer.set_learning_rate(learning_rate);
    }

    fn vars(&self) -> Vec<Var> {
        self.vars.iter().map(|(_, v)| v.clone()).collect()
    }

    fn after_epoch(&mut self, history: &History) -> Result<()> {
        self.resumable
            .save(&self.vars, &[self.optimizer.as_ref()], history)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Device};

    /// 64 images: a bright square on a dark background, at one of four places.
    fn squares() -> Result<Tensor> {
        let mut pixels = vec![0f32; 64 * 784];
        for i in 0..64 {
            let (top, left) = (4 + 10 * (i % 2), 4 + 10 * ((i / 2) % 2));
            for r in top..top + 10 {
                for c in left..left + 10 {
                    pixels[i * 784 + r * 28 + c] = 1.0;
                }
            }
        }
        Ok(Tensor::from_vec(pixels, (64, 1, 28, 28), &Device::Cpu)?)
    }

    fn decoded(vae: &Vae) -> Result<Vec<f32>> {
        let z = Tensor::new(&[[0.5f32, -1.0]], &Device::Cpu)?;
        Ok(vae.decode(&z)?.flatten_all()?.to_vec1::<f32>()?)
    }

    #[test]
    fn training_lowers_the_loss_and_records_three_curves() -> Result<()> {
        let vae = Vae::fashion_mnist(&Device::Cpu, 1)?;
        let fit = Fit::epochs(3).batch_size(16).quiet();
        let history = vae.fit(&squares()?, fit, Optimizer::adam(0.003))?;
        let loss = history.loss();
        assert_eq!(loss.len(), 3);
        assert!(loss[2] < 0.8 * loss[0], "{loss:?}");
        for key in [&RECONSTRUCTION_LOSS, &KL_LOSS] {
            assert_eq!(history.get(key).map(<[f64]>::len), Some(3), "{key}");
        }
        Ok(())
    }

    #[test]
    fn a_checkpointed_run_resumes_where_it_stopped() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("dlcourse-vae-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("vae.safetensors");
        std::fs::remove_file(&path).ok();
        let images = squares()?;
        let fit = |epochs| Fit::epochs(epochs).batch_size(32).quiet();
        let first = Vae::fashion_mnist(&Device::Cpu, 2)?;
        let history = first.fit_with_checkpoint(&images, fit(1), Optimizer::adam(0.001), &path)?;
        assert_eq!(history.epochs(), 1);

        // A new process would build a fresh model: it gets the trained weights back…
        let second = Vae::fashion_mnist(&Device::Cpu, 2)?;
        let done = second.fit_with_checkpoint(&images, fit(1), Optimizer::adam(0.001), &path)?;
        assert_eq!(done, history);
        assert_eq!(decoded(&second)?, decoded(&first)?);
        // …and trains only the epochs still missing, keeping the earlier ones.
        let more = second.fit_with_checkpoint(&images, fit(2), Optimizer::adam(0.001), &path)?;
        assert_eq!(more.epochs(), 2);
        assert_eq!(more.loss()[0], history.loss()[0]);
        assert_ne!(decoded(&second)?, decoded(&first)?);

        // Another data size is another run: refused, not resumed.
        let half = images.narrow(0, 0, 32)?;
        let err = second
            .fit_with_checkpoint(&half, fit(3), Optimizer::adam(0.001), &path)
            .unwrap_err();
        assert!(err.to_string().contains("32 images"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
        Ok(())
    }

    #[test]
    fn validation_data_is_refused() -> Result<()> {
        let vae = Vae::fashion_mnist(&Device::Cpu, 0)?;
        let x = Tensor::zeros((4, 1, 28, 28), DType::F32, &Device::Cpu)?;
        let fit = Fit::epochs(1).validation_split(0.5).quiet();
        assert!(vae.fit(&x, fit, Optimizer::adam(0.001)).is_err());
        Ok(())
    }
}
