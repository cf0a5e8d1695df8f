//! `scripts/book.sh` on executed notebooks: pages with their pictures and navigation, an index
//! naming the profile each lesson ran in, and `--check` failing on a page without pictures or
//! with an error. Needs `scripts/setup.sh` to have run (the project's test command does).

use dlcourse_tests::{repo_root, status_and_output, temp_dir};
use std::path::Path;
use std::process::Command;

/// A 1×1 PNG, base64.
const PIXEL: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/// An executed notebook titled `title` whose one code cell has `outputs` (JSON).
fn notebook(title: &str, outputs: &str) -> String {
    format!(
        r##"{{"cells": [
  {{"cell_type": "markdown", "metadata": {{}}, "source": ["# {title}\n", "Some prose."]}},
  {{"cell_type": "code", "execution_count": 1, "metadata": {{}}, "source": ["plot()"], "outputs": {outputs}}}
 ],
 "metadata": {{"dlcourse": {{"profile": "quick", "executed": "2026-12-01 12:00 UTC", "seconds": 61.5, "ok": true}}}},
 "nbformat": 4, "nbformat_minor": 5}}"##
    )
}

fn picture() -> String {
    format!(
        r#"[{{"output_type": "display_data", "metadata": {{}}, "data": {{"image/png": "{PIXEL}", "text/plain": ["<Figure>"]}}}}]"#
    )
}

/// Writes the notebooks as sources and executed copies; runs the book on them.
fn book(dir: &Path, lessons: &[(&str, String)]) -> (bool, String) {
    let (sources, executed) = (dir.join("src"), dir.join("executed"));
    std::fs::create_dir_all(&sources).unwrap();
    std::fs::create_dir_all(&executed).unwrap();
    let mut args = vec![];
    for (name, text) in lessons {
        std::fs::write(sources.join(name), text).unwrap();
        std::fs::write(executed.join(name), text).unwrap();
        args.push(sources.join(name));
    }
    status_and_output(
        Command::new(repo_root().join("scripts/book.sh"))
            .arg("--check")
            .arg("--executed")
            .arg(&executed)
            .arg("--out")
            .arg(dir.join("book"))
            .args(&args),
    )
}

#[test]
fn the_book_has_an_index_pages_with_pictures_and_navigation() {
    let dir = temp_dir("book_pages");
    let (ok, all) = book(
        &dir,
        &[
            ("01-first.ipynb", notebook("Lesson 1 — first", &picture())),
            ("02-second.ipynb", notebook("Lesson 2 — second", &picture())),
        ],
    );
    assert!(ok, "the book check failed on good lessons:\n{all}");
    let index = std::fs::read_to_string(dir.join("book/index.html")).unwrap();
    assert!(
        index.contains(r#"<a href="01-first.html">Lesson 1 — first</a>"#),
        "{index}"
    );
    assert!(
        index.contains("quick") && index.contains("2026-12-01 12:00 UTC"),
        "{index}"
    );
    let first = std::fs::read_to_string(dir.join("book/01-first.html")).unwrap();
    assert!(first.contains(PIXEL), "the picture is not on the page");
    assert!(
        first.contains(r#"href="02-second.html""#),
        "no link to the next lesson"
    );
    let second = std::fs::read_to_string(dir.join("book/02-second.html")).unwrap();
    assert!(
        second.contains(r#"href="01-first.html""#),
        "no link to the previous lesson"
    );
}

#[test]
fn the_check_fails_on_a_page_with_an_error_or_without_pictures() {
    let dir = temp_dir("book_errors");
    let error = r#"[{"output_type": "stream", "name": "stderr", "text": ["Error: no such file data/x.gz\n"]}]"#;
    let (ok, all) = book(
        &dir,
        &[
            ("01-broken.ipynb", notebook("Broken", error)),
            ("02-blank.ipynb", notebook("Blank", "[]")),
        ],
    );
    assert!(!ok, "the book check passed broken lessons:\n{all}");
    assert!(
        all.contains("01-broken.html: cell 2 shows an error: Error: no such file"),
        "{all}"
    );
    assert!(
        all.contains("02-blank.html: the executed lesson holds no picture"),
        "{all}"
    );
}
