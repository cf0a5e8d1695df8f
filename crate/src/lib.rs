//! # dlcourse
//!
//! The support crate of a deep-learning course taught in Rust, cell by cell, in Jupyter
//! (through the evcxr kernel). It puts Keras' vocabulary on top of
//! [Candle](https://github.com/huggingface/candle): a model built here is a plain
//! candle-nn module with its parameters in a `VarMap`, so nothing hides Candle from a
//! learner who wants the low level.
//!
//! | module | what it holds |
//! |---|---|
//! | [`profile`] | the `quick` (CI) and `full` (learner) profiles |
//! | [`device`] | CPU by default, a CUDA GPU with the `cuda` feature |
//! | [`data`] | the course's datasets as tensors, tables made ready for a network |
//! | [`nn`] | layers, described Keras-style, built into candle-nn modules |
//! | [`kernels`] | fast CPU convolution, pooling and linear ops (Candle custom ops with gradients) |
//! | [`train`] | losses, optimisers, metrics, `Fit` settings, `History` |
//! | [`models`] | the course's models (MNIST MLP and CNN, sentiment LSTM) |
//! | [`classic`] | classic models (tree, forest, SVM, logistic regression, k-NN, naive Bayes) from smartcore, scored on the same folds as a network |
//! | [`keras`] | `Sequential` → `Model`: `compile`, `fit`, `evaluate`, `predict`, `summary` |
//! | [`plot`] | figures that show inline in Jupyter and save as PNG/SVG |
//!
//! Data flows one way: `data` → tensors → `nn` layers in a `keras` model → `train` →
//! `History` and predictions → `plot`.
//!
//! ```
//! use dlcourse::prelude::*;
//! # fn main() -> dlcourse::Result<()> {
//! let data = dlcourse::data::toy::celsius_fahrenheit()?;
//! let mut model = Sequential::new(&[1]).add(Dense::new(1)).build(&Device::Cpu, 0)?;
//! model.compile(Optimizer::adam(0.1), Loss::MeanSquaredError, &[])?;
//! let history = model.fit(&data.x, &data.y, Fit::epochs(500).quiet())?;
//! let f = model.predict(&Tensor::new(&[[100f32]], &Device::Cpu)?)?;
//! assert!((f.to_vec2::<f32>()?[0][0] - 212.0).abs() < 1.0);
//! # Ok(()) }
//! ```
//!
//! # Using the crate in your own project
//!
//! Outside the notebooks, `dlcourse` is an ordinary dependency:
//!
//! ```toml
//! [dependencies]
//! dlcourse = "0.1"                                       # once published on crates.io
//! # dlcourse = { git = "<the course repository's URL>" } # a git checkout (cargo finds the crate in the workspace)
//! # dlcourse = { path = "../dlcourse/crate" }            # a local clone
//!
//! # Candle built without optimisation is 10-50x slower: build every dependency at
//! # opt-level 3 even in dev and test builds, without debug assertions and overflow
//! # checks (another 35-40% of a training epoch, see the course's BENCHMARKS.md).
//! [profile.dev.package."*"]
//! opt-level = 3
//! debug-assertions = false
//! overflow-checks = false
//! ```
//!
//! Copy the profile section: cargo reads profiles only from the top-level manifest, so the
//! course workspace's own settings do not reach your build. Your own crate stays at the
//! dev profile's quick-to-compile `opt-level`; `cargo run --release` needs nothing extra.
//! The crate is an ordinary library (the notebooks link it as a shared library through the
//! separate package `dlcourse-notebook`, which an importer never builds).
//!
//! **Features.** On by default, each can be left out with `default-features = false`
//! (then name the ones you want):
//!
//! | feature | what it adds | dependencies |
//! |---|---|---|
//! | `datasets` | the course's loaders in [`data`] (MNIST, Fashion-MNIST, IMDB, photos, downloads) and the pretrained MobileNet | ureq, sha2, flate2, tar, dirs, image |
//! | `plots` | [`plot`]: figures inline in Jupyter, PNG and SVG files | plotters, image, base64 |
//! | `tables` | polars `DataFrame`s: [`data::frame`] (clean a table, columns to tensors), the UCI tables, HTML tables | polars |
//! | `classic` | [`classic`]: smartcore's models scored on the same folds as a network | smartcore (and `plots`, `tables`) |
//!
//! Without any of them the core remains: layers, the fast kernels, training, the
//! Keras-shaped API and the course's models. Off by default: `cuda` trains on an NVIDIA GPU
//! through Candle's CUDA backend (it needs the CUDA toolkit; [`device::device`] then returns
//! the GPU); `keep-freed-memory` tunes glibc's malloc by itself the first time a kernel runs
//! (the notebooks turn it on; a program calls [`kernels::keep_freed_memory`] first thing
//! instead). The crate always enables `gemm`'s `x86-v4` feature: AVX-512 matrix kernels,
//! picked at run time only on CPUs that have them (older CPUs keep the AVX2 path). Through
//! cargo's feature unification your Candle's own `matmul` uses them too.
//!
//! **Environment variables** (all optional):
//!
//! | variable | effect |
//! |---|---|
//! | `DLCOURSE_PROFILE` | `quick` or `full` (unset: full): what [`Profile::current`](profile::Profile::current) returns |
//! | `DLCOURSE_DEVICE` | `cpu` or `cuda`: forces [`device::device`]'s choice |
//! | `DLCOURSE_DATA` | a folder laid out like the course's data folder, searched first for dataset files |
//! | `DLCOURSE_ROOT` | the project root whose `data/` is searched second |
//! | `DLCOURSE_DATA_CACHE` | where downloaded datasets are kept |
//! | `DLCOURSE_CACHE` | the per-user cache (datasets in `data/`, the notebook kernel's builds in `evcxr/`); default `~/.cache/dlcourse` |
//! | `DLCOURSE_MIRROR` | a base URL replacing every dataset's canonical download address |
//! | `DLCOURSE_KEEP_MEMORY` | `0` leaves glibc's malloc settings alone (see [`kernels::keep_freed_memory`]) |
//! | `RAYON_NUM_THREADS` | the CPU threads Candle and the kernels use (rayon's own variable) |
//!
//! The search order for dataset files is in [`data::locate`].
//!
//! # Train your own model
//!
//! Any `f32` tensors will do: rows are samples. Here a two-class point cloud stands in
//! for your data (`examples/csv_classifier.rs` reads a CSV file instead):
//!
//! ```
//! use dlcourse::prelude::*;
//! # fn main() -> dlcourse::Result<()> {
//! let data = dlcourse::data::toy::circle(400, 0.05, 1)?; // x [400, 2], y [400, 1] in {0, 1}
//! let mut model = Sequential::new(&[2])
//!     .add(Dense::new(16).activation(Activation::Relu))
//!     .add(Dense::new(1).activation(Activation::Sigmoid))
//!     .build(&device()?, 42)?;
//! model.compile(Optimizer::adam(0.02), Loss::BinaryCrossEntropy, &[Metric::Accuracy])?;
//! let fit = Fit::epochs(40).batch_size(16).validation_split(0.25).quiet();
//! let history = model.fit(&data.x, &data.y, fit)?;
//! assert!(history.val_accuracy().last().copied().unwrap_or(0.0) > 0.9);
//! # Ok(()) }
//! ```
//!
//! A model written in plain Candle gets the same fast kernels from the constructors in
//! [`nn`] ([`nn::dense`], [`nn::conv2d`], [`nn::max_pool2d`], [`nn::lstm`], …), which take
//! a `VarBuilder` as candle-nn's do and return `Module`s:
//!
//! ```
//! use dlcourse::candle_nn::{AdamW, Optimizer as _, ParamsAdamW, VarBuilder, VarMap, loss};
//! use dlcourse::nn::{Activation, DenseConfig, SeededVarMap, dense};
//! use dlcourse::prelude::*;
//! # fn main() -> dlcourse::Result<()> {
//! let data = dlcourse::data::toy::circle(400, 0.05, 1)?;
//! let vars = VarMap::new();
//! let seeded = SeededVarMap::new(vars.clone(), 7); // or VarBuilder::from_varmap: unseeded
//! let vb = VarBuilder::from_backend(Box::new(seeded), DType::F32, Device::Cpu);
//! let hidden = dense(2, 16, DenseConfig { activation: Activation::Relu }, vb.pp("hidden"))?;
//! let out = dense(16, 1, DenseConfig::default(), vb.pp("out"))?;
//! let mut adam = AdamW::new(vars.all_vars(), ParamsAdamW { lr: 0.01, ..Default::default() })?;
//! for _ in 0..300 {
//!     let logits = out.forward(&hidden.forward(&data.x)?)?;
//!     adam.backward_step(&loss::binary_cross_entropy_with_logit(&logits, &data.y)?)?;
//! }
//! let predicted = out.forward(&hidden.forward(&data.x)?)?.ge(0.0)?.to_dtype(DType::F32)?;
//! let accuracy = predicted.eq(&data.y)?.to_dtype(DType::F32)?.mean_all()?.to_scalar::<f32>()?;
//! assert!(accuracy > 0.9, "accuracy {accuracy}");
//! # Ok(()) }
//! ```

// The guide and the module docs link to every module; built without some of the default
// features, the links to the modules left out have nothing to point at.
#![cfg_attr(
    not(all(
        feature = "datasets",
        feature = "plots",
        feature = "tables",
        feature = "classic"
    )),
    allow(rustdoc::broken_intra_doc_links)
)]

#[cfg(feature = "classic")]
pub mod classic;
pub mod data;
pub mod device;
mod error;
pub mod keras;
pub mod kernels;
pub mod models;
pub mod nn;
#[cfg(feature = "plots")]
pub mod plot;
pub mod profile;
pub mod train;

pub use error::{Error, Result};
#[cfg(feature = "tables")]
/// polars, the DataFrame library the table loaders return (`dlcourse::polars::prelude::*`
/// in a notebook, without compiling a second copy).
pub use polars;
#[cfg(feature = "tables")]
/// polars' readers and writers: CSV (`dlcourse::polars_io::prelude::CsvReadOptions`).
pub use polars_io;
/// Candle itself, for going below the Keras-shaped API.
pub use {candle_core, candle_nn};

/// Everything a lesson needs, in one `use dlcourse::prelude::*;`.
pub mod prelude {
    pub use crate::data::toy;
    pub use crate::device::device;
    pub use crate::keras::{Model, Sequential};
    pub use crate::nn::{
        Activation, BatchNorm, Conv2d, ConvTranspose2d, Dense, Dropout, Embedding, Flatten, Lstm,
        MaxPool2d, Padding, Reshape, SimpleRnn,
    };
    #[cfg(feature = "plots")]
    pub use crate::plot::{self, Curves, Figure, Panels, Show};
    pub use crate::profile::Profile;
    pub use crate::train::{Fit, History, Key, Logs, Loss, Metric, Optimizer, ParamUpdate};
    pub use crate::{Error, Result};
    pub use candle_core::{D, DType, Device, Module, ModuleT, Tensor, Var};
}
