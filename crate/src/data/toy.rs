//! Small generated datasets: the hello-world regressions of lesson 01.

use crate::error::Result;
use candle_core::{Device, Tensor};

/// Inputs and targets, one row per sample (shape `[n, 1]` each for these sets).
#[derive(Debug, Clone)]
pub struct Pairs {
    /// Inputs, `[n, 1]`.
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
