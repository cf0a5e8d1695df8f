//! Writing a file atomically: the bytes go to a hidden temporary file beside the
//! destination, which is renamed into place only once complete (a download, a model's
//! weights), and removed when dropped otherwise.

use crate::error::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A hidden file beside the destination, removed when dropped unless persisted (also
/// used to write weights files atomically).
pub(crate) struct TempFile {
    pub(crate) path: PathBuf,
    kept: bool,
}

impl TempFile {
    pub(crate) fn new(dest: &Path) -> Result<Self> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "download".to_owned());
        let path = dest.with_file_name(format!(
            ".{name}.{}-{}.part",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        Ok(TempFile { path, kept: false })
    }

    #[cfg_attr(not(feature = "datasets"), allow(dead_code))]
    pub(crate) fn file(&self) -> Result<File> {
        File::create(&self.path).map_err(|e| Error::io("creating", &self.path, e))
    }

    pub(crate) fn persist(mut self, dest: &Path) -> Result<()> {
        std::fs::rename(&self.path, dest).map_err(|e| Error::io("renaming into", dest, e))?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
