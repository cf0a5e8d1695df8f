//! Where dataset files are found: one resolution order for every dataset.
//!
//! For a file such as `mnist/train-images-idx3-ubyte.gz` the [`Locator`] looks, in order:
//!
//! 1. in `$DLCOURSE_DATA/` — a folder laid out like the course's shared data folder
//!    (`<dir>/mnist/train-images-idx3-ubyte.gz`, `<dir>/imdb/...`, `<dir>/uci/...`);
//! 2. in the project's `data/` — the project root is `$DLCOURSE_ROOT` when set, else the
//!    first folder, walking up from the current directory, that holds both `crate/` and `data/`;
//! 3. in the dataset cache — `$DLCOURSE_DATA_CACHE` when set, else `$DLCOURSE_CACHE/data`,
//!    else `<user cache dir>/dlcourse/data` (`~/.cache/dlcourse/data` on Linux);
//! 4. it downloads the file from its canonical address into that cache (see
//!    [`fetch`]); `$DLCOURSE_MIRROR` replaces every canonical address by
//!    `<mirror>/<file>`, e.g. `http://127.0.0.1:8000/mnist/train-images-idx3-ubyte.gz`.
//!
//! ```no_run
//! use dlcourse::data::{Locator, mnist};
//! let path = Locator::from_env().path(&mnist::MNIST_FILES[0])?;
//! println!("MNIST training images: {}", path.display());
//! # Ok::<(), dlcourse::Error>(())
//! ```

use super::fetch;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Environment variable naming a folder laid out like the shared data folder.
pub const DATA_VAR: &str = "DLCOURSE_DATA";
/// Environment variable naming the project root (its `data/` is searched second).
pub const ROOT_VAR: &str = "DLCOURSE_ROOT";
/// Environment variable moving the per-user cache (datasets go to `$DLCOURSE_CACHE/data`,
/// the notebook kernel's builds to `$DLCOURSE_CACHE/evcxr`).
pub const CACHE_VAR: &str = "DLCOURSE_CACHE";
/// Environment variable naming the dataset cache itself, leaving the rest of
/// `$DLCOURSE_CACHE` (the kernel's builds) where it is.
pub const DATA_CACHE_VAR: &str = "DLCOURSE_DATA_CACHE";
/// Environment variable replacing the canonical download addresses by `<mirror>/<file>`.
pub const MIRROR_VAR: &str = "DLCOURSE_MIRROR";

/// One file of a dataset: where it lives in a data folder and where it is published.
///
/// ```
/// let file = &dlcourse::data::mnist::MNIST_FILES[1];
/// assert_eq!(file.path, "mnist/train-labels-idx1-ubyte.gz");
/// assert!(file.url.starts_with("https://"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFile {
    /// Path inside a data folder, with `/` separators (e.g. `mnist/t10k-images-idx3-ubyte.gz`).
    pub path: &'static str,
    /// Other forms of the same data accepted under other names, in a data folder or on a
    /// mirror (downloaded only from a mirror, when it lacks the canonical name).
    pub also: &'static [Variant],
    /// The canonical address it is downloaded from.
    pub url: &'static str,
    /// The SHA-256 of the published file (lower-case hex); a download that does not match
    /// is discarded. `None` only where no published checksum is known.
    pub sha256: Option<&'static str>,
}

/// Another form of a [`DataFile`]'s data under another name, with its own checksum: e.g.
/// IMDB's archive of the labelled reviews only, which a course mirror laid out like
/// `../shared/data` may hold instead of the official archive.
///
/// ```
/// let variant = &dlcourse::data::imdb::IMDB_FILE.also[0];
/// assert_eq!(variant.path, "imdb/aclImdb_v1-labeled.tar.gz");
/// assert!(variant.sha256.is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    /// Path inside a data folder or on a mirror, with `/` separators.
    pub path: &'static str,
    /// The SHA-256 of this form (lower-case hex), checked when it is downloaded.
    pub sha256: Option<&'static str>,
}

/// The folders searched for dataset files, and whether (and from where) to download.
///
/// [`Locator::from_env`] is what every loader uses; tests and offline tools build their
/// own with [`Locator::only`] or by setting the fields.
///
/// ```
/// use dlcourse::data::Locator;
/// let loc = Locator::only("../shared/data");
/// assert_eq!(loc.dirs.len(), 1);
/// assert!(loc.cache.is_none()); // never downloads
/// ```
#[derive(Debug, Clone, Default)]
pub struct Locator {
    /// Folders laid out like the shared data folder, searched in order.
    pub dirs: Vec<PathBuf>,
    /// The download cache: searched after `dirs`, and where downloads go. `None`: no
    /// downloads.
    pub cache: Option<PathBuf>,
    /// Base address replacing each file's canonical address by `<mirror>/<path>`.
    pub mirror: Option<String>,
}

impl Locator {
    /// The resolution order of the module docs, from `DLCOURSE_DATA`, `DLCOURSE_ROOT`,
    /// `DLCOURSE_DATA_CACHE` (or `DLCOURSE_CACHE`) and `DLCOURSE_MIRROR`.
    ///
    /// ```
    /// let loc = dlcourse::data::Locator::from_env();
    /// println!("searching {:?}, then the cache {:?}", loc.dirs, loc.cache);
    /// ```
    pub fn from_env() -> Self {
        let mut dirs = Vec::new();
        if let Some(dir) = env_path(DATA_VAR) {
            dirs.push(dir);
        }
        if let Some(root) = project_root() {
            dirs.push(root.join("data"));
        }
        Locator {
            dirs,
            cache: cache_dir(),
            mirror: std::env::var(MIRROR_VAR)
                .ok()
                .filter(|m| !m.trim().is_empty()),
        }
    }

    /// Only `dir` (laid out like the shared data folder), no cache, no download.
    ///
    /// ```
    /// let loc = dlcourse::data::Locator::only("/tmp/my-data");
    /// assert!(loc.mirror.is_none());
    /// ```
    pub fn only(dir: impl Into<PathBuf>) -> Self {
        Locator {
            dirs: vec![dir.into()],
            cache: None,
            mirror: None,
        }
    }

    /// The local copy of `file`, searched in `dirs` and then in the cache, under its
    /// name and its accepted other names; `None` when there is none.
    ///
    /// ```
    /// let loc = dlcourse::data::Locator::only("/nonexistent");
    /// assert!(loc.find(&dlcourse::data::uci::HOUSE_VOTES_FILE).is_none());
    /// ```
    pub fn find(&self, file: &DataFile) -> Option<PathBuf> {
        self.dirs
            .iter()
            .chain(self.cache.iter())
            .flat_map(|dir| {
                std::iter::once(file.path)
                    .chain(file.also.iter().map(|variant| variant.path))
                    .map(move |name| join(dir, name))
            })
            .find(|p| p.is_file())
    }

    /// The local copy of `file`, downloaded into the cache first when no folder has it.
    /// From a mirror that lacks the canonical name, each of `file.also` is tried in turn
    /// (checked against its own checksum). The error names every place that was searched.
    ///
    /// ```no_run
    /// let loc = dlcourse::data::Locator::from_env();
    /// let path = loc.path(&dlcourse::data::uci::HOUSE_VOTES_FILE)?;
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn path(&self, file: &DataFile) -> Result<PathBuf> {
        if let Some(found) = self.find(file) {
            return Ok(found);
        }
        let Some(cache) = &self.cache else {
            return Err(self.missing(file));
        };
        let first = self.download(cache, file.path, &self.url(file), file.sha256, file);
        if first.is_err() && self.mirror.is_some() {
            for variant in file.also {
                let url = self.mirror_url(variant.path);
                if let Ok(found) = self.download(cache, variant.path, &url, variant.sha256, file) {
                    return Ok(found);
                }
            }
        }
        first
    }

    /// Downloads `url` to `path` in `cache` (checked against `sha256`); a failure's fix
    /// names the places searched for `file` first.
    fn download(
        &self,
        cache: &Path,
        path: &str,
        url: &str,
        sha256: Option<&str>,
        file: &DataFile,
    ) -> Result<PathBuf> {
        let dest = join(cache, path);
        fetch::download(url, &dest, sha256).map_err(|e| match e {
            Error::Download { url, problem, fix } => Error::Download {
                url,
                problem,
                fix: format!(
                    "{fix} (searched before downloading: {})",
                    self.searched(file)
                ),
            },
            e => e,
        })?;
        Ok(dest)
    }

    /// [`Locator::path`] for a file made for the course that has no public address
    /// (`file.url` is empty, e.g. the MobileNet weights repacked for Candle): found in the
    /// folders and the cache, else downloaded from `$DLCOURSE_MIRROR` (checked against
    /// `file.sha256`), else an error that says where it was looked for.
    ///
    /// ```
    /// use dlcourse::data::{DataFile, Locator};
    /// const FILE: DataFile = DataFile { path: "x/none.bin", also: &[], url: "", sha256: None };
    /// let err = Locator::only("/nonexistent").path_unpublished(&FILE).unwrap_err();
    /// assert!(err.to_string().contains("no public address"));
    /// ```
    pub fn path_unpublished(&self, file: &DataFile) -> Result<PathBuf> {
        if !file.url.is_empty() || self.mirror.is_some() {
            return self.path(file);
        }
        if let Some(found) = self.find(file) {
            return Ok(found);
        }
        let first = self
            .dirs
            .first()
            .map(|d| join(d, file.path))
            .unwrap_or_else(|| PathBuf::from(file.path));
        Err(Error::data(
            first,
            format!(
                "file not found (searched: {}); it was made for the course and has no public \
                 address to download it from",
                self.searched(file)
            ),
            format!(
                "set {DATA_VAR} to the course's shared data folder (../shared/data), or \
                 {MIRROR_VAR} to a server that has {}",
                file.path
            ),
        ))
    }

    /// The address `file` is downloaded from: `<mirror>/<path>` with a mirror, else its
    /// canonical address.
    ///
    /// ```
    /// use dlcourse::data::{Locator, mnist::MNIST_FILES};
    /// let mut loc = Locator::default();
    /// loc.mirror = Some("http://127.0.0.1:8000/".into());
    /// assert_eq!(loc.url(&MNIST_FILES[0]), "http://127.0.0.1:8000/mnist/train-images-idx3-ubyte.gz");
    /// ```
    pub fn url(&self, file: &DataFile) -> String {
        match &self.mirror {
            Some(_) => self.mirror_url(file.path),
            None => file.url.to_owned(),
        }
    }

    /// `<mirror>/<path>` (call only with a mirror set).
    fn mirror_url(&self, path: &str) -> String {
        let base = self.mirror.as_deref().unwrap_or_default();
        format!("{}/{path}", base.trim_end_matches('/'))
    }

    fn searched(&self, file: &DataFile) -> String {
        let places: Vec<String> = self
            .dirs
            .iter()
            .chain(self.cache.iter())
            .map(|d| join(d, file.path).display().to_string())
            .collect();
        if places.is_empty() {
            "no folder".to_owned()
        } else {
            places.join(", ")
        }
    }

    fn missing(&self, file: &DataFile) -> Error {
        let first = self
            .dirs
            .first()
            .map(|d| join(d, file.path))
            .unwrap_or_else(|| PathBuf::from(file.path));
        Error::data(
            first,
            format!(
                "file not found (searched: {}; downloads are off)",
                self.searched(file)
            ),
            format!(
                "set {DATA_VAR} to a folder with the official files (laid out like \
                 ../shared/data), or download {} into it",
                file.url
            ),
        )
    }
}

fn join(dir: &Path, rel: &str) -> PathBuf {
    rel.split('/')
        .fold(dir.to_path_buf(), |p, part| p.join(part))
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The project root: `$DLCOURSE_ROOT`, else the first folder from the current directory
/// upwards that holds both `crate/` and `data/`.
///
/// ```
/// // From the repository (or any folder under it) this finds the checkout, if it has a data/.
/// let _root: Option<std::path::PathBuf> = dlcourse::data::locate::project_root();
/// ```
pub fn project_root() -> Option<PathBuf> {
    if let Some(root) = env_path(ROOT_VAR) {
        return Some(root);
    }
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .find(|dir| dir.join("crate").is_dir() && dir.join("data").is_dir())
        .map(Path::to_path_buf)
}

/// The dataset cache: `$DLCOURSE_DATA_CACHE`, else `$DLCOURSE_CACHE/data`, else
/// `<user cache dir>/dlcourse/data`.
///
/// ```
/// let dir = dlcourse::data::locate::cache_dir();
/// if std::env::var_os("DLCOURSE_DATA_CACHE").is_none() {
///     assert!(dir.is_none_or(|d| d.ends_with("data")));
/// }
/// ```
pub fn cache_dir() -> Option<PathBuf> {
    env_path(DATA_CACHE_VAR).or_else(|| {
        env_path(CACHE_VAR)
            .or_else(|| dirs::cache_dir().map(|d| d.join("dlcourse")))
            .map(|d| d.join("data"))
    })
}
