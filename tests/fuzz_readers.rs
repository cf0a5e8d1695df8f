//! Mutation fuzzing of the readers on stable Rust, without a fuzzing crate: valid files
//! built in the test are damaged at random (bytes flipped, inserted, deleted, duplicated,
//! header fields set to 0 or 2³²−1, cut short) — both the bytes on disk and, for gzip
//! formats, the bytes inside the compression — and each reader must answer `Ok` or an
//! `Err` that names the file: never a panic.
//!
//! Short by default (CI: a few hundred inputs per reader). `DLCOURSE_FUZZ_SECONDS=600`
//! runs each reader for that long and prints how many inputs it tried;
//! `DLCOURSE_FUZZ_SEED` changes the random stream.

use dlcourse::data::text::Vocabulary;
use dlcourse::data::{idx, imdb, photos, uci};
use dlcourse::prelude::*;
use dlcourse_tests::{local_copy, temp_dir};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

/// xorshift64*: a small, seeded, reproducible random stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `input` damaged by one to four random mutations.
fn mutate(input: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let bytes: Vec<u8> = (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect();
                out.splice(at..at, bytes);
            }
            2 => {
                let end = (at + 1 + rng.below(64)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 => out.truncate(at),
            4 if out.len() >= 4 => {
                let i = at.min(out.len() - 4);
                let value = [0u32, 1, 0xff, 0xffff_ffff, 0x7fff_ffff][rng.below(5)];
                out[i..i + 4].copy_from_slice(&value.to_be_bytes());
            }
            5 => {
                let end = (at + 1 + rng.below(256)).min(out.len());
                let chunk = out[at.min(end)..end].to_vec();
                out.splice(at..at, chunk);
            }
            _ if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] = rng.next() as u8;
            }
            _ => out.push(rng.next() as u8),
        }
    }
    out
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// How long each reader runs: `DLCOURSE_FUZZ_SECONDS`, else `short` inputs.
enum Budget {
    Inputs(usize),
    Time(Duration),
}

fn budget(short: usize) -> Budget {
    match std::env::var("DLCOURSE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(seconds) => Budget::Time(Duration::from_secs(seconds)),
        None => Budget::Inputs(short),
    }
}

/// Feeds mutants of `seeds` (`compressed`: mutate inside the gzip too) to `read`,
/// written at `path`; every error must name the file.
fn fuzz<T>(
    name: &str,
    path: &Path,
    seeds: &[Vec<u8>],
    compressed: bool,
    short: usize,
    read: impl Fn(&Path) -> dlcourse::Result<T>,
) {
    let seed = std::env::var("DLCOURSE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_u64);
    let mut rng = Rng(seed ^ (name.len() as u64) << 32 | 1);
    let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
    let (start, budget) = (Instant::now(), budget(short));
    let (mut inputs, mut errors) = (0usize, 0usize);
    loop {
        match budget {
            Budget::Inputs(n) if inputs >= n => break,
            Budget::Time(t) if start.elapsed() >= t => break,
            _ => {}
        }
        let base = &seeds[rng.below(seeds.len())];
        let bytes = if compressed && rng.below(2) == 0 {
            gz(&mutate(base, &mut rng))
        } else if compressed {
            mutate(&gz(base), &mut rng)
        } else {
            mutate(base, &mut rng)
        };
        std::fs::write(path, &bytes).unwrap();
        match catch_unwind(AssertUnwindSafe(|| read(path))) {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                errors += 1;
                let text = e.to_string();
                assert!(
                    text.contains(&file_name),
                    "{name}: the error should name {file_name}: {text}"
                );
            }
            Err(_) => {
                let keep = path.with_extension("panic");
                std::fs::write(&keep, &bytes).unwrap();
                panic!(
                    "{name} panicked on input {inputs}; kept at {}",
                    keep.display()
                );
            }
        }
        inputs += 1;
    }
    println!(
        "fuzz {name}: {inputs} inputs in {:.1} s, {errors} refused",
        start.elapsed().as_secs_f64()
    );
}

fn idx_file(dims: &[u32]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        bytes.extend(d.to_be_bytes());
    }
    let n: u32 = dims.iter().product();
    bytes.extend((0..n).map(|i| (i % 10) as u8));
    bytes
}

#[test]
fn fuzz_idx_gzip() {
    let dir = temp_dir("fuzz_idx");
    let seeds = vec![idx_file(&[3, 4, 4]), idx_file(&[2, 28, 28])];
    fuzz(
        "idx-images",
        &dir.join("images.gz"),
        &seeds,
        true,
        400,
        |p| idx::read_gz(p, 3),
    );
    let labels = vec![idx_file(&[10]), idx_file(&[1])];
    fuzz(
        "idx-labels",
        &dir.join("labels.gz"),
        &labels,
        true,
        300,
        |p| idx::read_gz(p, 1),
    );
}

/// A ustar archive of `entries`.
fn tar(entries: &[(&str, &str)]) -> Vec<u8> {
    let bytes: Vec<(&[u8], &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_bytes(), b.as_bytes()))
        .collect();
    dlcourse_tests::tar_archive(&bytes)
}

#[test]
fn fuzz_tar_gzip() {
    let dir = temp_dir("fuzz_tar");
    let seeds = vec![tar(&[
        ("aclImdb/train/pos/1_10.txt", "A wonderful film, 10/10."),
        ("aclImdb/train/neg/2_1.txt", "Dull.<br />Too long."),
        ("aclImdb/test/pos/3_8.txt", "Moving and funny."),
        ("aclImdb/test/neg/4_2.txt", "Not for me."),
    ])];
    fuzz(
        "tar",
        &dir.join("aclImdb_v1.tar.gz"),
        &seeds,
        true,
        300,
        imdb::read_archive,
    );
}

#[test]
fn fuzz_csv() {
    let dir = temp_dir("fuzz_csv");
    let votes = "republican,n,y,n,y,y,y,n,n,n,y,?,y,y,y,n,y\n\
                 democrat,?,y,y,?,y,y,n,n,n,n,y,n,y,y,n,n\n"
        .as_bytes()
        .to_vec();
    fuzz(
        "csv-votes",
        &dir.join("house-votes-84.data"),
        &[votes],
        false,
        400,
        uci::read_house_votes,
    );
    let masses = b"5,67,3,5,3,1\n4,43,1,1,?,1\n5,58,4,5,3,1\n".to_vec();
    fuzz(
        "csv-masses",
        &dir.join("mammographic_masses.data"),
        &[masses],
        false,
        400,
        uci::read_mammographic_masses,
    );
    let tsv = b"file\tclass_index\tclass_name\ndog.jpg\t258\tSamoyed\n".to_vec();
    fuzz(
        "tsv-classes",
        &dir.join("expected_classes.tsv"),
        &[tsv],
        false,
        300,
        photos::read_expected_classes,
    );
}

#[test]
fn fuzz_photos() {
    let dir = temp_dir("fuzz_photos");
    // The smallest course photo keeps each decode short.
    let seeds: Vec<Vec<u8>> = photos::PHOTOS
        .iter()
        .map(|f| std::fs::read(local_copy(f)).unwrap())
        .min_by_key(Vec::len)
        .into_iter()
        .collect();
    fuzz(
        "jpeg",
        &dir.join("photo.jpg"),
        &seeds,
        false,
        60,
        photos::read_photo,
    );
}

#[test]
fn fuzz_safetensors() {
    let dir = temp_dir("fuzz_weights");
    let build = || {
        Sequential::new(&[3])
            .add(Dense::new(4).activation(Activation::Relu))
            .add(Dense::new(2))
            .build(&Device::Cpu, 0)
    };
    let good = dir.join("good.safetensors");
    build().unwrap().save_weights(&good).unwrap();
    let seeds = vec![std::fs::read(&good).unwrap()];
    let mut model = build().unwrap();
    let model = std::cell::RefCell::new(&mut model);
    fuzz(
        "safetensors",
        &dir.join("weights.safetensors"),
        &seeds,
        false,
        400,
        |p| model.borrow_mut().load_weights(p),
    );
}

#[test]
fn fuzz_tokenizer() {
    let dir = temp_dir("fuzz_text");
    let vocab = Vocabulary::fit(&["a good film", "a bad film, 7/10"], 20);
    let seeds = vec![
        "It's GREAT.<br /><br />10/10 — rock'n'roll"
            .as_bytes()
            .to_vec(),
        "Ünïcode ''' <br / > \u{0}\u{feff} 😀 a-b_c"
            .as_bytes()
            .to_vec(),
    ];
    // The tokenizer takes text, not files: the mutant is read back from disk as a
    // lossy string, so invalid UTF-8 becomes U+FFFD as it would from any reader.
    fuzz(
        "tokenizer",
        &dir.join("review.txt"),
        &seeds,
        false,
        500,
        |p| {
            let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
            let words = dlcourse::data::text::tokenize(&text);
            assert_eq!(words.len(), dlcourse::data::text::token_count(&text));
            let ids = vocab.encode_batch(&[text.as_str()], 8)?;
            assert_eq!(ids.dims(), &[1, 8]);
            Ok(())
        },
    );
}
