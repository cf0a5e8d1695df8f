//! Weights files: saved atomically (never a half-written file under the final name),
//! refused clearly when the folder is missing, and loaded only when the whole file is a
//! safetensors file of this very architecture — garbage, truncated files, absurd headers
//! and weights of another model give an `Error` naming the file and the parameters, and
//! leave the model's weights as they were.

use dlcourse::prelude::*;
use dlcourse_tests::{files_under, temp_dir};
use std::path::{Path, PathBuf};

use dlcourse_tests::error_mentioning as message;

fn model(hidden: usize, seed: u64) -> Result<Model> {
    Sequential::new(&[3])
        .add(Dense::new(hidden).activation(Activation::Relu))
        .add(Dense::new(2))
        .build(&Device::Cpu, seed)
}

fn weights(model: &Model) -> Result<Vec<Vec<f32>>> {
    [
        "dense.weight",
        "dense.bias",
        "dense_1.weight",
        "dense_1.bias",
    ]
    .iter()
    .map(|n| Ok(model.weight(n)?.flatten_all()?.to_vec1::<f32>()?))
    .collect()
}

/// A folder with a good weights file of `model(4, 1)`.
fn saved(test: &str) -> Result<(PathBuf, PathBuf)> {
    let dir = temp_dir(test);
    let path = dir.join("model.safetensors");
    model(4, 1)?.save_weights(&path)?;
    Ok((dir, path))
}

/// Loading `bytes` written as a weights file into a model must fail naming the file
/// and leave the model's weights unchanged.
fn refused(test: &str, bytes: &[u8], parts: &[&str]) -> Result<String> {
    let path = temp_dir(test).join("weights.safetensors");
    std::fs::write(&path, bytes).unwrap();
    let mut target = model(4, 2)?;
    let before = weights(&target)?;
    let mut all = vec!["weights.safetensors"];
    all.extend_from_slice(parts);
    let err = message(target.load_weights(&path), &all);
    assert_eq!(
        weights(&target)?,
        before,
        "a refused file changed the weights"
    );
    Ok(err)
}

#[test]
fn saved_weights_load_back_and_leave_no_temporary_file() -> Result<()> {
    let (dir, path) = saved("bw_roundtrip")?;
    model(4, 1)?.save_weights(&path)?; // over an existing file
    assert_eq!(files_under(&dir), std::slice::from_ref(&path));
    let mut other = model(4, 9)?;
    other.load_weights(&path)?;
    assert_eq!(weights(&other)?, weights(&model(4, 1)?)?);
    Ok(())
}

#[test]
fn saving_into_a_missing_folder_says_to_create_it() -> Result<()> {
    let dir = temp_dir("bw_missing_dir");
    let path = dir.join("no/such/folder/model.safetensors");
    message(
        model(4, 1)?.save_weights(&path),
        &[
            "saving weights to",
            "no/such/folder",
            "does not exist",
            "create_dir_all",
        ],
    );
    assert!(files_under(&dir).is_empty());
    Ok(())
}

#[test]
fn a_failed_save_keeps_the_old_file_and_leaves_no_partial_one() -> Result<()> {
    // The destination is a folder: the rename at the end fails after the whole file was
    // written beside it; the partial file must be gone and the folder untouched.
    let dir = temp_dir("bw_failed_save");
    let blocked = dir.join("model.safetensors");
    std::fs::create_dir_all(blocked.join("keep")).unwrap();
    assert!(model(4, 1)?.save_weights(&blocked).is_err());
    let left: Vec<PathBuf> = files_under(&dir);
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(blocked.join("keep").is_dir());
    Ok(())
}

#[test]
fn weights_of_another_architecture_name_the_parameters() -> Result<()> {
    let dir = temp_dir("bw_other_arch");
    let path = dir.join("wide.safetensors");
    model(8, 1)?.save_weights(&path)?;
    let mut narrow = model(4, 2)?;
    let before = weights(&narrow)?;
    message(
        narrow.load_weights(&path),
        &[
            "wide.safetensors",
            "another architecture",
            "`dense.weight` has shape [8, 3] in the file, [4, 3] in the model",
            "same layers",
        ],
    );
    assert_eq!(weights(&narrow)?, before);
    Ok(())
}

#[test]
fn weights_with_a_layer_missing_or_extra_name_it() -> Result<()> {
    let dir = temp_dir("bw_missing_layer");
    let small = dir.join("small.safetensors");
    Sequential::new(&[3])
        .add(Dense::new(2))
        .build(&Device::Cpu, 0)?
        .save_weights(&small)?;
    message(
        model(4, 2)?.load_weights(&small),
        &[
            "small.safetensors",
            "`dense_1.bias` is missing",
            "`dense_1.weight` is missing",
        ],
    );
    let big = dir.join("big.safetensors");
    let deeper = Sequential::new(&[3])
        .add(Dense::new(4))
        .add(Dense::new(2))
        .add(Dense::new(2))
        .build(&Device::Cpu, 0)?;
    deeper.save_weights(&big)?;
    message(
        model(4, 2)?.load_weights(&big),
        &["`dense_2.weight` is not in the model"],
    );
    Ok(())
}

#[test]
fn a_garbage_weights_file_is_refused() -> Result<()> {
    refused(
        "bw_garbage",
        b"this is not a weights file at all",
        &["expected a safetensors file"],
    )?;
    Ok(())
}

#[test]
fn an_empty_weights_file_is_refused() -> Result<()> {
    refused("bw_empty", b"", &["expected a safetensors file"])?;
    Ok(())
}

#[test]
fn an_html_page_saved_as_weights_is_refused() -> Result<()> {
    refused(
        "bw_html",
        b"<!DOCTYPE html><html><body>Not Found</body></html>",
        &["expected a safetensors file", "save_weights"],
    )?;
    Ok(())
}

#[test]
fn a_truncated_weights_file_is_refused() -> Result<()> {
    let (_, path) = saved("bw_truncated_src")?;
    let whole = std::fs::read(&path).unwrap();
    refused(
        "bw_truncated",
        &whole[..whole.len() - 10],
        &["expected a safetensors file"],
    )?;
    refused(
        "bw_truncated_head",
        &whole[..20],
        &["expected a safetensors file"],
    )?;
    Ok(())
}

#[test]
fn an_absurd_header_length_is_refused_without_allocating_it() -> Result<()> {
    let mut bytes = u64::MAX.to_le_bytes().to_vec();
    bytes.extend(b"{}");
    refused("bw_absurd", &bytes, &["expected a safetensors file"])?;
    let mut bytes = (1u64 << 40).to_le_bytes().to_vec();
    bytes.extend(b"{\"a\":1}");
    refused("bw_absurd2", &bytes, &["expected a safetensors file"])?;
    Ok(())
}

#[test]
fn a_header_pointing_past_the_data_is_refused() -> Result<()> {
    let header = br#"{"dense.weight":{"dtype":"F32","shape":[4,3],"data_offsets":[0,4800]}}"#;
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend(header);
    bytes.extend([0u8; 48]);
    refused("bw_offsets", &bytes, &["expected a safetensors file"])?;
    Ok(())
}

#[test]
fn a_missing_weights_file_says_to_save_first() -> Result<()> {
    let path = Path::new("target/test-tmp/bw_none/nothing.safetensors");
    message(
        model(4, 2)?.load_weights(path),
        &["nothing.safetensors", "no such file", "save_weights"],
    );
    Ok(())
}
