//! The headless runner through the real evcxr kernel: a failing cell must make it exit
//! non-zero and name the notebook and the cell. Needs `scripts/setup.sh` to have run
//! (the project's test command does that first).

use dlcourse_tests::{repo_root, status_and_output};
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
    let root = repo_root();
    status_and_output(
        Command::new(root.join("scripts/run-notebooks.sh"))
            .args(["--profile", "quick", "--timeout", "600"])
            .arg(root.join("tests/fixtures").join(name)),
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
