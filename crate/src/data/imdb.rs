//! The IMDB Large Movie Review Dataset (Maas et al., 2011): 25,000 training and 25,000
//! test reviews, half positive (rated 7–10) and half negative (rated 1–4).
//!
//! The reviews are read straight from the `aclImdb_v1.tar.gz` archive, streamed once
//! (nothing is unpacked on disk). The archive may also be named
//! `aclImdb_v1-labeled.tar.gz` (the labelled reviews only, as in the shared data folder).
//!
//! ```no_run
//! use dlcourse::data::text::Vocabulary;
//! let imdb = dlcourse::data::imdb()?;
//! let vocab = Vocabulary::fit(&imdb.train.texts, 10_000);
//! let x = vocab.encode_batch(&imdb.train.texts, 256)?; // u32 [25000, 256]
//! let y = imdb.train.targets()?; // f32 [25000, 1], 1 = positive
//! # Ok::<(), dlcourse::Error>(())
//! ```

use super::locate::{DataFile, Locator, Variant};
use crate::error::{Error, Result};
use candle_core::{Device, Tensor};
use flate2::read::GzDecoder;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::io::{BufReader, Read};
use std::path::{Component, Path};

/// The archive. Its SHA-256 is the one published for the official 84,125,825-byte
/// `aclImdb_v1.tar.gz`. The course's 29,938,628-byte `aclImdb_v1-labeled.tar.gz` (the
/// labelled reviews only, as in `../shared/data`) is accepted too, and downloaded from a
/// mirror that has only it; downloads are checked against the checksum of the form
/// fetched, a local copy by reading it.
///
/// ```
/// assert_eq!(dlcourse::data::imdb::IMDB_FILE.path, "imdb/aclImdb_v1.tar.gz");
/// ```
pub const IMDB_FILE: DataFile = DataFile {
    path: "imdb/aclImdb_v1.tar.gz",
    also: &[Variant {
        path: "imdb/aclImdb_v1-labeled.tar.gz",
        sha256: Some("f4f975b76a8079c172b9b0d42e034a63264327e8dd49440b771004a55e6048f3"),
    }],
    url: "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
    sha256: Some("c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"),
};

/// The seed of the fixed order the reviews come in (Keras shuffles IMDB with 113 too).
pub const ORDER_SEED: u64 = 113;

/// The two splits of the dataset.
#[derive(Debug, Clone)]
pub struct Imdb {
    /// 25,000 training reviews.
    pub train: Reviews,
    /// 25,000 test reviews.
    pub test: Reviews,
}

/// Reviews with their labels, in a fixed mixed order (sorted by label and id, then
/// shuffled with [`ORDER_SEED`]), so any first `n` are a fair sample.
///
/// ```no_run
/// let test = dlcourse::data::imdb()?.test;
/// assert_eq!(test.texts.len(), test.labels.len());
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Reviews {
    /// The raw review texts (with their `<br />` tags).
    pub texts: Vec<String>,
    /// 1 for a positive review, 0 for a negative one.
    pub labels: Vec<u32>,
    /// The reviewer's rating, 1–4 or 7–10.
    pub ratings: Vec<u8>,
    /// The review's id within its folder (the `<id>` of `<id>_<rating>.txt`).
    pub ids: Vec<u32>,
}

impl Reviews {
    /// Number of reviews.
    ///
    /// ```no_run
    /// assert_eq!(dlcourse::data::imdb()?.train.len(), 25_000);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether there is no review.
    ///
    /// ```
    /// assert!(dlcourse::data::imdb::Reviews::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The labels as binary-classification targets: `f32` of shape `[n, 1]`.
    ///
    /// ```
    /// let mut r = dlcourse::data::imdb::Reviews::default();
    /// r.texts.push("Great!".into());
    /// r.labels.push(1);
    /// assert_eq!(r.targets()?.to_vec2::<f32>()?, [[1.0]]);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn targets(&self) -> Result<Tensor> {
        let y: Vec<f32> = self.labels.iter().map(|&l| l as f32).collect();
        Ok(Tensor::from_vec(y, (self.labels.len(), 1), &Device::Cpu)?)
    }

    /// The first `n` reviews (fewer if there are fewer), e.g. for the quick profile.
    /// Each list is cut on its own, so reviews built by hand with no ratings or ids (or
    /// lists of different lengths) give the first `n` of each, never a panic.
    ///
    /// ```no_run
    /// let few = dlcourse::data::imdb()?.train.head(2_000);
    /// assert_eq!(few.len(), 2_000);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn head(&self, n: usize) -> Reviews {
        fn first<T: Clone>(values: &[T], n: usize) -> Vec<T> {
            values[..n.min(values.len())].to_vec()
        }
        Reviews {
            texts: first(&self.texts, n),
            labels: first(&self.labels, n),
            ratings: first(&self.ratings, n),
            ids: first(&self.ids, n),
        }
    }
}

/// The IMDB reviews, found as described in [`locate`](super::locate) (downloaded once,
/// 84 MB, if needed).
///
/// ```no_run
/// let imdb = dlcourse::data::imdb()?;
/// assert_eq!(imdb.train.labels.iter().sum::<u32>(), 12_500);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn imdb() -> Result<Imdb> {
    imdb_from(&Locator::from_env())
}

/// [`imdb`] with the archive found by `locator`.
///
/// ```no_run
/// use dlcourse::data::{Locator, imdb::imdb_from};
/// let imdb = imdb_from(&Locator::only("../shared/data"))?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn imdb_from(locator: &Locator) -> Result<Imdb> {
    read_archive(&locator.path(&IMDB_FILE)?)
}

const FIX: &str = "delete it (it will be downloaded again) or set DLCOURSE_DATA to a folder \
                   with the official aclImdb_v1.tar.gz";

struct Review {
    test: bool,
    label: u32,
    id: u32,
    rating: u8,
    text: String,
}

/// Reads the labelled reviews of an `aclImdb` archive at `path` (any `.tar.gz` holding
/// `aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt`).
///
/// ```no_run
/// let imdb = dlcourse::data::imdb::read_archive("../shared/data/imdb/aclImdb_v1-labeled.tar.gz".as_ref())?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn read_archive(path: &Path) -> Result<Imdb> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("opening", path, e))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let magic: Vec<u8> = {
        use std::io::BufRead;
        let head = reader
            .fill_buf()
            .map_err(|e| Error::io("reading", path, e))?;
        head.iter().take(2).copied().collect()
    };
    if magic != [0x1f, 0x8b] {
        return Err(Error::data(
            path,
            format!(
                "expected a gzip-compressed tar archive (starting with 1f 8b), found {}",
                if magic.is_empty() {
                    "an empty file".to_owned()
                } else {
                    format!("bytes {magic:02x?}")
                }
            ),
            FIX,
        ));
    }
    let damaged = |e: std::io::Error| {
        Error::data(
            path,
            format!("the archive is truncated or damaged ({e})"),
            FIX,
        )
    };
    let mut archive = tar::Archive::new(GzDecoder::new(reader));
    let mut reviews = Vec::with_capacity(50_000);
    for entry in archive.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        if let Some(name) = escaping_name(&entry) {
            return Err(Error::data(
                path,
                format!(
                    "expected entries inside the archive's folder, found {name:?}, which \
                     points outside it (an absolute path or `..`)"
                ),
                FIX,
            ));
        }
        let Some((test, label, id, rating)) = entry.path().ok().as_deref().and_then(review_name)
        else {
            continue;
        };
        let mut bytes = Vec::with_capacity(entry.size().min(1 << 20) as usize);
        entry.read_to_end(&mut bytes).map_err(damaged)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::data(
                path,
                format!(
                    "expected UTF-8 text in review {id}_{rating}.txt, found invalid bytes ({e})"
                ),
                FIX,
            )
        })?;
        reviews.push(Review {
            test,
            label,
            id,
            rating,
            text,
        });
    }
    let (test, train): (Vec<Review>, Vec<Review>) = reviews.into_iter().partition(|r| r.test);
    Ok(Imdb {
        train: arrange(train, path, "train")?,
        test: arrange(test, path, "test")?,
    })
}

/// The entry's name when it is absolute or climbs out of the archive with `..`: a
/// hostile or broken archive (nothing is unpacked, but such a file is no aclImdb).
fn escaping_name<R: Read>(entry: &tar::Entry<R>) -> Option<String> {
    let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
    let escapes = Path::new(&name).components().any(|c| {
        matches!(
            c,
            Component::ParentDir | Component::RootDir | Component::Prefix(_)
        )
    });
    escapes.then_some(name)
}

/// `(test?, label, id, rating)` for `.../{train,test}/{pos,neg}/<id>_<rating>.txt`.
fn review_name(path: &Path) -> Option<(bool, u32, u32, u8)> {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    let [.., split, folder, name] = parts.as_slice() else {
        return None;
    };
    let test = match *split {
        "train" => false,
        "test" => true,
        _ => return None,
    };
    let label = match *folder {
        "pos" => 1,
        "neg" => 0,
        _ => return None,
    };
    let (id, rating) = name.strip_suffix(".txt")?.split_once('_')?;
    Some((test, label, id.parse().ok()?, rating.parse().ok()?))
}

fn arrange(mut reviews: Vec<Review>, path: &Path, split: &str) -> Result<Reviews> {
    for label in [1, 0] {
        if !reviews.iter().any(|r| r.label == label) {
            return Err(Error::data(
                path,
                format!(
                    "expected reviews in aclImdb/{split}/{}/<id>_<rating>.txt, found none \
                     (the archive holds {} {split} reviews in all)",
                    if label == 1 { "pos" } else { "neg" },
                    reviews.len()
                ),
                FIX,
            ));
        }
    }
    reviews.sort_unstable_by_key(|r| (std::cmp::Reverse(r.label), r.id));
    reviews.shuffle(&mut StdRng::seed_from_u64(ORDER_SEED));
    let mut out = Reviews::default();
    for r in reviews {
        out.texts.push(r.text);
        out.labels.push(r.label);
        out.ratings.push(r.rating);
        out.ids.push(r.id);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_names_give_split_label_id_and_rating() {
        let p = Path::new("aclImdb/test/neg/120_3.txt");
        assert_eq!(review_name(p), Some((true, 0, 120, 3)));
        assert_eq!(
            review_name(Path::new("./aclImdb/train/pos/7_10.txt")),
            Some((false, 1, 7, 10))
        );
        assert_eq!(review_name(Path::new("aclImdb/train/unsup/7_0.txt")), None);
        assert_eq!(review_name(Path::new("aclImdb/train/urls_pos.txt")), None);
    }
}
