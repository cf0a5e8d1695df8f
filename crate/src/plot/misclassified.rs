//! The gallery of misclassified images: only the wrong predictions, `true → predicted`.

use crate::error::Result;
use crate::plot::input::{class_indices, same_length};
use crate::plot::{Figure, Grid};
use candle_core::Tensor;

/// The images whose prediction is wrong (at most `limit` of them, in order), each
/// captioned `true → predicted` in red, with how many were wrong in the title.
/// `predicted` may be class numbers or rows of probabilities (`model.predict(&x)?`).
///
/// ```
/// use candle_core::{Device, Tensor};
/// let images = Tensor::rand(0f32, 1.0, (4, 28, 28), &Device::Cpu)?;
/// let truth = Tensor::new(&[0u8, 1, 2, 1], &Device::Cpu)?;
/// let predicted = Tensor::new(&[0u8, 2, 2, 0], &Device::Cpu)?;
/// let fig = dlcourse::plot::misclassified(&images, &truth, &predicted, &["a", "b", "c"], 25)?;
/// assert!(fig.to_png()?.starts_with(b"\x89PNG"));
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn misclassified<S: AsRef<str>>(
    images: &Tensor,
    truth: &Tensor,
    predicted: &Tensor,
    names: &[S],
    limit: usize,
) -> Result<Figure<Grid>> {
    let context = "drawing the misclassified images";
    let n = images.dims().first().copied().unwrap_or(0);
    let t = class_indices(truth, context)?;
    let p = class_indices(predicted, context)?;
    same_length(context, "true labels", n, t.len())?;
    same_length(context, "predictions", n, p.len())?;
    let wrong: Vec<u32> = (0..n).filter(|&i| t[i] != p[i]).map(|i| i as u32).collect();
    let shown = &wrong[..wrong.len().min(limit)];
    let pick = |x: &Tensor| -> Result<Tensor> {
        let index = Tensor::new(shown, x.device())?;
        Ok(x.index_select(&index, 0)?)
    };
    let title = format!(
        "Misclassified: {} of {n} (showing {}) — true → predicted",
        wrong.len(),
        shown.len()
    );
    let grid = Grid::new(&pick(images)?)?
        .predictions(&pick(truth)?, &pick(predicted)?, names)?
        .title(&title);
    Ok(grid.figure())
}
