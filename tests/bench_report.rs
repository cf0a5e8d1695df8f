//! `scripts/bench_report.py`: a run of some models (`scripts/bench.sh --models`) keeps the
//! other models' rows from the previous run at the same thread count, marked with where they
//! come from, and replaces the rows it measured.

use dlcourse_tests::{repo_root, status_and_output, temp_dir};
use std::path::Path;
use std::process::Command;

/// The JSON lines of one side: the matmul peak (Rust side), then (model, seconds) records.
fn results(dir: &Path, name: &str, rust: bool, models: &[(&str, f64)]) -> String {
    let mut lines = vec![if rust {
        r#"{"kind":"matmul","n":2048,"repeats":10,"median_s":0.16,"gflops":100.0}"#.to_string()
    } else {
        r#"{"kind":"setup","threads":2,"tensorflow":"2.21.0","keras":"3.15.1"}"#.to_string()
    }];
    for (model, seconds) in models {
        lines.push(format!(
            r#"{{"kind":"train","model":"{model}","epoch_s":{seconds},"samples":60000,"gflops":10.0}}"#
        ));
        lines.push(format!(
            r#"{{"kind":"evaluate","model":"{model}","median_s":{},"gflops":20.0}}"#,
            seconds / 10.0
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n")).unwrap();
    path.display().to_string()
}

/// Runs the report on `out` with these results; returns the file it wrote.
fn report(out: &Path, rust: String, keras: String, threads: &str, commit: &str) -> String {
    report_with(out, rust, keras, threads, &["--commit", commit])
}

/// [`report`] with other arguments of the script instead of the commit.
fn report_with(out: &Path, rust: String, keras: String, threads: &str, more: &[&str]) -> String {
    let script = repo_root().join("scripts/bench_report.py");
    let (ok, output) = status_and_output(
        Command::new("python3")
            .arg(script)
            .args([
                "--out",
                &out.display().to_string(),
                "--rust",
                &rust,
                "--keras",
                &keras,
                "--threads",
                threads,
            ])
            .args(more),
    );
    assert!(ok, "bench_report.py failed:\n{output}");
    std::fs::read_to_string(out).unwrap()
}

/// The training-table row of the model whose label starts with `label`.
fn row<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    let training = text
        .split("## Training")
        .nth(1)?
        .split("Evaluation over")
        .next()?;
    training
        .lines()
        .find(|l| l.starts_with(&format!("| {label}")))
}

#[test]
fn a_partial_run_keeps_the_other_rows_and_says_where_they_come_from() {
    let dir = temp_dir("bench_report");
    let out = dir.join("BENCHMARKS.md");
    let both = [("mlp", 4.0), ("lstm", 50.0)];
    let rust = results(&dir, "rust1.jsonl", true, &both);
    let keras = results(
        &dir,
        "keras1.jsonl",
        false,
        &[("mlp", 10.0), ("lstm", 100.0)],
    );
    report(&out, rust, keras, "2", "aaaa111");

    // Second run: the LSTM only, faster.
    let rust = results(&dir, "rust2.jsonl", true, &[("lstm", 40.0)]);
    let keras = results(&dir, "keras2.jsonl", false, &[("lstm", 100.0)]);
    let text = report(&out, rust, keras, "2", "bbbb222");
    let mlp = row(&text, "MNIST MLP").expect("the MLP row is kept");
    assert!(mlp.contains("| 10.00 | 4.00 | 0.40× |"), "{mlp}");
    let lstm = row(&text, "IMDB LSTM (lesson 10) without").expect("the LSTM row");
    assert!(lstm.contains("| 100.00 | 40.00 | 0.40× |"), "{lstm}");
    assert!(
        !lstm.contains('¹'),
        "the measured row is not marked kept: {lstm}"
    );
    assert!(
        text.contains("not measured in this run: kept from the run of")
            && text.contains("commit `aaaa111`"),
        "the kept rows say where they come from:\n{text}"
    );

    // A third run at another thread count keeps nothing.
    let rust = results(&dir, "rust3.jsonl", true, &[("lstm", 70.0)]);
    let keras = results(&dir, "keras3.jsonl", false, &[("lstm", 150.0)]);
    let text = report(&out, rust, keras, "1", "cccc333");
    assert!(
        row(&text, "MNIST MLP").is_none(),
        "a 2-thread row kept in a 1-thread table:\n{text}"
    );
}

#[test]
fn the_kernel_cnn_row_compares_the_kernel_with_both_release_runs() {
    let dir = temp_dir("bench_report_kernel");
    let out = dir.join("BENCHMARKS.md");
    let rust = results(&dir, "rust.jsonl", true, &[("mlp", 4.0)]);
    let keras = results(&dir, "keras.jsonl", false, &[("mlp", 10.0)]);
    let kernel = dir.join("kernel-cnn.json");
    std::fs::write(
        &kernel,
        r#"{"kind":"kernel-train","model":"cnn","samples":3200,"repeats":3,"times_s":[6.0,6.6,6.3],"median_s":6.3}"#,
    )
    .unwrap();
    let release = |name: &str, times: [f64; 3], samples: usize| {
        let path = dir.join(name);
        let median = times[1];
        std::fs::write(
            &path,
            format!(
                r#"{{"kind":"train","model":"cnn","samples":{samples},"repeats":3,"times_s":{times:?},"median_s":{median},"epoch_s":1.0}}"#
            ),
        )
        .unwrap();
        path.display().to_string()
    };
    let before = release("before.jsonl", [5.0, 5.8, 6.2], 3200);
    let after = release("after.jsonl", [5.9, 6.1, 6.4], 3200);
    let other = release("other.jsonl", [1.0, 1.0, 1.0], 6400);
    let kernel = kernel.display().to_string();
    let text = report_with(
        &out,
        rust,
        keras,
        "2",
        &[
            "--kernel-cnn",
            &kernel,
            "--kernel-cnn-release",
            &before,
            &after,
            &other,
        ],
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("| lesson 09's CNN, one training epoch in the kernel"))
        .unwrap_or_else(|| panic!("no kernel CNN row:\n{text}"));
    // Six release epochs (the run on other images is left out): median 6.1 s; 6.3 / 6.1.
    assert!(line.contains("| 6.3 |"), "{line}");
    assert!(
        line.contains("release build 6.10 s (median of 6 epochs") && line.contains("**1.03×**"),
        "{line}"
    );
}
