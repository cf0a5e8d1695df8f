//! Downloading a dataset file into the cache: streamed, checksummed, atomic.
//!
//! The bytes go to a hidden temporary file next to the destination while their SHA-256
//! is computed; only a complete file with the published checksum is renamed into place.
//! On any error (HTTP status, a connection that dies mid-file, a wrong checksum, a full
//! disk) the temporary file is removed, so the cache never holds a partial file.
//!
//! A process killed mid-download (SIGKILL, a crash, a power cut) cannot remove its
//! temporary file; the next download of that file removes it. Downloads into one folder
//! take turns: each holds an exclusive lock on the folder (released by the system when
//! its process dies, however it dies), so two processes loading the same dataset at
//! once do not both fetch it — the second waits, then takes the first one's verified
//! file. (Where a folder cannot be locked, e.g. on Windows, both download, each into its
//! own temporary file, and the atomic rename leaves one whole file.)
//!
//! ```no_run
//! use dlcourse::data::fetch;
//! let dest = std::path::Path::new("/tmp/cache/uci/house-votes-84.data");
//! fetch::download(
//!     "https://archive.ics.uci.edu/ml/machine-learning-databases/voting-records/house-votes-84.data",
//!     dest,
//!     None,
//! )?;
//! # Ok::<(), dlcourse::Error>(())
//! ```

use super::temp_file::TempFile;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// Downloads `url` to `dest` (creating its folder), checking the SHA-256 when `sha256`
/// is given, and printing progress on stdout about every 10%.
///
/// Nothing is left at `dest` or beside it unless the whole file arrived and matched.
/// When another process is downloading into the same folder, waits for it; if it left
/// `dest` with the expected checksum, that file is kept and nothing is downloaded.
/// Temporary files of `dest` left by a killed download are removed first.
///
/// ```no_run
/// let dest = std::path::Path::new("/tmp/cache/mnist/t10k-labels-idx1-ubyte.gz");
/// dlcourse::data::fetch::download(
///     "https://storage.googleapis.com/cvdf-datasets/mnist/t10k-labels-idx1-ubyte.gz",
///     dest,
///     Some("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
/// )?;
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn download(url: &str, dest: &Path, sha256: Option<&str>) -> Result<()> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating the folder", dir, e))?;
    let lock = FolderLock::acquire(dir);
    if lock.waited
        && let Some(expected) = sha256
        && dest.is_file()
        && sha256_file(dest)?.eq_ignore_ascii_case(expected)
    {
        println!(
            "dlcourse: {} was downloaded by another process meanwhile (SHA-256 verified)",
            dest.display()
        );
        return Ok(());
    }
    if lock.held {
        remove_stale_parts(dest);
    }
    let part = TempFile::new(dest)?;
    let fail = |problem: String| Error::Download {
        url: url.to_owned(),
        problem,
        fix: format!(
            "check the connection and try again (nothing was kept), or put the official \
             file at {} yourself, or set DLCOURSE_DATA to a folder with the official files",
            dest.display()
        ),
    };

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .timeout_per_read(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut response = agent
        .get(url)
        .header("Accept-Encoding", "identity")
        .call()
        .map_err(|e| match e {
            ureq::Error::StatusCode(code) => fail(format!("the server answered HTTP {code}")),
            e => fail(format!("no answer: {e}")),
        })?;
    let total = response.body().content_length();
    let mut reader = response.body_mut().as_reader();

    let mut progress = Progress::start(url, dest, total);
    let mut file = part.file()?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 18];
    let mut got = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(fail(format!(
                    "the connection broke after {got} of {} bytes: {e}",
                    total.map_or("?".to_owned(), |t| t.to_string())
                )));
            }
        };
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])
            .map_err(|e| Error::io("writing", &part.path, e))?;
        got += n as u64;
        progress.advance(got);
    }
    if let Some(t) = total.filter(|&t| t != got) {
        return Err(fail(format!(
            "the connection ended after {got} of {t} bytes"
        )));
    }
    let digest = hex(&hasher.finalize());
    if let Some(expected) = sha256.filter(|e| !e.eq_ignore_ascii_case(&digest)) {
        return Err(fail(format!(
            "the file's SHA-256 is {digest}, expected the published {expected} \
             (a damaged download, or a mirror serving another file)"
        )));
    }
    file.sync_all()
        .map_err(|e| Error::io("writing", &part.path, e))?;
    drop(file);
    part.persist(dest)?;
    progress.done(got, &digest);
    Ok(())
}

/// An exclusive lock on a download folder, held until dropped (`held` is false where
/// the folder could not be locked: the download then goes ahead unlocked).
struct FolderLock {
    _handle: Option<File>,
    held: bool,
    /// Whether another process held the lock first.
    waited: bool,
}

impl FolderLock {
    fn acquire(dir: &Path) -> FolderLock {
        let unlocked = FolderLock {
            _handle: None,
            held: false,
            waited: false,
        };
        let Ok(handle) = File::open(dir) else {
            return unlocked;
        };
        let waited = match handle.try_lock() {
            Ok(()) => false,
            Err(std::fs::TryLockError::WouldBlock) => {
                println!(
                    "dlcourse: waiting for another process downloading into {}",
                    dir.display()
                );
                if handle.lock().is_err() {
                    return unlocked;
                }
                true
            }
            Err(std::fs::TryLockError::Error(_)) => return unlocked,
        };
        FolderLock {
            _handle: Some(handle),
            held: true,
            waited,
        }
    }
}

/// Removes the temporary files of `dest` ([`TempFile`]'s `.<name>.<pid>-<n>.part`) that a
/// killed download left. Called with the folder's lock held: every download into the
/// folder holds it, so no live one owns such a file.
fn remove_stale_parts(dest: &Path) {
    let (Some(dir), Some(name)) = (dest.parent(), dest.file_name()) else {
        return;
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let entry_name = entry.file_name();
        let entry_name = entry_name.to_string_lossy();
        if entry_name.starts_with(&prefix) && entry_name.ends_with(".part") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Download progress, printed on stdout so that a notebook shows it as the cell's output
/// (the notebook runner fails any cell that writes to stderr): a line when the download
/// starts, one at each further tenth of the file (every 10 MB when the size is unknown)
/// once the download has taken a second (a fast one shows no steps), none for the last
/// tenth, and one with the size, time and checksum when it is done.
struct Progress {
    total: Option<u64>,
    shown: u64,
    started: Instant,
}

impl Progress {
    fn start(url: &str, dest: &Path, total: Option<u64>) -> Self {
        let size = total
            .map(|t| format!(" ({})", megabytes(t)))
            .unwrap_or_default();
        println!("dlcourse: downloading {url}{size} into {}", dest.display());
        Progress {
            total,
            shown: 0,
            started: Instant::now(),
        }
    }

    fn advance(&mut self, got: u64) {
        let step = match self.total {
            Some(t) => got * 10 / t.max(1),
            None => got / (10 << 20),
        };
        if step <= self.shown
            || self.total.is_some_and(|t| got >= t)
            || self.started.elapsed() < Duration::from_secs(1)
        {
            return;
        }
        self.shown = step;
        match self.total {
            Some(t) => println!(
                "dlcourse:   {:>3}% ({} of {})",
                got * 100 / t.max(1),
                megabytes(got),
                megabytes(t)
            ),
            None => println!("dlcourse:   {}", megabytes(got)),
        }
    }

    fn done(&self, got: u64, digest: &str) {
        println!(
            "dlcourse:   done: {} in {:.1} s, SHA-256 {digest}",
            megabytes(got),
            self.started.elapsed().as_secs_f64()
        );
    }
}

/// The SHA-256 of the file at `path`, in lower-case hex.
///
/// ```no_run
/// let sum = dlcourse::data::fetch::sha256_file("../shared/data/uci/house-votes-84.data".as_ref())?;
/// assert_eq!(sum.len(), 64);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io("opening", path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io("reading", path, e))?;
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn megabytes(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}
