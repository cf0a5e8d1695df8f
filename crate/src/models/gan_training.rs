//! Training a [`Gan`]: per batch, one discriminator step (real samples against freshly
//! drawn ones) and then one generator step (drawn samples the discriminator should call
//! real), each with its own optimiser, on the crate's epoch loop — optionally with a
//! checkpoint of both halves and both optimisers after every epoch.

use crate::error::{Error, Result};
use crate::models::Gan;
use crate::train::{
    Fit, History, Key, Logs, Optimizer, ParamUpdate, Resumable, TrainStep, Validation, run_epochs,
};
use candle_core::{Tensor, Var};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::Path;

/// The discriminator's loss per epoch in the history (binary cross-entropy, real and
/// drawn samples together; ln 2 ≈ 0.69 when it cannot tell them apart).
pub const DISCRIMINATOR_LOSS: Key = Key::named("d_loss");
/// The generator's loss per epoch in the history (low when it fools the discriminator).
pub const GENERATOR_LOSS: Key = Key::named("g_loss");
/// The discriminator's accuracy per epoch (real called real, drawn called drawn; ½ is a
/// coin toss).
pub const DISCRIMINATOR_ACCURACY: Key = Key::named("d_accuracy");

/// The optimiser of a GAN's two halves in the usual DCGAN setting: Adam with learning
/// rate 0.0002 and β₁ = 0.5 (less momentum than Keras' 0.9, which makes the two-player
/// game oscillate).
pub fn gan_adam(learning_rate: f64) -> Optimizer {
    match Optimizer::adam(learning_rate) {
        Optimizer::Adam {
            beta_2, epsilon, ..
        } => Optimizer::Adam {
            learning_rate,
            beta_1: 0.5,
            beta_2,
            epsilon,
        },
        other => other,
    }
}

impl Gan {
    /// Trains on `samples` (images `[n, 1, 28, 28]` in 0..1, or points `[n, 2]`) for
    /// `fit.epochs` epochs of `fit.batch_size`: each batch, the discriminator takes a step
    /// (with `discriminator`) on the real batch against as many drawn samples, then the
    /// generator takes a step (with `generator`) on fresh noise. The history holds, per
    /// epoch, `d_loss`, `g_loss` and `d_accuracy`.
    ///
    /// ```
    /// use dlcourse::prelude::*;
    /// use dlcourse::models::{self, Gan};
    /// # fn main() -> dlcourse::Result<()> {
    /// let gan = Gan::ring(&Device::Cpu, 0)?;
    /// let ring = models::ring_points(64, 0)?;
    /// let adam = models::gan_adam(0.001);
    /// let history = gan.fit(&ring, Fit::epochs(2).batch_size(32).quiet(), adam, adam)?;
    /// assert_eq!(history.get(&models::DISCRIMINATOR_ACCURACY).map(<[f64]>::len), Some(2));
    /// # Ok(()) }
    /// ```
    pub fn fit(
        &self,
        samples: &Tensor,
        fit: Fit,
        discriminator: Optimizer,
        generator: Optimizer,
    ) -> Result<History> {
        self.train(samples, fit, [discriminator, generator], None)
    }

    /// Like [`Gan::fit`], saving both halves' weights, both optimisers' state and the
    /// history to `path` after every epoch. When `path` holds the first epochs of the same
    /// run (same models, data size, batch size, seed), training goes on from there up to
    /// `fit.epochs`, and the history returned covers every epoch — so calling it with
    /// `Fit::epochs(e)` for e = 1, 2, 3… trains one more epoch each time. A resumed run
    /// shuffles and draws noise afresh from the seed and the epoch it starts at. Unless
    /// `fit` is quiet, a resumed run says so.
    pub fn fit_with_checkpoint(
        &self,
        samples: &Tensor,
        fit: Fit,
        discriminator: Optimizer,
        generator: Optimizer,
        path: impl AsRef<Path>,
    ) -> Result<History> {
        self.train(
            samples,
            fit,
            [discriminator, generator],
            Some(path.as_ref()),
        )
    }

    fn train(
        &self,
        samples: &Tensor,
        mut fit: Fit,
        [d_optimizer, g_optimizer]: [Optimizer; 2],
        path: Option<&Path>,
    ) -> Result<History> {
        self.check_samples(samples, "training a GAN")?;
        if !matches!(fit.validation, Validation::None) {
            return Err(Error::Usage(
                "training a GAN: validation data is not supported — leave it out of Fit; \
                 a GAN has no target to validate against"
                    .into(),
            ));
        }
        let (d_vars, g_vars) = (self.vars(false), self.vars(true));
        let build =
            |o: Optimizer, v: &[(String, Var)]| o.build(v.iter().map(|(_, v)| v.clone()).collect());
        let mut d_opt = build(d_optimizer, &d_vars)?;
        let mut g_opt = build(g_optimizer, &g_vars)?;
        let vars: Vec<(String, Var)> = d_vars.iter().chain(&g_vars).cloned().collect();
        let resumable = Resumable::open(
            path,
            self.run(samples, &fit),
            &vars,
            &mut [d_opt.as_mut(), g_opt.as_mut()],
            &fit,
        )?;
        let done = resumable.done();
        if done >= fit.epochs {
            return Ok(resumable.whole(&History::new()));
        }
        fit.epochs -= done;
        let samples = samples.to_device(self.generator.device())?;
        let seed = self.seed.wrapping_add(done as u64);
        let mut step = GanStep {
            gan: self,
            d_opt,
            g_opt,
            noise: StdRng::seed_from_u64(seed ^ 0x6a4e_0016),
            resumable,
            vars,
        };
        let mut rng = StdRng::seed_from_u64(seed);
        let history = run_epochs(&mut step, &[&samples], &mut fit, &mut rng)?;
        Ok(step.resumable.whole(&history))
    }

    /// What a checkpoint must match to be resumed.
    fn run(&self, samples: &Tensor, fit: &Fit) -> String {
        let count =
            |vars: Vec<(String, Var)>| -> usize { vars.iter().map(|(_, v)| v.elem_count()).sum() };
        format!(
            "GAN of {} + {} parameters, noise {} ({:?}), {} discriminator step(s); {} samples, \
             batch {}, seed {}",
            count(self.vars(true)),
            count(self.vars(false)),
            self.noise_dim,
            self.noise,
            self.discriminator_steps,
            samples.dim(0).unwrap_or(0),
            fit.batch_size,
            self.seed
        )
    }
}

/// The training step, for [`run_epochs`].
struct GanStep<'a> {
    gan: &'a Gan,
    d_opt: Box<dyn ParamUpdate>,
    g_opt: Box<dyn ParamUpdate>,
    noise: StdRng,
    resumable: Resumable,
    /// The discriminator's variables, then the generator's.
    vars: Vec<(String, Var)>,
}

impl TrainStep for GanStep<'_> {
    fn train_batch(&mut self, batch: &[Tensor]) -> Result<Logs> {
        let real = &batch[0];
        let n = real.dim(0)?;
        let (mut d_loss, mut accuracy) = (0.0, 0.0);
        let k = self.gan.discriminator_steps;
        for _ in 0..k {
            let fake = self
                .gan
                .draw(&self.gan.draw_noise(n, &mut self.noise)?, true)?;
            let (loss, right) = self.gan.discriminator_loss(real, &fake)?;
            self.d_opt.step(&loss.backward()?)?;
            d_loss += loss.to_scalar::<f32>()? as f64 / k as f64;
            accuracy += right / k as f64;
        }
        let fake = self
            .gan
            .draw(&self.gan.draw_noise(n, &mut self.noise)?, false)?;
        let g_loss = self.gan.generator_loss(&fake)?;
        self.g_opt.step(&g_loss.backward()?)?;
        Ok(Logs::from([
            (DISCRIMINATOR_LOSS, d_loss),
            (GENERATOR_LOSS, g_loss.to_scalar::<f32>()? as f64),
            (DISCRIMINATOR_ACCURACY, accuracy),
        ]))
    }

    fn learning_rate(&self) -> Option<f64> {
        Some(self.g_opt.learning_rate())
    }

    fn vars(&self) -> Vec<Var> {
        self.vars.iter().map(|(_, v)| v.clone()).collect()
    }

    fn after_epoch(&mut self, history: &History) -> Result<()> {
        self.resumable.save(
            &self.vars,
            &[self.d_opt.as_ref(), self.g_opt.as_ref()],
            history,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ring_points;
    use candle_core::Device;

    fn ring_gan(seed: u64) -> Result<Gan> {
        Gan::ring(&Device::Cpu, seed)
    }

    /// Mean distance of the generated points from the origin.
    fn radius(gan: &Gan) -> Result<f32> {
        let points = gan.generate(&gan.noise(500, 9)?)?;
        Ok(points
            .sqr()?
            .sum(1)?
            .sqrt()?
            .mean_all()?
            .to_scalar::<f32>()?)
    }

    #[test]
    fn the_generator_learns_to_draw_points_near_the_ring() -> Result<()> {
        let gan = ring_gan(3)?;
        let before = radius(&gan)?;
        let adam = gan_adam(0.002);
        let fit = Fit::epochs(60).batch_size(64).quiet();
        let history = gan.fit(&ring_points(512, 1)?, fit, adam, adam)?;
        let after = radius(&gan)?;
        // Untrained, the points sit in a small blob near the origin; trained, on the ring.
        assert!(before < 0.6, "{before}");
        assert!((after - 1.0).abs() < 0.25, "radius {before} → {after}");
        let accuracy = history.get(&DISCRIMINATOR_ACCURACY).expect("a curve");
        assert!(accuracy.last().is_some_and(|a| *a < 0.8), "{accuracy:?}");
        Ok(())
    }

    #[test]
    fn a_checkpointed_run_resumes_both_halves_and_both_optimisers() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("dlcourse-gan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("gan.safetensors");
        std::fs::remove_file(&path).ok();
        let ring = ring_points(128, 0)?;
        let fit = |epochs| Fit::epochs(epochs).batch_size(32).quiet();
        let adam = gan_adam(0.001);
        let first = ring_gan(4)?;
        let history = first.fit_with_checkpoint(&ring, fit(1), adam, adam, &path)?;
        let drawn = |gan: &Gan| {
            gan.generate(&gan.noise(4, 0).unwrap())
                .unwrap()
                .to_vec2::<f32>()
                .unwrap()
        };

        let second = ring_gan(4)?;
        let again = second.fit_with_checkpoint(&ring, fit(1), adam, adam, &path)?;
        assert_eq!(again, history);
        assert_eq!(drawn(&second), drawn(&first));
        let more = second.fit_with_checkpoint(&ring, fit(2), adam, adam, &path)?;
        assert_eq!(more.epochs(), 2);
        assert_ne!(drawn(&second), drawn(&first));

        // Two discriminator steps are another run: refused, not resumed.
        let other = ring_gan(4)?.discriminator_steps(2)?;
        let err = other
            .fit_with_checkpoint(&ring, fit(3), adam, adam, &path)
            .unwrap_err();
        assert!(err.to_string().contains("2 discriminator step(s)"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
        Ok(())
    }
}
