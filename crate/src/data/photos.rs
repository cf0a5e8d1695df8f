//! The course's nine test photos (a Samoyed, Grace Hopper, a goldfish, an Egyptian cat, a
//! zebra, a giant panda, a castle, a teapot, a pizza) as RGB tensors, for convolutions
//! on real images and for the pretrained classifier.
//!
//! ```no_run
//! let zebra = dlcourse::data::photo("zebra")?; // u8 [3, 375, 500]
//! let gray = (zebra.to_dtype(candle_core::DType::F32)?.mean_keepdim(0)? / 255.0)?; // [1, 375, 500]
//! # Ok::<(), dlcourse::Error>(())
//! ```

use super::locate::{DataFile, Locator};
use crate::error::{Error, Result};
use candle_core::{Device, Tensor};
use std::path::Path;

/// The nine photos of the shared data folder's `photos/`, with the public addresses they
/// were copied from byte for byte (see its `SOURCE.md`).
pub const PHOTOS: [DataFile; 9] = [
    photo_file(
        "photos/dog.jpg",
        "https://raw.githubusercontent.com/pytorch/hub/c7895df70c7767403e36f82786d6b611b7984557/images/dog.jpg",
        "f3f87bb8ab3c26c7ecfd3ac60421d7f32b0503d1d6c5baf8bac42ed93d86351a",
    ),
    photo_file(
        "photos/grace_hopper.jpg",
        "https://raw.githubusercontent.com/IvanSafonov/qt-tf-lite-example/fe25e1188ab97a4fd0efa51af9aad499506f2f02/grace_hopper.jpg",
        "e25eff3a01f40278ab93e74207892707fa5be871a2b16f23ba5e42a9738804f2",
    ),
    photo_file(
        "photos/n01443537_goldfish.JPEG",
        "https://raw.githubusercontent.com/EliSchwartz/imagenet-sample-images/bc69043e2862758a1906c6a24a792bb28c6bb2ff/n01443537_goldfish.JPEG",
        "61ff9f1e0c4ed5906efed08c19d0c501b5ba75e45df77818d533a28e825341aa",
    ),
    photo_file(
        "photos/n02124075_Egyptian_cat.JPEG",
        "https://raw.githubusercontent.com/EliSchwartz/imagenet-sample-images/bc69043e2862758a1906c6a24a792bb28c6bb2ff/n02124075_Egyptian_cat.JPEG",
        "c518629e3934dbff56f73b2f864b4a62711e6fcd4caeac307785151e98941789",
    ),
    photo_file(
        "photos/n02391049_zebra.JPEG",
        "https://raw.githubusercontent.com/EliSchwartz/imagenet-sample-images/bc69043e2862758a1906c6a24a792bb28c6bb2ff/n02391049_zebra.JPEG",
        "ca35cfbead9763232ee94ccb8a9d3a2e2e0bff576a1e22221b210589f6c7bd42",
    ),
    photo_file(
        "photos/n02510455_giant_panda.JPEG",
        "https://raw.githubusercontent.com/EliSchwartz/imagenet-sample-images/bc69043e2862758a1906c6a24a792bb28c6bb2ff/n02510455_giant_panda.JPEG",
        "1b9c0c805d60bc13aaceba48e1f68fa15c71a96b2f6486ec396ecb321d79715b",
    ),
    photo_file(
        "photos/n02980441_castle.JPEG",
        "https://raw.githubusercontent.com/EliSchwartz/imagenet-sample-images/bc69043e2862758a1906c6a24a792bb28c6bb2ff/n02980441_castle.JPEG",
        "d5e7d5381b58cd3244d23cee97a37cd5184cdc4c4b43ec5148977c0df078a3e6",
    ),
    photo_file(
        "photos/n04398044_teapot.JPEG",
        "https://raw.githubusercontent.com/EliSchwartz/imagenet-sample-images/bc69043e2862758a1906c6a24a792bb28c6bb2ff/n04398044_teapot.JPEG",
        "0f3b91a524e5c711d60dbfaedf3b68aaf69ee0b9f28fd1d807b0a03eea4d678b",
    ),
    photo_file(
        "photos/n07873807_pizza.JPEG",
        "https://raw.githubusercontent.com/EliSchwartz/imagenet-sample-images/bc69043e2862758a1906c6a24a792bb28c6bb2ff/n07873807_pizza.JPEG",
        "3f667bcfdf56391d68f658a5e5d0f4b5156c1a5d728487fa187c246e8d2c189e",
    ),
];

const fn photo_file(path: &'static str, url: &'static str, sha256: &'static str) -> DataFile {
    DataFile {
        path,
        also: &[],
        url,
        sha256: Some(sha256),
    }
}

/// The photo named `name` as a `u8` tensor `[3, height, width]` (RGB, channels first, as
/// Candle's convolutions want). `name` is a file name (`"n02391049_zebra.JPEG"`), its
/// stem (`"dog"`) or the class at its end (`"zebra"`, `"giant_panda"`); the file is found
/// as described in [`locate`](super::locate).
///
/// ```no_run
/// let panda = dlcourse::data::photo("giant_panda")?;
/// assert_eq!(panda.dims(), &[3, 375, 500]);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn photo(name: &str) -> Result<Tensor> {
    photo_from(&Locator::from_env(), name)
}

/// [`photo`] with the file found by `locator`.
///
/// ```no_run
/// use dlcourse::data::{Locator, photos};
/// let dog = photos::photo_from(&Locator::only("../shared/data"), "dog")?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn photo_from(locator: &Locator, name: &str) -> Result<Tensor> {
    read_photo(&locator.path(photo_file_named(name)?)?)
}

/// The entry of [`PHOTOS`] that `name` designates (see [`photo`]).
///
/// ```
/// let file = dlcourse::data::photos::photo_file_named("zebra")?;
/// assert_eq!(file.path, "photos/n02391049_zebra.JPEG");
/// assert!(dlcourse::data::photos::photo_file_named("unicorn").is_err());
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn photo_file_named(name: &str) -> Result<&'static DataFile> {
    let matches = |file: &DataFile| {
        let file_name = file.path.trim_start_matches("photos/");
        let stem = file_name.split('.').next().unwrap_or(file_name);
        file_name == name || stem == name || stem.ends_with(&format!("_{name}"))
    };
    PHOTOS.iter().find(|f| matches(f)).ok_or_else(|| {
        let names: Vec<&str> = PHOTOS
            .iter()
            .map(|f| f.path.trim_start_matches("photos/"))
            .collect();
        Error::Usage(format!(
            "there is no course photo named {name:?} — use one of {} (or the class at the \
             end of a name, e.g. \"zebra\")",
            names.join(", ")
        ))
    })
}

/// Reads a JPEG or PNG file as a `u8` tensor `[3, height, width]` (RGB).
///
/// ```no_run
/// let t = dlcourse::data::photos::read_photo("../shared/data/photos/dog.jpg".as_ref())?;
/// assert_eq!(t.dim(0)?, 3);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn read_photo(path: &Path) -> Result<Tensor> {
    let bad = |problem: String| {
        Error::data(
            path,
            problem,
            "delete it (it will be downloaded again) or set DLCOURSE_DATA to a folder with \
             the course's photos",
        )
    };
    let bytes = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
    // A JPEG decoder fills a cut-off image with grey without a word: a whole JPEG ends
    // with the end-of-image marker FF D9 (padding after it aside).
    if bytes.starts_with(&[0xff, 0xd8]) {
        let end = bytes.trim_ascii_end();
        let end = &end[..end.len() - end.iter().rev().take_while(|&&b| b == 0).count()];
        if !end.ends_with(&[0xff, 0xd9]) {
            return Err(bad(format!(
                "expected a whole JPEG image (ending with the marker ff d9), found {} bytes \
                 that stop before the end: the file is truncated",
                bytes.len()
            )));
        }
    }
    let reader = image::ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .map_err(|e| Error::io("reading", path, e))?;
    let decoded = reader.decode().map_err(|e| {
        bad(format!(
            "expected a JPEG or PNG image, could not decode it: {e}"
        ))
    })?;
    let rgb = decoded.to_rgb8();
    let (width, height) = (rgb.width() as usize, rgb.height() as usize);
    let hwc = Tensor::from_vec(rgb.into_raw(), (height, width, 3), &Device::Cpu)?;
    Ok(hwc.permute((2, 0, 1))?.contiguous()?)
}

/// `photos/expected_classes.tsv`: each photo's ImageNet-1k class. It was written for the
/// course's data folder, so it has no public address (see [`Locator::path_unpublished`]).
pub const EXPECTED_CLASSES_FILE: DataFile = DataFile {
    path: "photos/expected_classes.tsv",
    also: &[],
    url: "",
    sha256: Some("339c56e036807fa32f922449ac70cbfd64e7261509f54463bbae0b7ddd16c4ce"),
};

/// One photo and its true ImageNet-1k class (a row of `expected_classes.tsv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoClass {
    /// The photo's file name (`"dog.jpg"`), accepted by [`photo`].
    pub file: String,
    /// The class, as a 0-based index into the 1000 ImageNet classes.
    pub class_index: usize,
    /// The class's name (`"Samoyed"`).
    pub class_name: String,
}

/// The true class of each of the nine photos, in the file's order.
///
/// ```no_run
/// let classes = dlcourse::data::photos::expected_classes()?;
/// assert_eq!(classes[0].class_name, "Samoyed");
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn expected_classes() -> Result<Vec<PhotoClass>> {
    expected_classes_from(&Locator::from_env())
}

/// [`expected_classes`] with the file found by `locator`.
pub fn expected_classes_from(locator: &Locator) -> Result<Vec<PhotoClass>> {
    read_expected_classes(&locator.path_unpublished(&EXPECTED_CLASSES_FILE)?)
}

/// Reads a tab-separated file with the columns `file`, `class_index` and `class_name`
/// (others are ignored).
///
/// ```
/// let dir = std::env::temp_dir().join("dlcourse-doc-expected");
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("classes.tsv");
/// std::fs::write(&path, "file\tclass_index\tclass_name\ndog.jpg\t258\tSamoyed\n")?;
/// let rows = dlcourse::data::photos::read_expected_classes(&path)?;
/// assert_eq!(rows[0].class_index, 258);
/// std::fs::write(&path, "file\tclass_index\tclass_name\ndog.jpg\tmany\tSamoyed\n")?;
/// assert!(dlcourse::data::photos::read_expected_classes(&path).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_expected_classes(path: &Path) -> Result<Vec<PhotoClass>> {
    let fix = "delete it or set DLCOURSE_DATA to the course's shared data folder";
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let column = |name: &str| {
        header.iter().position(|h| h.trim() == name).ok_or_else(|| {
            Error::data(
                path,
                format!("expected a header with a `{name}` column, found {header:?}"),
                fix,
            )
        })
    };
    let (file, index, name) = (
        column("file")?,
        column("class_index")?,
        column("class_name")?,
    );
    let rows = lines.enumerate().map(|(i, line)| {
        let fields: Vec<&str> = line.split('\t').collect();
        let field = |c: usize| fields.get(c).map(|f| f.trim()).unwrap_or("");
        let class_index = field(index).parse::<usize>().map_err(|_| {
            Error::data(
                path,
                format!(
                    "line {}: expected a class index (a whole number), found {:?}",
                    i + 2,
                    field(index)
                ),
                fix,
            )
        })?;
        Ok(PhotoClass {
            file: field(file).to_owned(),
            class_index,
            class_name: field(name).to_owned(),
        })
    });
    let rows = rows.collect::<Result<Vec<_>>>()?;
    if rows.is_empty() {
        return Err(Error::data(
            path,
            "expected at least one photo, found none",
            fix,
        ));
    }
    Ok(rows)
}
