//! How the workspace is packaged, as cargo itself reports it: an importer of `dlcourse`
//! builds an ordinary library (no shared library), the notebooks link the crate as one
//! through `dlcourse-notebook`, and every notebook's first cell names that package.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// `cargo metadata` of the workspace, without resolving dependencies.
fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("running cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata's JSON")
}

fn package<'a>(meta: &'a Value, name: &str) -> &'a Value {
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no package {name} in the workspace"))
}

/// The crate types of a package's library target.
fn lib_crate_types(package: &Value) -> Vec<String> {
    let name = package["name"].as_str().unwrap().replace('-', "_");
    let lib = package["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name.as_str())
        .expect("a library target");
    lib["crate_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn importers_build_a_plain_library_and_the_notebooks_a_shared_one() {
    let meta = metadata();
    let core = package(&meta, "dlcourse");
    assert_eq!(
        lib_crate_types(core),
        ["lib"],
        "dlcourse must not build a dylib for importers"
    );
    let features = core["features"].as_object().unwrap();
    let default: Vec<_> = features["default"].as_array().unwrap().iter().collect();
    for feature in ["datasets", "plots", "tables", "classic"] {
        assert!(
            default.iter().any(|f| *f == feature),
            "{feature} is not on by default"
        );
    }
    let notebook = package(&meta, "dlcourse-notebook");
    assert_eq!(lib_crate_types(notebook), ["dylib"]);
    let dep = notebook["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "dlcourse")
        .expect("dlcourse-notebook depends on dlcourse");
    assert!(
        dep["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "keep-freed-memory")
    );
}

#[test]
fn every_notebook_depends_on_the_shared_library_package() {
    let line =
        r#":dep dlcourse = { package = \"dlcourse-notebook\", path = \"../crate/notebook\" }"#;
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("notebooks")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ipynb") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.contains(line),
                "{}: the first cell must be {line}",
                path.display()
            );
            assert!(
                !text.contains(r#"path = \"../crate\""#),
                "{} still names ../crate",
                path.display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 19, "found only {seen} notebooks");
}
