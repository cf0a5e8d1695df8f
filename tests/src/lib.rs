//! Helpers shared by the workspace's integration tests.

pub mod compare;

use std::path::PathBuf;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository root")
        .to_path_buf()
}

/// A fresh temporary directory under `target/test-tmp/<name>`.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = repo_root().join("target/test-tmp").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("target/ is writable");
    dir
}

/// The folder with the real datasets: `$DLCOURSE_DATA`, else `../shared/data` next to the
/// repository. Panics with a clear message when it is absent or incomplete, so the data
/// tests fail rather than pass without data.
pub fn shared_data() -> PathBuf {
    let dir = std::env::var_os("DLCOURSE_DATA")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/data"));
    assert!(
        dir.join("mnist").is_dir(),
        "the real datasets are missing: no mnist/ in {} — set DLCOURSE_DATA to a folder laid \
         out like ../shared/data (see its README.md)",
        dir.display()
    );
    dir
}
