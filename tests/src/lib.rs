//! Helpers shared by the workspace's integration tests.

pub mod compare;

use dlcourse::data::{DataFile, Locator};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The message of the error `result` must be, checked to contain every one of `parts`
/// (what was being done, the file / field / layer, the fix); panics when `result` is `Ok`.
pub fn error_mentioning<T>(result: dlcourse::Result<T>, parts: &[&str]) -> String {
    let err = match result {
        Ok(_) => panic!("expected an error mentioning {parts:?}"),
        Err(e) => e.to_string(),
    };
    for part in parts {
        assert!(
            err.contains(part),
            "the error should mention {part:?}: {err}"
        );
    }
    err
}

/// An uncompressed ustar archive of `entries` (name, contents): regular files, any name
/// accepted (tar writers refuse `..`; a hostile archive does not ask them).
pub fn tar_archive(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (name, body) in entries {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name);
        h[100..107].copy_from_slice(b"0000644");
        h[108..115].copy_from_slice(b"0000000");
        h[116..123].copy_from_slice(b"0000000");
        h[124..135].copy_from_slice(format!("{:011o}", body.len()).as_bytes());
        h[136..147].copy_from_slice(b"00000000000");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        tar.extend(h);
        tar.extend(*body);
        tar.extend(std::iter::repeat_n(
            0u8,
            body.len().next_multiple_of(512) - body.len(),
        ));
    }
    tar.extend([0u8; 1024]);
    tar
}

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

/// Every file under `dir`, hidden temporary ones included (none when it is absent).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// `scripts/run-notebooks.sh` as a command, without the folders `cargo test` puts on
/// `LD_LIBRARY_PATH`: the test build's `target/debug/deps` holds a `libdlcourse_notebook.so` of
/// its own, which the kernel's cells would load instead of the kernel's ("dlopen failed" at
/// the first cell that calls into the crate).
pub fn run_notebooks_command() -> Command {
    let mut command = Command::new(repo_root().join("scripts/run-notebooks.sh"));
    let exe = std::env::current_exe().ok();
    let cargo_dirs: Vec<PathBuf> = exe
        .iter()
        .flat_map(|exe| exe.ancestors().skip(1).take(2))
        .map(PathBuf::from)
        .collect();
    if let Some(paths) = std::env::var_os("LD_LIBRARY_PATH") {
        let kept: Vec<PathBuf> = std::env::split_paths(&paths)
            .filter(|p| !cargo_dirs.contains(p))
            .collect();
        command.env(
            "LD_LIBRARY_PATH",
            std::env::join_paths(kept).unwrap_or_default(),
        );
    }
    command
}

/// Runs `command`; whether it succeeded, and its stdout and stderr together (for asserting on
/// what a script printed, and for showing it when an assertion fails).
pub fn status_and_output(command: &mut Command) -> (bool, String) {
    let output = command.output().expect("the command starts");
    let all = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), all)
}

/// The lookup the data tests use: the loaders' own ([`Locator::from_env`]: `$DLCOURSE_DATA`,
/// the project's `data/`, the dataset cache, else a download into it), with
/// `../shared/data` searched first when `DLCOURSE_DATA` is unset, as the scripts do. On a
/// machine without the shared folder the tests thus download what they need, once.
pub fn data_locator() -> Locator {
    let mut loc = Locator::from_env();
    if std::env::var_os("DLCOURSE_DATA").is_none_or(|v| v.is_empty()) {
        let shared = repo_root().join("../shared/data");
        if shared.is_dir() {
            loc.dirs.insert(0, shared);
        }
    }
    loc
}

/// The local copy of `file` through [`data_locator`] (downloaded into the cache when no
/// folder has it). Panics with the loader's error, which names every place searched.
pub fn local_copy(file: &DataFile) -> PathBuf {
    data_locator()
        .path(file)
        .unwrap_or_else(|e| panic!("no copy of {} to test with: {e}", file.path))
}
