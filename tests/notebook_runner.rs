//! The headless runner through the real evcxr kernel: a failing cell must make it exit
//! non-zero and name the notebook and the cell. Needs `scripts/setup.sh` to have run
//! (the project's test command does that first).

use dlcourse_tests::{repo_root, status_and_output, temp_dir};
use std::process::Command;

#[test]
fn a_failing_cell_fails_the_run_and_is_named() {
    let root = repo_root();
    assert!(
        root.join(".venv/share/jupyter/kernels/dlcourse-rust/kernel.json")
            .exists(),
        "the kernel is not set up: run scripts/setup.sh first (scripts/test.sh does)"
    );
    let output = Command::new(root.join("scripts/run-notebooks.sh"))
        .args(["--profile", "quick", "--timeout", "600"])
        .arg(root.join("tests/fixtures/failing.ipynb"))
        .output()
        .expect("scripts/run-notebooks.sh runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let all = format!("{stdout}\n{stderr}");
    assert!(
        !output.status.success(),
        "the runner passed a failing notebook:\n{all}"
    );
    assert!(all.contains("failing.ipynb"), "notebook not named:\n{all}");
    assert!(
        all.contains("cell 3 (code cell 2)"),
        "cell not named:\n{all}"
    );
    assert!(
        all.contains("deliberate failure of the fixture"),
        "error not shown:\n{all}"
    );
    assert!(
        !all.contains("never reached"),
        "ran past the failure:\n{all}"
    );
    let executed = root.join("target/notebooks/failing.ipynb");
    let saved = std::fs::read_to_string(&executed).expect("the executed copy is written");
    assert!(
        saved.contains("deliberate failure"),
        "executed copy lacks the error"
    );
}

#[test]
fn an_error_returned_by_question_mark_fails_the_run() {
    // evcxr prints such an error and reports success; the runner must not.
    let (ok, all) = run_fixture("question-mark.ipynb");
    assert!(!ok, "the runner passed a failing notebook:\n{all}");
    assert!(
        all.contains("question-mark.ipynb")
            && all.contains("cell 3 (code cell 2) returned an error"),
        "{all}"
    );
    assert!(
        all.contains("invalid digit"),
        "the error text is missing:\n{all}"
    );
    assert!(
        !all.contains("never reached"),
        "ran past the failure:\n{all}"
    );
}

/// Runs `scripts/run-notebooks.sh` on one fixture; its exit status and all its output.
fn run_fixture(name: &str) -> (bool, String) {
    run_fixture_with(name, &[])
}

/// [`run_fixture`] with these environment variables set for the runner and its kernel.
fn run_fixture_with(name: &str, env: &[(&str, &str)]) -> (bool, String) {
    let root = repo_root();
    status_and_output(
        Command::new(root.join("scripts/run-notebooks.sh"))
            .args(["--profile", "quick", "--timeout", "600"])
            .arg(root.join("tests/fixtures").join(name))
            .envs(env.iter().copied()),
    )
}

#[test]
fn cells_tagged_raises_exception_must_fail_and_the_run_goes_on() {
    // A compile error, a panic and an error returned by `?`, each tagged.
    let (ok, all) = run_fixture("raises-exception.ipynb");
    assert!(
        ok,
        "the runner failed a notebook whose tagged cells fail:\n{all}"
    );
    let executed = repo_root().join("target/notebooks/raises-exception.ipynb");
    let saved = std::fs::read_to_string(&executed).expect("the executed copy is written");
    assert!(
        saved.contains("still running: 42"),
        "the cell after the failures did not run"
    );
    for shown in ["mismatched types", "a panic, on purpose", "invalid digit"] {
        assert!(saved.contains(shown), "the executed copy lacks {shown:?}");
    }
}

#[test]
fn a_cell_tagged_raises_exception_that_succeeds_fails_the_run() {
    let (ok, all) = run_fixture("raises-exception-missing.ipynb");
    assert!(
        !ok,
        "the runner passed a tagged cell that did not fail:\n{all}"
    );
    assert!(
        all.contains("raises-exception-missing.ipynb")
            && all.contains("cell 3 (code cell 2) is tagged raises-exception but did not fail"),
        "notebook or cell not named:\n{all}"
    );
    assert!(
        !all.contains("never reached"),
        "ran past the failure:\n{all}"
    );
}

/// One run of four notebooks: one that is not JSON, one whose cell aborts the process
/// running the cells, one whose cell never ends (20 s cell limit), and one that passes.
/// Each failure names its notebook and cell; the last notebook still runs; the endless
/// loop does not outlive the run.
#[test]
fn broken_notebooks_fail_clearly_and_the_others_still_run() {
    let root = repo_root();
    let fixtures = root.join("tests/fixtures");
    let pid_file = dlcourse_tests::temp_dir("runner_loop").join("loop.pid");
    let started = std::time::Instant::now();
    let (ok, all) = status_and_output(
        dlcourse_tests::run_notebooks_command()
            .args(["--profile", "quick", "--timeout", "20"])
            .args(
                [
                    "not-json.ipynb",
                    "kernel-dies.ipynb",
                    "loops-forever.ipynb",
                    "passing.ipynb",
                ]
                .map(|name| fixtures.join(name)),
            )
            .env("DLCOURSE_TEST_PID_FILE", &pid_file),
    );
    let seconds = started.elapsed().as_secs();
    assert!(!ok, "the runner passed broken notebooks:\n{all}");
    for expected in [
        "not-json.ipynb — cannot read the notebook (NotJSONError: Expecting ',' delimiter: line 6",
        "kernel-dies.ipynb — cell 3 (code cell 2) killed the process running the cells",
        "signal: 6 (SIGABRT)",
        "loops-forever.ipynb — cell 3 (code cell 2) timed out after 20 s",
        "notebooks: 1 passed, 3 failed",
    ] {
        assert!(all.contains(expected), "{expected:?} is missing:\n{all}");
    }
    // The summary table's row: "<name>  <ok|FAILED>  <seconds>".
    let summary = |name: &str| {
        all.lines()
            .find(|line| line.starts_with(name))
            .map(|line| line.split_whitespace().nth(1).unwrap_or("").to_owned())
    };
    for (name, result) in [
        ("not-json.ipynb", "FAILED"),
        ("kernel-dies.ipynb", "FAILED"),
        ("loops-forever.ipynb", "FAILED"),
        ("passing.ipynb", "ok"),
    ] {
        assert_eq!(summary(name).as_deref(), Some(result), "{name}:\n{all}");
    }
    assert!(!all.contains("never reached"), "ran past a failure:\n{all}");
    let passed = std::fs::read_to_string(root.join("target/notebooks/passing.ipynb"))
        .expect("the passing notebook's executed copy is written");
    assert!(passed.contains("the passing fixture ran: 42"), "{passed}");
    // The looping cell's process is stopped with its kernel (on Linux: /proc/<pid> is gone).
    let pid = std::fs::read_to_string(&pid_file).expect("the looping cell wrote its pid");
    let proc = std::path::Path::new("/proc").join(pid.trim());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while proc.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        !proc.exists(),
        "the endless cell (pid {pid}) outlived the run"
    );
    // Three kernel starts and a 20 s cell limit, not the default hour.
    assert!(seconds < 600, "the run took {seconds} s:\n{all}");
}

/// An edited course crate is compiled again, not taken from evcxr's compilation cache: that
/// cache keys a compiled crate by rustc's command line only, so `scripts/kernel.sh` must keep
/// the course crate incremental (evcxr never caches incremental crates). The scratch crate is
/// named `dlcourse`, so the kernel's settings for the course crate apply to it.
#[test]
fn an_edited_course_crate_is_compiled_again() {
    let dir = temp_dir("edited_crate").join("dlcourse");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"dlcourse\"\nversion = \"0.0.1\"\nedition = \"2024\"\n\n[workspace]\n",
    )
    .unwrap();
    for mark in ["first", "second"] {
        std::fs::write(
            dir.join("src/lib.rs"),
            format!("pub fn mark() -> &'static str {{\n    \"{mark}\"\n}}\n"),
        )
        .unwrap();
        let (ok, output) =
            run_fixture_with("edited-crate.ipynb", &[("DLCOURSE_EXPECTED_MARK", mark)]);
        assert!(
            ok,
            "the kernel did not run the crate as written ({mark}):\n{output}"
        );
    }
}
