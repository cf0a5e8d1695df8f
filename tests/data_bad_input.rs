//! Damaged or wrong data files give an `Error` that names the file, says what was
//! expected and what was found, and what to do — never a panic. Each test writes its bad
//! files into its own folder under `target/test-tmp/`.

use dlcourse::data::{Locator, imdb, mnist, uci};
use dlcourse_tests::{local_copy, temp_dir};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};

const MNIST_NAMES: [&str; 4] = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
];

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn idx(magic: u32, dims: &[u32], data_len: usize) -> Vec<u8> {
    let mut bytes = magic.to_be_bytes().to_vec();
    for d in dims {
        bytes.extend(d.to_be_bytes());
    }
    bytes.extend(std::iter::repeat_n(0u8, data_len));
    bytes
}

/// A data folder with a small valid MNIST (3 training and 2 test images), with
/// `replace` written over the file of that name.
fn mnist_folder(test: &str, replace: &[(&str, Vec<u8>)]) -> PathBuf {
    let root = temp_dir(test);
    let dir = root.join("mnist");
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        gz(&idx(0x803, &[3, 28, 28], 3 * 784)),
        gz(&idx(0x801, &[3], 3)),
        gz(&idx(0x803, &[2, 28, 28], 2 * 784)),
        gz(&idx(0x801, &[2], 2)),
    ];
    for (name, bytes) in MNIST_NAMES.iter().zip(files) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    for (name, bytes) in replace {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    root
}

/// The error of loading MNIST from `root`, checked to name `file` and to say what to do.
fn mnist_error(root: &Path, file: &str) -> String {
    let err = mnist::mnist_from(&Locator::only(root))
        .expect_err("a bad file must give an error")
        .to_string();
    assert!(err.contains(file), "the error should name {file}: {err}");
    assert!(
        err.contains("DLCOURSE_DATA"),
        "the error should say what to do: {err}"
    );
    err
}

#[test]
fn the_small_valid_folder_loads() {
    let root = mnist_folder("bad_input_control", &[]);
    let data = mnist::mnist_from(&Locator::only(&root)).unwrap();
    assert_eq!((data.train.len(), data.test.len()), (3, 2));
}

#[test]
fn truncated_gzip_is_reported() {
    let whole = std::fs::read(local_copy(&mnist::MNIST_FILES[3])).unwrap();
    let half = whole[..whole.len() / 2].to_vec();
    let root = mnist_folder("bad_input_truncated", &[(MNIST_NAMES[3], half)]);
    let err = mnist_error(&root, MNIST_NAMES[3]);
    assert!(err.contains("truncated or damaged"), "{err}");
}

#[test]
fn a_file_that_is_not_gzip_is_reported() {
    let root = mnist_folder(
        "bad_input_not_gzip",
        &[(MNIST_NAMES[0], b"<html>404 Not Found</html>".to_vec())],
    );
    let err = mnist_error(&root, MNIST_NAMES[0]);
    assert!(
        err.contains("expected a gzip file") && err.contains("3c 68"),
        "{err}"
    );
}

#[test]
fn a_wrong_idx_magic_is_reported() {
    let bad = gz(&idx(0x0000_0c03, &[3, 28, 28], 3 * 784));
    let root = mnist_folder("bad_input_magic", &[(MNIST_NAMES[0], bad)]);
    let err = mnist_error(&root, MNIST_NAMES[0]);
    assert!(err.contains("expected IDX magic 0x00000803"), "{err}");
    assert!(err.contains("found 0x00000c03"), "{err}");
}

#[test]
fn a_gzip_compressed_twice_is_reported() {
    let bad = gz(&gz(&idx(0x803, &[3, 28, 28], 3 * 784)));
    let root = mnist_folder("bad_input_double_gzip", &[(MNIST_NAMES[0], bad)]);
    let err = mnist_error(&root, MNIST_NAMES[0]);
    assert!(err.contains("gzip-compressed twice"), "{err}");
}

#[test]
fn a_wrong_dimension_count_is_reported() {
    // A labels file (1 dimension) where the images (3 dimensions) belong.
    let root = mnist_folder(
        "bad_input_dims",
        &[(MNIST_NAMES[2], gz(&idx(0x801, &[2], 2)))],
    );
    let err = mnist_error(&root, MNIST_NAMES[2]);
    assert!(
        err.contains("3 dimensions") && err.contains("found 0x00000801"),
        "{err}"
    );
}

#[test]
fn data_shorter_than_its_header_is_reported() {
    let short = gz(&idx(0x803, &[3, 28, 28], 100));
    let root = mnist_folder("bad_input_short", &[(MNIST_NAMES[0], short)]);
    let err = mnist_error(&root, MNIST_NAMES[0]);
    assert!(
        err.contains("2352 bytes") && err.contains("found 100"),
        "{err}"
    );
}

#[test]
fn a_label_count_that_does_not_match_the_images_is_reported() {
    let root = mnist_folder(
        "bad_input_counts",
        &[(MNIST_NAMES[1], gz(&idx(0x801, &[4], 4)))],
    );
    let err = mnist_error(&root, MNIST_NAMES[1]);
    assert!(
        err.contains("one label per image") && err.contains("(3), found 4"),
        "{err}"
    );
}

#[test]
fn a_label_out_of_range_is_reported() {
    let mut labels = idx(0x801, &[3], 3);
    labels[9] = 12;
    let root = mnist_folder("bad_input_label_range", &[(MNIST_NAMES[1], gz(&labels))]);
    let err = mnist_error(&root, MNIST_NAMES[1]);
    assert!(err.contains("expected labels 0..9, found 12"), "{err}");
}

#[test]
fn a_missing_file_is_reported() {
    let root = mnist_folder("bad_input_missing", &[]);
    std::fs::remove_file(root.join("mnist").join(MNIST_NAMES[3])).unwrap();
    let err = mnist_error(&root, MNIST_NAMES[3]);
    assert!(err.contains("file not found"), "{err}");
}

#[test]
fn an_empty_directory_is_reported() {
    let root = temp_dir("bad_input_empty_dir");
    let err = mnist_error(&root, MNIST_NAMES[0]);
    assert!(
        err.contains("file not found") && err.contains("searched"),
        "{err}"
    );
    let err = imdb::imdb_from(&Locator::only(&root))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("aclImdb_v1.tar.gz") && err.contains("not found"),
        "{err}"
    );
    let err = uci::house_votes_from(&Locator::only(&root))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("house-votes-84.data") && err.contains("not found"),
        "{err}"
    );
}

fn uci_file(test: &str, name: &str, text: &str) -> PathBuf {
    let path = temp_dir(test).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_csv_line_with_a_wrong_column_count_is_reported() {
    let path = uci_file(
        "bad_input_csv_columns",
        "mammographic_masses.data",
        "5,67,3,5,3,1\r\n4,43,1,1\r\n",
    );
    let err = uci::read_mammographic_masses(&path)
        .unwrap_err()
        .to_string();
    assert!(err.contains("mammographic_masses.data"), "{err}");
    assert!(
        err.contains("line 2: expected 6 comma-separated fields") && err.contains("found 4"),
        "{err}"
    );
    assert!(err.contains("DLCOURSE_DATA"), "{err}");
}

#[test]
fn a_non_numeric_csv_field_is_reported() {
    let path = uci_file(
        "bad_input_csv_number",
        "mammographic_masses.data",
        "5,67,3,5,3,1\n4,forty,1,1,?,1\n",
    );
    let err = uci::read_mammographic_masses(&path)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 2, column age: expected a whole number or ?, found \"forty\""),
        "{err}"
    );
}

#[test]
fn an_unknown_vote_is_reported() {
    let line = "democrat,y,n,y,n,y,n,y,n,y,n,y,n,y,n,y,maybe\n";
    let path = uci_file("bad_input_csv_vote", "house-votes-84.data", line);
    let err = uci::read_house_votes(&path).unwrap_err().to_string();
    assert!(
        err.contains("export-administration-act-south-africa"),
        "{err}"
    );
    assert!(err.contains("expected y, n, ?, found \"maybe\""), "{err}");
}

#[test]
fn an_empty_csv_file_is_reported() {
    let path = uci_file("bad_input_csv_empty", "house-votes-84.data", "\n");
    let err = uci::read_house_votes(&path).unwrap_err().to_string();
    assert!(err.contains("found an empty file"), "{err}");
}

#[test]
fn an_imdb_archive_without_reviews_is_reported() {
    let root = temp_dir("bad_input_imdb");
    std::fs::create_dir_all(root.join("imdb")).unwrap();
    let path = root.join("imdb/aclImdb_v1.tar.gz");
    std::fs::write(&path, gz(&[0u8; 1024])).unwrap(); // an empty tar archive
    let err = imdb::imdb_from(&Locator::only(&root))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("aclImdb_v1.tar.gz") && err.contains("found none"),
        "{err}"
    );

    std::fs::write(&path, b"not an archive").unwrap();
    let err = imdb::imdb_from(&Locator::only(&root))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("expected a gzip-compressed tar archive"),
        "{err}"
    );

    let whole = std::fs::read(local_copy(&imdb::IMDB_FILE)).unwrap();
    std::fs::write(&path, &whole[..200_000]).unwrap();
    let err = imdb::imdb_from(&Locator::only(&root))
        .unwrap_err()
        .to_string();
    assert!(err.contains("truncated or damaged"), "{err}");
}
