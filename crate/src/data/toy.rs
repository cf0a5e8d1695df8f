//! Small generated datasets: the hello-world regressions of lesson 01, and 2-D point
//! clouds (TensorFlow-playground style) for classifiers and GANs, all drawn from a seed.
//!
//! ```
//! use dlcourse::data::toy;
//! let spiral = toy::spiral(200, 0.05, 42)?;
//! assert_eq!((spiral.x.dims(), spiral.y.dims()), (&[200, 2][..], &[200, 1][..]));
//! # Ok::<(), dlcourse::Error>(())
//! ```

use crate::error::{Error, Result};
use candle_core::{Device, Tensor};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use std::f32::consts::PI;

/// Inputs and targets, one row per sample: `x` is `[n, 1]` for the regressions and
/// `[n, 2]` for the point clouds; `y` is `[n, 1]` (a value, or a 0/1 class).
#[derive(Debug, Clone)]
pub struct Pairs {
    /// Inputs, `[n, features]`.
    pub x: Tensor,
    /// Targets, `[n, 1]`.
    pub y: Tensor,
}

fn column(values: &[f32]) -> Result<Tensor> {
    Ok(Tensor::from_slice(values, (values.len(), 1), &Device::Cpu)?)
}

/// The seven Celsius → Fahrenheit pairs of the Udacity lesson
/// (c = −40, −10, 0, 8, 15, 22, 38; f = −40, 14, 32, 46, 59, 72, 100).
///
/// ```
/// let data = dlcourse::data::toy::celsius_fahrenheit().unwrap();
/// assert_eq!(data.x.dims(), &[7, 1]);
/// ```
pub fn celsius_fahrenheit() -> Result<Pairs> {
    Ok(Pairs {
        x: column(&[-40., -10., 0., 8., 15., 22., 38.])?,
        y: column(&[-40., 14., 32., 46., 59., 72., 100.])?,
    })
}

/// The study jam's Y = 3X + 1 for X = −1, 0, 1, 2, 3, 4.
pub fn three_x_plus_one() -> Result<Pairs> {
    let xs: Vec<f32> = (-1..=4).map(|x| x as f32).collect();
    let ys: Vec<f32> = xs.iter().map(|x| 3.0 * x + 1.0).collect();
    Ok(Pairs {
        x: column(&xs)?,
        y: column(&ys)?,
    })
}

/// Gaussian noise of standard deviation `noise`, or an error for a negative/NaN one.
fn gaussian(noise: f32) -> Result<Normal<f32>> {
    let valid = noise >= 0.0 && noise.is_finite();
    valid
        .then(|| Normal::new(0.0, noise).ok())
        .flatten()
        .ok_or_else(|| {
            Error::shape(
                "generating a toy dataset",
                "a noise level ≥ 0 (the standard deviation of the jitter)",
                format!("{noise}"),
                "pass 0.0 for clean points, or e.g. 0.1",
            )
        })
}

/// Labelled points: classes alternate (sample `i` has class `i % 2`), so any first rows
/// hold both classes.
fn points(
    n: usize,
    noise: f32,
    seed: u64,
    mut point: impl FnMut(usize, u32, &mut StdRng) -> (f32, f32),
) -> Result<Pairs> {
    let jitter = gaussian(noise)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut xs = Vec::with_capacity(2 * n);
    let mut ys = Vec::with_capacity(n);
    for i in 0..n {
        let class = (i % 2) as u32;
        let (a, b) = point(i / 2, class, &mut rng);
        xs.push(a + jitter.sample(&mut rng));
        xs.push(b + jitter.sample(&mut rng));
        ys.push(class as f32);
    }
    Ok(Pairs {
        x: Tensor::from_vec(xs, (n, 2), &Device::Cpu)?,
        y: Tensor::from_vec(ys, (n, 1), &Device::Cpu)?,
    })
}

/// The playground's "circle": class 1 is a disc of radius 0.5 around the origin, class 0
/// a ring between radii 0.7 and 1; `noise` is the standard deviation of a Gaussian
/// jitter added to both coordinates. `x` is `f32` `[n, 2]`, `y` `f32` `[n, 1]`.
///
/// ```
/// let data = dlcourse::data::toy::circle(100, 0.0, 1)?;
/// let (x, y) = (data.x.to_vec2::<f32>()?, data.y.to_vec2::<f32>()?);
/// let r = |p: &Vec<f32>| (p[0] * p[0] + p[1] * p[1]).sqrt();
/// assert!(x.iter().zip(&y).all(|(p, c)| (r(p) <= 0.5) == (c[0] == 1.0)));
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn circle(n: usize, noise: f32, seed: u64) -> Result<Pairs> {
    points(n, noise, seed, |_, class, rng| {
        let r = if class == 1 {
            rng.random_range(0.0..0.5)
        } else {
            rng.random_range(0.7..1.0)
        };
        let angle = rng.random_range(0.0..2.0 * PI);
        (r * angle.cos(), r * angle.sin())
    })
}

/// The playground's "spiral": two interleaved spirals, each turning 1.75 times from the
/// origin out to radius 1, the second rotated by half a turn (class 0 and class 1).
/// `noise` is the standard deviation of a Gaussian jitter. `x` `f32` `[n, 2]`, `y`
/// `f32` `[n, 1]`.
///
/// ```
/// let a = dlcourse::data::toy::spiral(50, 0.1, 7)?;
/// let b = dlcourse::data::toy::spiral(50, 0.1, 7)?;
/// assert_eq!(a.x.to_vec2::<f32>()?, b.x.to_vec2::<f32>()?); // same seed, same points
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn spiral(n: usize, noise: f32, seed: u64) -> Result<Pairs> {
    let per_class = n.div_ceil(2).max(1) as f32;
    points(n, noise, seed, |i, class, _| {
        let r = i as f32 / per_class;
        let t = 1.75 * 2.0 * PI * r + class as f32 * PI;
        (r * t.sin(), r * t.cos())
    })
}

/// Points on the unit circle at random angles, with a Gaussian jitter of standard
/// deviation `noise` on both coordinates: the "real data" of a GAN demo. `f32` `[n, 2]`.
///
/// ```
/// let ring = dlcourse::data::toy::ring(500, 0.0, 3)?;
/// let r = ring.sqr()?.sum(1)?.sqrt()?.to_vec1::<f32>()?;
/// assert!(r.iter().all(|r| (r - 1.0).abs() < 1e-5));
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn ring(n: usize, noise: f32, seed: u64) -> Result<Tensor> {
    let jitter = gaussian(noise)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut xs = Vec::with_capacity(2 * n);
    for _ in 0..n {
        let angle: f32 = rng.random_range(0.0..2.0 * PI);
        xs.push(angle.cos() + jitter.sample(&mut rng));
        xs.push(angle.sin() + jitter.sample(&mut rng));
    }
    Ok(Tensor::from_vec(xs, (n, 2), &Device::Cpu)?)
}

/// The columns of [`hiring`]'s `x`, in order.
pub const HIRING_COLUMNS: [&str; 3] = ["age", "years of experience", "test score"];

/// Made-up past hiring decisions that held age against the candidates: the data of a
/// proxy-feature demonstration. Each of the `n` candidates has
///
/// * an **age**, a whole number of years from 22 to 64 (uniform);
/// * **years of experience**: (age − 22) × a share drawn from 0.5 to 1 (time spent out
///   of work), plus a Gaussian jitter of 2 years, at least 0 — so it follows the age
///   closely (correlation about 0.9);
/// * a **test score**, standard normal and independent of age: the only thing about a
///   candidate that says how good they would be at the job.
///
/// The label (1 = hired) is drawn with probability σ(1.5 × score − 0.1 × (age − 40)):
/// the past decisions rewarded the score, and also took 0.1 off the log-odds for every
/// year of age. `x` is `f32` `[n, 3]` in the order of [`HIRING_COLUMNS`], `y` `f32`
/// `[n, 1]`.
///
/// ```
/// use dlcourse::data::toy;
/// let data = toy::hiring(1000, 0)?;
/// assert_eq!(data.x.dims(), &[1000, 3]);
/// let age = data.x.narrow(1, 0, 1)?.flatten_all()?.to_vec1::<f32>()?;
/// let hired = data.y.flatten_all()?.to_vec1::<f32>()?;
/// let rate = |young: bool| {
///     let group: Vec<f32> = age.iter().zip(&hired).filter(|(a, _)| (**a < 35.0) == young).map(|(_, h)| *h).collect();
///     group.iter().sum::<f32>() / group.len() as f32
/// };
/// assert!(rate(true) > rate(false) + 0.2); // the young were hired far more often
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn hiring(n: usize, seed: u64) -> Result<Pairs> {
    let mut rng = StdRng::seed_from_u64(seed);
    let (jitter, standard) = (gaussian(2.0)?, gaussian(1.0)?);
    let mut xs = Vec::with_capacity(3 * n);
    let mut ys = Vec::with_capacity(n);
    for _ in 0..n {
        let age = rng.random_range(22..=64) as f32;
        let worked: f32 = rng.random_range(0.5..=1.0);
        let experience = ((age - 22.0) * worked + jitter.sample(&mut rng)).max(0.0);
        let score = standard.sample(&mut rng);
        let log_odds = 1.5 * score - 0.1 * (age - 40.0);
        let hired = rng.random::<f32>() < 1.0 / (1.0 + (-log_odds).exp());
        xs.extend([age, experience, score]);
        ys.push(f32::from(u8::from(hired)));
    }
    Ok(Pairs {
        x: Tensor::from_vec(xs, (n, 3), &Device::Cpu)?,
        y: column(&ys)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hiring_is_seeded_and_experience_follows_age_but_the_score_does_not() -> Result<()> {
        let data = hiring(4000, 1)?;
        assert_eq!(
            data.x.to_vec2::<f32>()?,
            hiring(4000, 1)?.x.to_vec2::<f32>()?
        );
        let rows = data.x.to_vec2::<f32>()?;
        let column = |j: usize| rows.iter().map(|r| r[j] as f64).collect::<Vec<f64>>();
        let corr = |a: &[f64], b: &[f64]| {
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let (ma, mb) = (mean(a), mean(b));
            let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
            let var = |v: &[f64], m: f64| v.iter().map(|x| (x - m).powi(2)).sum::<f64>();
            cov / (var(a, ma) * var(b, mb)).sqrt()
        };
        let (age, experience, score) = (column(0), column(1), column(2));
        assert!(
            corr(&age, &experience) > 0.85,
            "{}",
            corr(&age, &experience)
        );
        assert!(corr(&age, &score).abs() < 0.05, "{}", corr(&age, &score));
        assert!(age.iter().all(|a| (22.0..=64.0).contains(a)));
        assert!(
            experience
                .iter()
                .zip(&age)
                .all(|(e, a)| *e >= 0.0 && *e <= a - 22.0 + 10.0)
        );
        Ok(())
    }

    #[test]
    fn point_clouds_are_seeded_balanced_and_reject_negative_noise() -> Result<()> {
        let a = circle(101, 0.1, 5)?;
        let b = circle(101, 0.1, 5)?;
        assert_eq!(a.x.to_vec2::<f32>()?, b.x.to_vec2::<f32>()?);
        assert_ne!(
            a.x.to_vec2::<f32>()?,
            circle(101, 0.1, 6)?.x.to_vec2::<f32>()?
        );
        let ones: f32 = a.y.sum_all()?.to_scalar()?;
        assert_eq!(ones, 50.0);
        assert!(spiral(10, -1.0, 0).is_err());
        assert_eq!(ring(7, 0.05, 0)?.dims(), &[7, 2]);
        Ok(())
    }
}
