//! Data augmentation: random shifts and horizontal flips of a batch of images, drawn
//! anew for every batch while training (Keras: `RandomTranslation` and `RandomFlip`
//! layers, or `ImageDataGenerator(width_shift_range=.., horizontal_flip=True)`).
//!
//! The whole batch is moved in one gather (`index_select`) on the device it lives on;
//! pixels shifted in from outside the image are 0 (Keras' `fill_mode="constant"`), the
//! background of MNIST and Fashion-MNIST.
//!
//! ```
//! use dlcourse::data::augment::Augment;
//! use dlcourse::prelude::*;
//! # fn main() -> dlcourse::Result<()> {
//! let images = Tensor::rand(0f32, 1., (32, 28, 28), &Device::Cpu)?;
//! let moved = Augment::new().shift(2).flip_horizontal().apply_seeded(&images, 0)?;
//! assert_eq!(moved.dims(), images.dims());
//! // Training with it: Fit::epochs(10).augment(Augment::new().shift(2))
//! # Ok(()) }
//! ```

use crate::error::{Error, Result};
use candle_core::Tensor;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Random changes applied to each image of a batch: a shift of up to `shift` pixels in
/// each direction, and a left-right mirror with probability ½ when flips are on.
///
/// Flips suit photographs and clothing (a mirrored shoe is still a shoe) but not
/// digits or letters: a mirrored 3 is not a 3.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Augment {
    shift: usize,
    flip: bool,
}

/// What happens to one image: moved `dx` pixels right and `dy` down, after an optional
/// left-right mirror.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Move {
    dx: isize,
    dy: isize,
    flip: bool,
}

impl Augment {
    /// No change yet: add [`Augment::shift`] and/or [`Augment::flip_horizontal`].
    pub fn new() -> Self {
        Augment::default()
    }

    /// Moves each image by a whole number of pixels drawn uniformly from
    /// `-pixels..=pixels`, horizontally and vertically on their own.
    pub fn shift(mut self, pixels: usize) -> Self {
        self.shift = pixels;
        self
    }

    /// Mirrors each image left-right with probability ½.
    pub fn flip_horizontal(mut self) -> Self {
        self.flip = true;
        self
    }

    /// A randomly changed copy of `images`, a batch `[N, H, W]` or `[N, C, H, W]` (the last
    /// two dimensions are rows and columns; every channel of an image moves alike), of
    /// any dtype. The changes are drawn from `rng`, so a seeded generator repeats them.
    pub fn apply(&self, images: &Tensor, rng: &mut StdRng) -> Result<Tensor> {
        let dims = images.dims();
        if dims.len() < 3 {
            return Err(Error::shape(
                "augmenting a batch of images",
                "images of shape [N, H, W] or [N, C, H, W]",
                format!("shape {dims:?}"),
                "keep the images' shape (e.g. data.train.images_f32()?) and put Flatten \
                 first in the model",
            ));
        }
        let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
        if self.shift >= h.min(w) {
            return Err(Error::shape(
                "augmenting a batch of images",
                format!("a shift smaller than the images' {h}×{w} pixels"),
                format!("shift({})", self.shift),
                "shift by a few pixels, e.g. Augment::new().shift(2)",
            ));
        }
        if *self == Augment::new() {
            return Ok(images.clone());
        }
        let n = dims[0];
        let planes = dims[1..dims.len() - 2].iter().product::<usize>();
        let s = self.shift as i64;
        let moves: Vec<Move> = (0..n)
            .map(|_| Move {
                dx: rng.random_range(-s..=s) as isize,
                dy: rng.random_range(-s..=s) as isize,
                flip: self.flip && rng.random_bool(0.5),
            })
            .collect();
        let sources = sources(&moves, planes, h, w);
        let index = Tensor::from_vec(sources, images.elem_count(), images.device())?;
        // The element after the last pixel is the 0 that shifted-in pixels take.
        let zero = Tensor::zeros(1, images.dtype(), images.device())?;
        let flat = Tensor::cat(&[&images.flatten_all()?, &zero], 0)?;
        Ok(flat.index_select(&index, 0)?.reshape(dims)?)
    }

    /// [`Augment::apply`] with a generator seeded by `seed`: to look at what training
    /// will see.
    ///
    /// ```
    /// # use dlcourse::data::augment::Augment;
    /// # use candle_core::{DType, Device, Tensor};
    /// let images = Tensor::ones((4, 28, 28), DType::F32, &Device::Cpu)?;
    /// let a = Augment::new().shift(3).apply_seeded(&images, 1)?;
    /// let b = Augment::new().shift(3).apply_seeded(&images, 1)?;
    /// assert_eq!(a.sum_all()?.to_scalar::<f32>()?, b.sum_all()?.to_scalar::<f32>()?);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn apply_seeded(&self, images: &Tensor, seed: u64) -> Result<Tensor> {
        self.apply(images, &mut StdRng::seed_from_u64(seed))
    }
}

/// For every output pixel of a batch of `moves.len()` images of `planes` channels of
/// `h`×`w`, the flat index of the input pixel it copies; pixels that come from outside
/// the image get `moves.len() * planes * h * w`, the index of an appended zero.
///
/// Output pixel (y, x) of an image moved by (dx, dy) copies input (y − dy, x − dx), taken
/// from the mirrored image (column w − 1 − x) when the move flips.
fn sources(moves: &[Move], planes: usize, h: usize, w: usize) -> Vec<u32> {
    let outside = (moves.len() * planes * h * w) as u32;
    let mut index = Vec::with_capacity(moves.len() * planes * h * w);
    for (i, m) in moves.iter().enumerate() {
        for p in 0..planes {
            let plane = (i * planes + p) * h * w;
            for y in 0..h as isize {
                let sy = y - m.dy;
                for x in 0..w as isize {
                    let sx = x - m.dx;
                    let sx = if m.flip { w as isize - 1 - sx } else { sx };
                    let inside = (0..h as isize).contains(&sy) && (0..w as isize).contains(&sx);
                    index.push(match inside {
                        true => (plane + sy as usize * w + sx as usize) as u32,
                        false => outside,
                    });
                }
            }
        }
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor};
    use rand::SeedableRng;

    /// One 1×3×3 image 1..9 moved by `m`, as rows.
    fn moved(m: Move) -> Vec<Vec<u32>> {
        let image: Vec<u32> = (1..=9).collect();
        let zero_padded: Vec<u32> = image.iter().copied().chain([0]).collect();
        let out: Vec<u32> = sources(&[m], 1, 3, 3)
            .into_iter()
            .map(|i| zero_padded[i as usize])
            .collect();
        out.chunks(3).map(<[u32]>::to_vec).collect()
    }

    const fn mv(dx: isize, dy: isize, flip: bool) -> Move {
        Move { dx, dy, flip }
    }

    #[test]
    fn shifts_move_the_content_and_fill_with_zeros() {
        let right = moved(mv(1, 0, false));
        assert_eq!(right, [[0, 1, 2], [0, 4, 5], [0, 7, 8]]);
        let up_left = moved(mv(-1, -1, false));
        assert_eq!(up_left, [[5, 6, 0], [8, 9, 0], [0, 0, 0]]);
        assert_eq!(moved(mv(0, 0, false)), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    }

    #[test]
    fn flips_mirror_the_columns_before_the_shift() {
        assert_eq!(moved(mv(0, 0, true)), [[3, 2, 1], [6, 5, 4], [9, 8, 7]]);
        // Mirrored, then moved one pixel down.
        assert_eq!(moved(mv(0, 1, true)), [[0, 0, 0], [3, 2, 1], [6, 5, 4]]);
        assert_eq!(moved(mv(1, 0, true)), [[0, 3, 2], [0, 6, 5], [0, 9, 8]]);
    }

    #[test]
    fn every_channel_and_image_moves_by_its_own_draw() {
        // Two images of two 1×2 channels: the first moved right, the second mirrored.
        let index = sources(&[mv(1, 0, false), mv(0, 0, true)], 2, 1, 2);
        assert_eq!(index, [8, 0, 8, 2, 5, 4, 7, 6]);
    }

    #[test]
    fn a_seed_repeats_the_changes_and_pixels_are_kept() -> Result<()> {
        let images =
            Tensor::arange(1f32, 1. + 4. * 2. * 8. * 8., &Device::Cpu)?.reshape((4, 2, 8, 8))?;
        let augment = Augment::new().shift(2).flip_horizontal();
        let run = |seed| augment.apply(&images, &mut StdRng::seed_from_u64(seed));
        let a = run(7)?.flatten_all()?.to_vec1::<f32>()?;
        assert_eq!(a, run(7)?.flatten_all()?.to_vec1::<f32>()?);
        assert_ne!(a, run(8)?.flatten_all()?.to_vec1::<f32>()?);
        // Every value is a pixel of the same image and channel, or a shifted-in 0.
        for (i, v) in a.iter().enumerate() {
            let plane = i / 64;
            let from = (*v as usize).wrapping_sub(1) / 64;
            assert!(*v == 0.0 || from == plane, "pixel {i} = {v} left its plane");
        }
        let kept = a.iter().filter(|v| **v != 0.0).count();
        assert!(kept >= 4 * 2 * 6 * 6, "too many pixels lost: {kept}");
        Ok(())
    }

    #[test]
    fn no_change_and_bad_shapes() -> Result<()> {
        let images = Tensor::ones((2, 5, 5), candle_core::DType::U8, &Device::Cpu)?;
        let mut rng = StdRng::seed_from_u64(0);
        let same = Augment::new().apply(&images, &mut rng)?;
        assert_eq!(same.to_vec3::<u8>()?, images.to_vec3::<u8>()?);
        let flat = Tensor::ones((2, 25), candle_core::DType::F32, &Device::Cpu)?;
        let err = Augment::new().shift(1).apply(&flat, &mut rng).unwrap_err();
        assert!(err.to_string().contains("[N, H, W]"), "{err}");
        let err = Augment::new()
            .shift(5)
            .apply(&images, &mut rng)
            .unwrap_err();
        assert!(err.to_string().contains("shift(5)"), "{err}");
        Ok(())
    }
}
