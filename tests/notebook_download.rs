//! A learner's first run: lesson 06 through the real runner and kernel on a machine where
//! no folder holds Fashion-MNIST, so the loader downloads it — from a local mirror
//! (Python's `http.server` on 127.0.0.1) standing in for the internet, into an empty data
//! cache. The download's progress must not fail the lesson (the runner fails a cell that
//! writes to stderr), and the files must arrive whole and checksummed. The kernel keeps
//! its usual build cache (`$DLCOURSE_CACHE/evcxr`): only the data cache is fresh
//! (`DLCOURSE_DATA_CACHE`). Needs `scripts/setup.sh` to have run (the test command does).

use dlcourse::data::fetch::sha256_file;
use dlcourse::data::mnist::FASHION_MNIST_FILES;
use dlcourse_tests::{
    data_locator, files_under, repo_root, run_notebooks_command, status_and_output, temp_dir,
};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const LESSON: &str = "06-fashion-mnist-classifier.ipynb";

/// `python -m http.server` serving `dir` on a free port of 127.0.0.1, its request log
/// written to `log`; stopped when dropped.
struct Mirror {
    child: Child,
    base: String,
}

impl Mirror {
    fn serve(dir: &Path, log: &Path) -> Mirror {
        let venv_python = repo_root().join(".venv/bin/python");
        let python = if venv_python.exists() {
            venv_python
        } else {
            PathBuf::from("python3")
        };
        let mut child = Command::new(&python)
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).expect("target/ is writable"))
            .spawn()
            .unwrap_or_else(|e| panic!("starting {} -m http.server: {e}", python.display()));
        // "Serving HTTP on 127.0.0.1 port 40423 (http://127.0.0.1:40423/) ..."
        let mut line = String::new();
        let _ = BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
        let port = line
            .split_whitespace()
            .skip_while(|w| *w != "port")
            .nth(1)
            .and_then(|p| p.parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "http.server did not start: {line:?}\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        };
        Mirror {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Mirror {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_lesson_downloads_its_data_through_the_runner() {
    let root = repo_root();
    assert!(
        root.join(".venv/share/jupyter/kernels/dlcourse-rust/kernel.json")
            .exists(),
        "the kernel is not set up: run scripts/setup.sh first (scripts/test.sh does)"
    );
    let tmp = temp_dir("notebook_download");
    let (served, cache) = (tmp.join("mirror"), tmp.join("data-cache"));
    let (no_data, no_project) = (tmp.join("no-data"), tmp.join("no-project"));
    for dir in [&served, &cache, &no_data, &no_project] {
        std::fs::create_dir_all(dir).unwrap();
    }
    // The mirror serves the real files, wherever the data tests find them.
    for file in &FASHION_MNIST_FILES {
        let real = match data_locator().path(file) {
            Ok(real) => real,
            Err(e) => {
                eprintln!(
                    "skipped: no copy of {} to serve as the mirror (no data folder, and \
                     the download failed): {e}",
                    file.path
                );
                return;
            }
        };
        let link = served.join(file.path);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(std::fs::canonicalize(real).unwrap(), &link).unwrap();
    }
    let log = tmp.join("mirror.log");
    let mirror = Mirror::serve(&served, &log);
    let base = mirror.base.clone();

    let start = Instant::now();
    // A generous cell timeout: on a fresh machine this is the first kernel, whose first
    // cell compiles every dependency (about 9 minutes on two cores).
    let (ok, all) = status_and_output(
        run_notebooks_command()
            .args(["--profile", "quick", "--timeout", "1800"])
            .arg(root.join("notebooks").join(LESSON))
            .env("DLCOURSE_DATA", &no_data)
            .env("DLCOURSE_ROOT", &no_project)
            .env("DLCOURSE_DATA_CACHE", &cache)
            .env("DLCOURSE_MIRROR", &base),
    );
    let seconds = start.elapsed().as_secs_f64();
    drop(mirror);
    assert!(
        ok,
        "lesson {LESSON} failed with its data downloaded from the mirror:\n{all}"
    );
    eprintln!("{LESSON} through the mirror, empty data cache: {seconds:.1} s");

    let requests = std::fs::read_to_string(&log).unwrap();
    let executed = std::fs::read_to_string(root.join("target/notebooks").join(LESSON))
        .expect("the executed copy is written");
    let mut expected: Vec<PathBuf> = vec![];
    for file in &FASHION_MNIST_FILES {
        let got = cache.join(file.path);
        let sum = sha256_file(&got)
            .unwrap_or_else(|e| panic!("{} was not downloaded: {e}\n{all}", file.path));
        assert_eq!(Some(sum.as_str()), file.sha256, "{}", file.path);
        assert!(
            requests.contains(&format!("\"GET /{} HTTP/1.1\" 200", file.path)),
            "the mirror did not serve {}:\n{requests}",
            file.path
        );
        let url = format!("{base}/{}", file.path);
        assert!(
            executed.contains(&format!("dlcourse: downloading {url}")),
            "the lesson's output does not show the download of {url}"
        );
        assert!(
            executed.contains(&format!("SHA-256 {sum}")),
            "the lesson's output lacks {}'s checksum",
            file.path
        );
        expected.push(got);
    }
    let mut cached = files_under(&cache);
    cached.sort();
    expected.sort();
    assert_eq!(cached, expected, "exactly the four files, no leftovers");
}
