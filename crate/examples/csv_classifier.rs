//! Trains a classifier on any CSV file with a header line: every column but the target is a
//! numeric feature, the target holds the classes (numbers or text).
//!
//! `cargo run -p dlcourse --example csv_classifier -- FILE.csv TARGET_COLUMN`
//!
//! Without arguments it first writes `dlcourse-moons-<pid>.csv` to the temporary folder: two
//! interleaved half-moons (x1, x2 with Gaussian noise σ = 0.15) plus two pure-noise
//! columns, 600 rows from seed 7, class in `class` — a problem no lesson uses.
//! The rows are shuffled, the last quarter held out, the features standard-scaled on the
//! training rows, and an MLP trained; it fails unless the held-out accuracy is at least
//! halfway from always guessing the most frequent class to 100%.

use dlcourse::data::{batch, frame};
use dlcourse::polars_io::prelude::{CsvReadOptions, SerReader};
use dlcourse::prelude::*;
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::StandardNormal;
use std::{f32::consts::PI, path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("csv_classifier: {e}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "expected no arguments or FILE.csv TARGET_COLUMN";

fn run() -> dlcourse::Result<()> {
    // First, while the program has one thread: keep freed tensor memory mapped (faster
    // training on Linux; see `kernels::keep_freed_memory`).
    dlcourse::kernels::keep_freed_memory()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, target) = match &args[..] {
        [] => (write_moons()?, "class".to_owned()),
        [path, target] => (PathBuf::from(path), target.clone()),
        _ => return Err(Error::Usage(USAGE.into())),
    };
    let bad = |problem: String| {
        let fix = "pass a CSV file with a header line, numeric features and a target column";
        Error::data(&path, problem, fix)
    };
    let read = CsvReadOptions::default().try_into_reader_with_file_path(Some(path.clone()));
    let df = read.and_then(|reader| reader.finish());
    if args.is_empty() {
        std::fs::remove_file(&path).map_err(|e| Error::io("removing", &path, e))?;
    }
    let df = df.map_err(|e| bad(format!("could not read it as CSV: {e}")))?;
    let names: Vec<&str> = df
        .get_column_names()
        .into_iter()
        .map(|n| n.as_str())
        .collect();
    if !names.contains(&target.as_str()) {
        let problem = format!("no column {target:?}; its columns are {names:?}");
        return Err(bad(problem));
    }
    let features: Vec<&str> = names.into_iter().filter(|n| *n != target).collect();
    let x = frame::numeric(&df, &features)?;
    let (y, class_names) = frame::dummies(&df, &[&target])?;
    // Text is refused by frame::numeric; a "NaN" the CSV spells out reads as a number.
    let nan_rows = x.ne(&x)?.to_dtype(DType::F32)?.sum(0)?.to_vec1::<f32>()?;
    if let Some(c) = nan_rows.iter().position(|&k| k > 0.0) {
        return Err(bad(format!("column {:?} holds NaN values", features[c])));
    }
    let (rows, classes) = y.dims2()?;
    let shuffled = batch::shuffle(&[&x, &y], 42)?;
    let n_train = rows * 3 / 4;
    let (x_train, x_val) = batch::split_first(&shuffled[0], n_train)?;
    let (y_train, y_val) = batch::split_first(&shuffled[1], n_train)?;
    let scaler = batch::StandardScaler::fit(&x_train)?;
    let (x_train, x_val) = (scaler.transform(&x_train)?, scaler.transform(&x_val)?);

    let mut model = Sequential::new(&[features.len()])
        .add(Dense::new(32).activation(Activation::Relu))
        .add(Dense::new(32).activation(Activation::Relu))
        .add(Dense::new(classes).activation(Activation::Softmax))
        .build(&device()?, 42)?;
    let loss = Loss::CategoricalCrossEntropy;
    model.compile(Optimizer::adam(0.01), loss, &[Metric::Accuracy])?;
    model.fit(&x_train, &y_train, Fit::epochs(60).batch_size(32).quiet())?;
    let accuracy = model.evaluate(&x_val, &y_val)?.accuracy()?;
    let majority = y_val.sum(0)?.max(0)?.to_scalar::<f32>()? as f64 / (rows - n_train) as f64;
    let bar = (1.0 + majority) / 2.0;
    println!(
        "{}: {rows} rows, {} features, classes {class_names:?}; held-out accuracy {accuracy:.3} \
         (most frequent class {majority:.3}, needed {bar:.3})",
        path.display(),
        features.len()
    );
    if accuracy < bar {
        return Err(Error::Usage(format!(
            "held-out accuracy {accuracy:.3} is below {bar:.3}: the model did not learn"
        )));
    }
    Ok(())
}

/// Writes the two-moons CSV (see the top of the file) and returns its path.
fn write_moons() -> dlcourse::Result<PathBuf> {
    let path = std::env::temp_dir().join(format!("dlcourse-moons-{}.csv", std::process::id()));
    let mut rng = StdRng::seed_from_u64(7);
    let mut noise = |scale: f32| scale * rng.sample::<f32, _>(StandardNormal);
    let mut text = String::from("x1,x2,noise1,noise2,class\n");
    for i in 0..600 {
        let (class, t) = (i % 2, PI * (i / 2) as f32 / 299.0);
        let (x1, x2) = match class {
            0 => (t.cos(), t.sin()),
            _ => (1.0 - t.cos(), 0.5 - t.sin()),
        };
        let row = [x1 + noise(0.15), x2 + noise(0.15), noise(1.0), noise(1.0)];
        text += &format!("{},{},{},{},{class}\n", row[0], row[1], row[2], row[3]);
    }
    std::fs::write(&path, text).map_err(|e| Error::io("writing", &path, e))?;
    Ok(path)
}
