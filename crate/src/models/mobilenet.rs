//! MobileNet v1 (width 0.25, 224×224 inputs): a real ImageNet-1k classifier of 470 k
//! trained parameters, for lesson 11 ("Transfer learning").
//!
//! The weights are Google's published Keras/TF.js MobileNet, repacked for Candle
//! (`pretrained/mobilenet_v1_0.25_224/` of the data folder; its `SOURCE.md` tells how).
//! The network is 27 convolutions: a 3×3 stem, then 13 blocks of a **depthwise** 3×3
//! convolution (one filter per channel, as Candle's `conv2d` with `groups = channels`) and a
//! **pointwise** 1×1 convolution that mixes the channels, each followed by batch
//! normalisation (folded into the convolution when the file is read) and ReLU6; then a
//! global average and a 256 → 1000 linear layer. Stride-2 convolutions pad as
//! TensorFlow's "same": nothing before, one row and column after.
//!
//! ```no_run
//! use dlcourse::models;
//! let net = models::mobilenet_v1()?;
//! let photo = dlcourse::data::photo("zebra")?;
//! let top = net.classify(&[photo], 5)?;
//! println!("{}: {:.3}", top[0].names[0], top[0].probabilities[0]); // zebra: 0.993
//! # Ok::<(), dlcourse::Error>(())
//! ```

use crate::data::{DataFile, Locator};
use crate::error::{Error, Result};
use candle_core::{D, DType, Device, Module, Tensor};
use image::RgbImage;
use image::imageops::FilterType;
use std::collections::HashMap;
use std::path::Path;

/// The weights, as one safetensors file with candle-nn names (made for the course from
/// Google's TF.js files, so it has no public address of its own).
pub const MOBILENET_WEIGHTS_FILE: DataFile = DataFile {
    path: "pretrained/mobilenet_v1_0.25_224/mobilenet_v1_0.25_224.safetensors",
    also: &[],
    url: "",
    sha256: Some("d63c13e72568229465a4c3774d0c38ab6dc8e144783409403b4990080ffe8707"),
};

/// The 1000 ImageNet class names in index order, one a line (PyTorch Hub's list).
pub const IMAGENET_CLASSES_FILE: DataFile = DataFile {
    path: "pretrained/mobilenet_v1_0.25_224/imagenet_classes.txt",
    also: &[],
    url: "https://raw.githubusercontent.com/pytorch/hub/c7895df70c7767403e36f82786d6b611b7984557/imagenet_classes.txt",
    sha256: Some("1f386e0d1cb6e28b9c2dac651c3dea6801e98ad1b41a14ce6bb1a093d72069f5"),
};

/// The side of the square images the network takes.
pub const IMAGE_SIZE: usize = 224;

/// Batch normalisation's ε in the published model.
const BN_EPSILON: f64 = 1e-3;

/// Output channels of the stem and of the 13 pointwise convolutions (width 0.25), and
/// the stride of each block's depthwise convolution.
const STEM: usize = 8;
const BLOCKS: [(usize, usize); 13] = [
    (16, 1),
    (32, 2),
    (32, 1),
    (64, 2),
    (64, 1),
    (128, 2),
    (128, 1),
    (128, 1),
    (128, 1),
    (128, 1),
    (128, 1),
    (256, 2),
    (256, 1),
];
const CLASSES: usize = 1000;

const FIX: &str = "the file must be MobileNet v1 0.25 (224) with candle-nn names, as described \
    in pretrained/mobilenet_v1_0.25_224/SOURCE.md — delete it, or set DLCOURSE_DATA to the \
    course's shared data folder";

/// A loaded MobileNet v1 0.25: a Candle module from images `[N, 3, 224, 224]` scaled to
/// −1..1 (see [`MobileNet::input`]) to class probabilities `[N, 1000]`.
#[derive(Debug, Clone)]
pub struct MobileNet {
    stem: ConvBn,
    blocks: Vec<(ConvBn, ConvBn)>,
    classifier_weight: Tensor,
    classifier_bias: Tensor,
    class_names: Vec<String>,
    values: usize,
}

/// A convolution with its batch normalisation folded in, then ReLU6.
#[derive(Debug, Clone)]
struct ConvBn {
    weight: Tensor,
    bias: Tensor,
    stride: usize,
    groups: usize,
}

/// The `k` most probable classes for one image, most probable first.
#[derive(Debug, Clone, PartialEq)]
pub struct TopLabels {
    /// Class indices (0..1000).
    pub indices: Vec<usize>,
    /// Class names.
    pub names: Vec<String>,
    /// Probabilities.
    pub probabilities: Vec<f64>,
}

impl TopLabels {
    /// The most probable class's index.
    pub fn best(&self) -> usize {
        self.indices[0]
    }

    /// Where `class` ranks (1 = top), or `None` when it is not among these `k`.
    pub fn rank_of(&self, class: usize) -> Option<usize> {
        self.indices.iter().position(|&i| i == class).map(|r| r + 1)
    }
}

/// The pretrained MobileNet v1 0.25, its files found as every dataset is found
/// ([`Locator::from_env`]).
///
/// ```no_run
/// let net = dlcourse::models::mobilenet_v1()?;
/// assert_eq!(net.class_names()[388], "giant panda");
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn mobilenet_v1() -> Result<MobileNet> {
    MobileNet::from_locator(&Locator::from_env())
}

impl MobileNet {
    /// The model with its files found by `locator`.
    ///
    /// ```no_run
    /// use dlcourse::{data::Locator, models::MobileNet};
    /// let net = MobileNet::from_locator(&Locator::only("../shared/data"))?;
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn from_locator(locator: &Locator) -> Result<Self> {
        let weights = locator.path_unpublished(&MOBILENET_WEIGHTS_FILE)?;
        let classes = locator.path(&IMAGENET_CLASSES_FILE)?;
        Self::from_files(&weights, &classes)
    }

    /// The model from a safetensors file of weights and a file of 1000 class names. A
    /// missing tensor, a tensor of the wrong shape or a wrong number of names is an
    /// [`Error::Data`] naming the file and the tensor.
    pub fn from_files(weights: &Path, classes: &Path) -> Result<Self> {
        let tensors = candle_core::safetensors::load(weights, &Device::Cpu).map_err(|e| {
            Error::data(
                weights,
                format!("expected a safetensors file, could not read it: {e}"),
                FIX,
            )
        })?;
        let file = WeightFile {
            path: weights,
            tensors,
        };
        let stem = file.conv_bn("conv1", "conv1_bn", [STEM, 3, 3, 3], 2, 1)?;
        let mut blocks = Vec::with_capacity(BLOCKS.len());
        let mut channels = STEM;
        for (i, &(out, stride)) in BLOCKS.iter().enumerate() {
            let (dw, pw) = (format!("conv_dw_{}", i + 1), format!("conv_pw_{}", i + 1));
            let depthwise = file.conv_bn(
                &dw,
                &format!("{dw}_bn"),
                [channels, 1, 3, 3],
                stride,
                channels,
            )?;
            let pointwise = file.conv_bn(&pw, &format!("{pw}_bn"), [out, channels, 1, 1], 1, 1)?;
            blocks.push((depthwise, pointwise));
            channels = out;
        }
        let classifier_weight = file
            .get("conv_preds.weight", &[CLASSES, channels, 1, 1])?
            .reshape((CLASSES, channels))?;
        let classifier_bias = file.get("conv_preds.bias", &[CLASSES])?;
        let values = file.tensors.values().map(Tensor::elem_count).sum();
        Ok(MobileNet {
            stem,
            blocks,
            classifier_weight,
            classifier_bias,
            class_names: read_class_names(classes)?,
            values,
        })
    }

    /// The 1000 ImageNet class names, in index order.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// The number of values in the weight file: 475,544 (470,072 trained weights and
    /// 5,472 running statistics of the batch normalisations), as Keras counts them.
    pub fn parameters(&self) -> usize {
        self.values
    }

    /// The size of the weights in bytes (4 per `f32` value): about 1.9 MB.
    pub fn size_bytes(&self) -> usize {
        4 * self.values
    }

    /// What the network is shown of a photo (`u8` RGB `[3, H, W]`, as
    /// [`data::photo`](crate::data::photo) gives it): the largest centred square,
    /// resized to 224×224 with a bilinear filter, still `u8` `[3, 224, 224]`.
    ///
    /// ```
    /// # use candle_core::{DType, Device, Tensor};
    /// let photo = Tensor::zeros((3, 300, 500), DType::U8, &Device::Cpu)?;
    /// let crop = dlcourse::models::MobileNet::crop(&photo)?;
    /// assert_eq!(crop.dims(), &[3, 224, 224]);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn crop(photo: &Tensor) -> Result<Tensor> {
        let (h, w) = match *photo.dims() {
            [3, h, w] if h > 0 && w > 0 && photo.dtype() == DType::U8 => (h, w),
            _ => {
                return Err(Error::shape(
                    "cropping a photo for MobileNet",
                    "a u8 RGB image [3, height, width]",
                    format!("{:?} {:?}", photo.dtype(), photo.dims()),
                    "load photos with dlcourse::data::photo (or read_photo)",
                ));
            }
        };
        let hwc = photo.permute((1, 2, 0))?.flatten_all()?.to_vec1::<u8>()?;
        let image = RgbImage::from_raw(w as u32, h as u32, hwc)
            .expect("a [3, h, w] tensor holds h·w RGB pixels");
        let side = h.min(w) as u32;
        let (left, top) = ((w as u32 - side) / 2, (h as u32 - side) / 2);
        let square = image::imageops::crop_imm(&image, left, top, side, side).to_image();
        let size = IMAGE_SIZE as u32;
        let resized = image::imageops::resize(&square, size, size, FilterType::Triangle);
        let hwc = Tensor::from_vec(
            resized.into_raw(),
            (IMAGE_SIZE, IMAGE_SIZE, 3),
            &Device::Cpu,
        )?;
        Ok(hwc.permute((2, 0, 1))?.contiguous()?)
    }

    /// The network's input for crops (`u8` `[3, 224, 224]` or `[N, 3, 224, 224]`):
    /// `f32`, `x / 127.5 − 1`, so the pixels run from −1 to 1, with a batch dimension.
    pub fn input(crops: &Tensor) -> Result<Tensor> {
        let x = match crops.rank() {
            3 => crops.unsqueeze(0)?,
            _ => crops.clone(),
        };
        if x.dims()[1..] != [3, IMAGE_SIZE, IMAGE_SIZE] {
            return Err(Error::shape(
                "feeding MobileNet",
                "crops of [3, 224, 224] (or a batch [N, 3, 224, 224])",
                format!("{:?}", crops.dims()),
                "crop each photo first with MobileNet::crop",
            ));
        }
        Ok(((x.to_dtype(DType::F32)? / 127.5)? - 1.0)?)
    }

    /// The `k` most probable classes of each photo (`u8` RGB `[3, H, W]`): crop, scale,
    /// run the network, rank.
    pub fn classify(&self, photos: &[Tensor], k: usize) -> Result<Vec<TopLabels>> {
        let crops = photos.iter().map(Self::crop).collect::<Result<Vec<_>>>()?;
        if crops.is_empty() {
            return Ok(Vec::new());
        }
        let probabilities = self.forward(&Self::input(&Tensor::stack(&crops, 0)?)?)?;
        self.top_k(&probabilities, k)
    }

    /// The `k` largest of each row of `probabilities` (`[N, 1000]`).
    pub fn top_k(&self, probabilities: &Tensor, k: usize) -> Result<Vec<TopLabels>> {
        if probabilities.rank() != 2 || probabilities.dim(1)? != CLASSES || k == 0 {
            return Err(Error::shape(
                "ranking MobileNet's classes",
                format!("probabilities [N, {CLASSES}] and k ≥ 1"),
                format!("{:?}, k = {k}", probabilities.dims()),
                "pass the output of the network (forward) and a positive k",
            ));
        }
        let rows = probabilities.to_dtype(DType::F32)?.to_vec2::<f32>()?;
        Ok(rows
            .iter()
            .map(|row| {
                let mut order: Vec<usize> = (0..row.len()).collect();
                order.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
                order.truncate(k.min(CLASSES));
                TopLabels {
                    names: order.iter().map(|&i| self.class_names[i].clone()).collect(),
                    probabilities: order.iter().map(|&i| row[i] as f64).collect(),
                    indices: order,
                }
            })
            .collect())
    }
}

impl Module for MobileNet {
    /// Images `[N, 3, 224, 224]` in −1..1 → probabilities `[N, 1000]`.
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        let mut xs = self.stem.forward(xs)?;
        for (depthwise, pointwise) in &self.blocks {
            xs = pointwise.forward(&depthwise.forward(&xs)?)?;
        }
        let features = xs.mean((2, 3))?;
        let logits = features
            .matmul(&self.classifier_weight.t()?)?
            .broadcast_add(&self.classifier_bias)?;
        candle_nn::ops::softmax(&logits, D::Minus1)
    }
}

impl Module for ConvBn {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        let kernel = self.weight.dim(3)?;
        // TensorFlow "same": stride 2 pads 0 before and 1 after; stride 1 pads evenly.
        let (xs, padding) = match self.stride {
            2 => (xs.pad_with_zeros(2, 0, 1)?.pad_with_zeros(3, 0, 1)?, 0),
            _ => (xs.clone(), kernel / 2),
        };
        let ys = match self.groups {
            1 => crate::kernels::conv2d_bias(
                &xs,
                &self.weight,
                &self.bias,
                crate::kernels::ConvParams {
                    padding,
                    stride: self.stride,
                },
            )?,
            _ => depthwise(&xs, &self.weight, &self.bias, self.stride, padding)?,
        };
        ys.clamp(0f32, 6f32)
    }
}

/// A depthwise convolution (one `k`×`k` filter per channel, `weight` `[C, 1, k, k]`) plus
/// `bias`, as `k²` shifted whole-tensor multiply-adds: the same result as Candle's
/// `conv2d` with `groups = C`, which runs one small convolution per channel instead.
fn depthwise(
    xs: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    stride: usize,
    padding: usize,
) -> candle_core::Result<Tensor> {
    let (channels, k) = (weight.dim(0)?, weight.dim(3)?);
    let xs = xs
        .pad_with_zeros(2, padding, padding)?
        .pad_with_zeros(3, padding, padding)?;
    let (h, w) = (xs.dim(2)?, xs.dim(3)?);
    let (Some(oh), Some(ow)) = (
        crate::kernels::output_len(h, k, stride, 0),
        crate::kernels::output_len(w, k, stride, 0),
    ) else {
        candle_core::bail!(
            "depthwise convolution: {h}×{w} padded images, smaller than the {k}×{k} kernel"
        )
    };
    let taps = |start: usize, n: usize| {
        let rows: Vec<u32> = (0..n).map(|i| (start + i * stride) as u32).collect();
        Tensor::new(rows, xs.device())
    };
    let mut sum = bias
        .reshape((1, channels, 1, 1))?
        .broadcast_as((xs.dim(0)?, channels, oh, ow))?
        .contiguous()?;
    for dy in 0..k {
        let rows = match stride {
            1 => xs.narrow(2, dy, oh)?,
            _ => xs.index_select(&taps(dy, oh)?, 2)?,
        };
        for dx in 0..k {
            let patch = match stride {
                1 => rows.narrow(3, dx, ow)?,
                _ => rows.index_select(&taps(dx, ow)?, 3)?,
            };
            let tap = weight.narrow(2, dy, 1)?.narrow(3, dx, 1)?;
            sum = (sum + patch.broadcast_mul(&tap.reshape((1, channels, 1, 1))?)?)?;
        }
    }
    Ok(sum)
}

/// The tensors of a weight file, taken by name and checked for shape.
struct WeightFile<'a> {
    path: &'a Path,
    tensors: HashMap<String, Tensor>,
}

impl WeightFile<'_> {
    fn get(&self, name: &str, shape: &[usize]) -> Result<Tensor> {
        let Some(tensor) = self.tensors.get(name) else {
            let mut names: Vec<&str> = self.tensors.keys().map(String::as_str).collect();
            names.sort();
            let shown = names.iter().take(6).copied().collect::<Vec<_>>().join(", ");
            return Err(Error::data(
                self.path,
                format!(
                    "tensor `{name}` is missing (the file has {} tensors: {shown}{})",
                    names.len(),
                    if names.len() > 6 { ", …" } else { "" }
                ),
                FIX,
            ));
        };
        if tensor.dims() != shape || tensor.dtype() != DType::F32 {
            return Err(Error::data(
                self.path,
                format!(
                    "tensor `{name}`: expected F32 of shape {shape:?}, found {:?} of shape {:?}",
                    tensor.dtype(),
                    tensor.dims()
                ),
                FIX,
            ));
        }
        Ok(tensor.clone())
    }

    /// Convolution `conv` with its batch normalisation `bn` folded in:
    /// w·γ/√(σ²+ε) and β − μ·γ/√(σ²+ε).
    fn conv_bn(
        &self,
        conv: &str,
        bn: &str,
        shape: [usize; 4],
        stride: usize,
        groups: usize,
    ) -> Result<ConvBn> {
        let weight = self.get(&format!("{conv}.weight"), &shape)?;
        let n = shape[0];
        let get = |what: &str| self.get(&format!("{bn}.{what}"), &[n]);
        let (gamma, beta) = (get("weight")?, get("bias")?);
        let (mean, var) = (get("running_mean")?, get("running_var")?);
        let scale = (gamma / (var + BN_EPSILON)?.sqrt()?)?;
        Ok(ConvBn {
            weight: weight.broadcast_mul(&scale.reshape((n, 1, 1, 1))?)?,
            bias: (beta - (mean * &scale)?)?,
            stride,
            groups,
        })
    }
}

/// Reads 1000 class names, one a line.
fn read_class_names(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
    let names: Vec<String> = text.lines().map(|l| l.trim().to_owned()).collect();
    if names.len() != CLASSES || names.iter().any(String::is_empty) {
        return Err(Error::data(
            path,
            format!(
                "expected {CLASSES} non-empty class names, one a line, found {} lines",
                names.len()
            ),
            "delete it (it will be downloaded again) or set DLCOURSE_DATA to the course's \
             shared data folder",
        ));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stride_two_pads_like_tensorflow() -> Result<()> {
        // A 4×4 image, a 3×3 kernel of 1/16 at stride 2: TF "same" pads nothing at the
        // top/left and one zero row and column at the bottom/right.
        let x = Tensor::arange(0f32, 16.0, &Device::Cpu)?.reshape((1, 1, 4, 4))?;
        let conv = ConvBn {
            weight: (Tensor::ones((1, 1, 3, 3), DType::F32, &Device::Cpu)? / 16.0)?,
            bias: Tensor::zeros(1, DType::F32, &Device::Cpu)?,
            stride: 2,
            groups: 1,
        };
        let y = conv.forward(&x)?.flatten_all()?.to_vec1::<f32>()?;
        // Windows rows 0..3 × cols 0..3 (sum 45), cols 2..4 (39), rows 2..4 (66), both (50);
        // symmetric padding would start at 0+1+4+5 = 10 instead.
        assert_eq!(y, [45.0 / 16.0, 39.0 / 16.0, 66.0 / 16.0, 50.0 / 16.0]);
        Ok(())
    }

    #[test]
    fn depthwise_filters_each_channel_alone() -> Result<()> {
        let x = Tensor::ones((1, 2, 3, 3), DType::F32, &Device::Cpu)?;
        let weight = Tensor::new(&[1f32, 0.5], &Device::Cpu)?
            .reshape((2, 1, 1, 1))?
            .broadcast_mul(&Tensor::ones((2, 1, 3, 3), DType::F32, &Device::Cpu)?)?
            .contiguous()?;
        let conv = ConvBn {
            weight,
            bias: Tensor::zeros(2, DType::F32, &Device::Cpu)?,
            stride: 1,
            groups: 2,
        };
        let y = conv.forward(&x)?;
        // Centre pixel: 9 neighbours, times 1 (clamped to 6) and 0.5.
        let centre = y
            .narrow(2, 1, 1)?
            .narrow(3, 1, 1)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        assert_eq!(centre, [6.0, 4.5]);
        Ok(())
    }

    #[test]
    fn depthwise_equals_candles_grouped_convolution() -> Result<()> {
        let x = Tensor::randn(0f32, 1.0, (2, 4, 9, 8), &Device::Cpu)?;
        let weight = Tensor::randn(0f32, 1.0, (4, 1, 3, 3), &Device::Cpu)?;
        let bias = Tensor::randn(0f32, 1.0, 4, &Device::Cpu)?;
        for (stride, padding) in [(1, 1), (2, 0), (2, 1)] {
            let ours = depthwise(&x, &weight, &bias, stride, padding)?;
            let candle = x
                .conv2d(&weight, padding, stride, 1, 4)?
                .broadcast_add(&bias.reshape((1, 4, 1, 1))?)?;
            assert_eq!(ours.dims(), candle.dims());
            let gap: f32 = (ours - candle)?.abs()?.max_all()?.to_scalar()?;
            assert!(
                gap < 1e-5,
                "stride {stride}, padding {padding}: differs by {gap}"
            );
        }
        Ok(())
    }

    #[test]
    fn crop_rejects_what_is_not_an_rgb_photo() {
        let gray = Tensor::zeros((1, 28, 28), DType::U8, &Device::Cpu).unwrap();
        assert!(MobileNet::crop(&gray).is_err());
        let float = Tensor::zeros((3, 28, 28), DType::F32, &Device::Cpu).unwrap();
        assert!(MobileNet::crop(&float).is_err());
    }
}
