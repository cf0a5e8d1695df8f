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

#[cfg(test)]
mod tests {
    use super::*;

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
