//! MNIST and Fashion-MNIST: 60,000 training and 10,000 test images of 28×28 grey pixels,
//! ten classes, read from the four official IDX `.gz` files of each.
//!
//! ```no_run
//! let mnist = dlcourse::data::mnist()?;
//! assert_eq!(mnist.train.images.dims(), &[60_000, 28, 28]); // u8
//! let x = mnist.train.flat()?; // f32 [60000, 784] in 0..1
//! let (valid, train) = mnist.train.split_at(5_000)?; // the notes' validation set
//! # Ok::<(), dlcourse::Error>(())
//! ```

use super::idx;
use super::locate::{DataFile, Locator};
use crate::error::{Error, Result};
use candle_core::{DType, Device, Tensor};
use std::path::Path;

/// A dataset of labelled images: a training and a test split, and the class names.
#[derive(Debug, Clone)]
pub struct ImageSet {
    /// The training split (60,000 images for MNIST and Fashion-MNIST).
    pub train: Split,
    /// The test split (10,000 images).
    pub test: Split,
    /// The name of each class, indexed by label (`"0"`..`"9"` for MNIST).
    pub class_names: Vec<String>,
}

/// Images and their labels.
///
/// ```no_run
/// let test = dlcourse::data::fashion_mnist()?.test;
/// assert_eq!(test.len(), 10_000);
/// assert_eq!(test.labels.dtype(), candle_core::DType::U32);
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Split {
    /// The pixels, `u8` of shape `[n, 28, 28]` (0 = background).
    pub images: Tensor,
    /// The class of each image, `u32` of shape `[n]`.
    pub labels: Tensor,
}

impl Split {
    /// Number of images.
    ///
    /// ```no_run
    /// assert_eq!(dlcourse::data::mnist()?.train.len(), 60_000);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.labels.dims().first().copied().unwrap_or(0)
    }

    /// Whether the split holds no image.
    ///
    /// ```no_run
    /// assert!(!dlcourse::data::mnist()?.test.is_empty());
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The images as `f32` in 0..1, shape `[n, 28, 28]`.
    ///
    /// ```no_run
    /// let x = dlcourse::data::mnist()?.test.images_f32()?;
    /// assert_eq!(x.dtype(), candle_core::DType::F32);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn images_f32(&self) -> Result<Tensor> {
        Ok(self.images.to_dtype(DType::F32)?.affine(1.0 / 255.0, 0.0)?)
    }

    /// The images as `f32` rows in 0..1, shape `[n, 784]` (for dense layers).
    ///
    /// ```no_run
    /// assert_eq!(dlcourse::data::mnist()?.test.flat()?.dims(), &[10_000, 784]);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn flat(&self) -> Result<Tensor> {
        let x = self.images_f32()?;
        Ok(x.flatten_from(1)?)
    }

    /// The images as `f32` in 0..1 with one channel, shape `[n, 1, 28, 28]` (for
    /// convolutions, which take channels first).
    ///
    /// ```no_run
    /// assert_eq!(dlcourse::data::mnist()?.test.images_nchw()?.dims(), &[10_000, 1, 28, 28]);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn images_nchw(&self) -> Result<Tensor> {
        Ok(self.images_f32()?.unsqueeze(1)?)
    }

    /// The images `start..start + len` (e.g. a small subset for the quick profile).
    ///
    /// ```no_run
    /// let few = dlcourse::data::mnist()?.train.slice(0, 1_000)?;
    /// assert_eq!(few.len(), 1_000);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn slice(&self, start: usize, len: usize) -> Result<Split> {
        let n = self.len();
        if start.checked_add(len).is_none_or(|end| end > n) {
            return Err(Error::shape(
                "taking images from a split",
                format!("a range within 0..{n}"),
                format!("{len} images from {start}"),
                "ask for fewer images",
            ));
        }
        Ok(Split {
            images: self.images.narrow(0, start, len)?,
            labels: self.labels.narrow(0, start, len)?,
        })
    }

    /// The first `n` images and the rest: `let (valid, train) = train.split_at(5_000)?`
    /// gives the validation set of the course notes.
    ///
    /// ```no_run
    /// let (valid, train) = dlcourse::data::mnist()?.train.split_at(5_000)?;
    /// assert_eq!((valid.len(), train.len()), (5_000, 55_000));
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn split_at(&self, n: usize) -> Result<(Split, Split)> {
        let total = self.len();
        let first = self.slice(0, n)?;
        Ok((first, self.slice(n, total - n)?))
    }

    /// The images whose label is one of `classes`, in their order (e.g. the digits 5–9
    /// only, for a task the network has not seen).
    ///
    /// ```no_run
    /// let high = dlcourse::data::mnist()?.test.classes(&[5, 6, 7, 8, 9])?;
    /// assert!(high.labels.to_vec1::<u32>()?.iter().all(|&l| l >= 5));
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn classes(&self, classes: &[u32]) -> Result<Split> {
        let labels = self.labels.to_vec1::<u32>()?;
        let rows: Vec<u32> = (0..labels.len() as u32)
            .filter(|&i| classes.contains(&labels[i as usize]))
            .collect();
        if rows.is_empty() {
            return Err(Error::shape(
                "keeping some classes of a split",
                "classes that occur among the labels",
                format!("none of {classes:?}"),
                "pass labels of the dataset (MNIST: 0 to 9)",
            ));
        }
        Ok(Split {
            images: super::batch::take_rows(&self.images, &rows)?,
            labels: super::batch::take_rows(&self.labels, &rows)?,
        })
    }

    /// How many images each class has, indexed by label.
    ///
    /// ```no_run
    /// assert_eq!(dlcourse::data::fashion_mnist()?.test.class_counts()?, vec![1_000; 10]);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn class_counts(&self) -> Result<Vec<usize>> {
        let labels = self.labels.to_vec1::<u32>()?;
        let classes = labels.iter().max().map_or(0, |&m| m as usize + 1);
        if classes > labels.len().max(1 << 16) {
            return Err(Error::shape(
                "counting the images of each class",
                format!("class labels below {}", labels.len().max(1 << 16)),
                format!("label {}", classes - 1),
                "give each image its class number 0, 1, 2, ...",
            ));
        }
        let mut counts = vec![0; classes];
        for l in labels {
            counts[l as usize] += 1;
        }
        Ok(counts)
    }
}

const fn file(path: &'static str, url: &'static str, sha256: &'static str) -> DataFile {
    DataFile {
        path,
        also: &[],
        url,
        sha256: Some(sha256),
    }
}

/// The MNIST files: training images, training labels, test images, test labels (the
/// SHA-256 of the official files, whose md5 the MNIST mirrors publish).
///
/// ```
/// assert_eq!(dlcourse::data::mnist::MNIST_FILES[2].path, "mnist/t10k-images-idx3-ubyte.gz");
/// ```
pub const MNIST_FILES: [DataFile; 4] = [
    file(
        "mnist/train-images-idx3-ubyte.gz",
        "https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    ),
    file(
        "mnist/train-labels-idx1-ubyte.gz",
        "https://storage.googleapis.com/cvdf-datasets/mnist/train-labels-idx1-ubyte.gz",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    file(
        "mnist/t10k-images-idx3-ubyte.gz",
        "https://storage.googleapis.com/cvdf-datasets/mnist/t10k-images-idx3-ubyte.gz",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    file(
        "mnist/t10k-labels-idx1-ubyte.gz",
        "https://storage.googleapis.com/cvdf-datasets/mnist/t10k-labels-idx1-ubyte.gz",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
];

/// The Fashion-MNIST files, in the same order as [`MNIST_FILES`].
///
/// ```
/// assert_eq!(dlcourse::data::mnist::FASHION_MNIST_FILES[0].path, "fashion-mnist/train-images-idx3-ubyte.gz");
/// ```
pub const FASHION_MNIST_FILES: [DataFile; 4] = [
    file(
        "fashion-mnist/train-images-idx3-ubyte.gz",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz",
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    ),
    file(
        "fashion-mnist/train-labels-idx1-ubyte.gz",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-labels-idx1-ubyte.gz",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    ),
    file(
        "fashion-mnist/t10k-images-idx3-ubyte.gz",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-images-idx3-ubyte.gz",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    ),
    file(
        "fashion-mnist/t10k-labels-idx1-ubyte.gz",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    ),
];

/// The Fashion-MNIST class names, indexed by label.
pub const FASHION_MNIST_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// MNIST's 70,000 handwritten digits, found as described in [`locate`](super::locate)
/// (downloaded once if needed). Class names are `"0"`..`"9"`.
///
/// ```no_run
/// let mnist = dlcourse::data::mnist()?;
/// assert_eq!(mnist.train.class_counts()?[1], 6_742);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn mnist() -> Result<ImageSet> {
    mnist_from(&Locator::from_env())
}

/// [`mnist`] with the files found by `locator`.
///
/// ```no_run
/// use dlcourse::data::{Locator, mnist::mnist_from};
/// let mnist = mnist_from(&Locator::only("../shared/data"))?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn mnist_from(locator: &Locator) -> Result<ImageSet> {
    let names = (0..10).map(|d| d.to_string()).collect();
    load(locator, &MNIST_FILES, names)
}

/// Fashion-MNIST's 70,000 clothing pictures, found as described in
/// [`locate`](super::locate). Class names: [`FASHION_MNIST_CLASSES`].
///
/// ```no_run
/// let fashion = dlcourse::data::fashion_mnist()?;
/// assert_eq!(fashion.class_names[9], "Ankle boot");
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn fashion_mnist() -> Result<ImageSet> {
    fashion_mnist_from(&Locator::from_env())
}

/// [`fashion_mnist`] with the files found by `locator`.
///
/// ```no_run
/// use dlcourse::data::{Locator, mnist::fashion_mnist_from};
/// let fashion = fashion_mnist_from(&Locator::only("../shared/data"))?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn fashion_mnist_from(locator: &Locator) -> Result<ImageSet> {
    let names = FASHION_MNIST_CLASSES
        .iter()
        .map(|s| s.to_string())
        .collect();
    load(locator, &FASHION_MNIST_FILES, names)
}

fn load(locator: &Locator, files: &[DataFile; 4], class_names: Vec<String>) -> Result<ImageSet> {
    let paths = files
        .iter()
        .map(|f| locator.path(f))
        .collect::<Result<Vec<_>>>()?;
    let classes = class_names.len();
    // The two splits decompress in parallel: most of the time is inflating the images.
    let (train, test) = std::thread::scope(|s| {
        let test = s.spawn(|| split(&paths[2], &paths[3], classes));
        let train = split(&paths[0], &paths[1], classes);
        let test = test
            .join()
            .unwrap_or_else(|_| Err(Error::Usage("reading the test split panicked".into())));
        (train, test)
    });
    Ok(ImageSet {
        train: train?,
        test: test?,
        class_names,
    })
}

fn split(images: &Path, labels: &Path, classes: usize) -> Result<Split> {
    let x = idx::read_gz(images, 3)?;
    let y = idx::read_gz(labels, 1)?;
    let n = x.dims[0];
    if y.dims[0] != n {
        return Err(Error::data(
            labels,
            format!(
                "expected one label per image of {} ({n}), found {} labels",
                images.display(),
                y.dims[0]
            ),
            "the image and label files belong to different releases: delete both, or set \
             DLCOURSE_DATA to a folder with the official files",
        ));
    }
    if let Some(bad) = y.data.iter().position(|&l| l as usize >= classes) {
        return Err(Error::data(
            labels,
            format!(
                "expected labels 0..{}, found {} at position {bad}",
                classes - 1,
                y.data[bad]
            ),
            "delete it or set DLCOURSE_DATA to a folder with the official files",
        ));
    }
    let dev = &Device::Cpu;
    let images = Tensor::from_vec(x.data, (n, x.dims[1], x.dims[2]), dev)?;
    let labels = Tensor::from_vec(y.data, n, dev)?.to_dtype(DType::U32)?;
    Ok(Split { images, labels })
}
