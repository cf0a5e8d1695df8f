//! Datasets of the course, as tensors.
//!
//! One line gives a learner a dataset; the files are found (or downloaded once) as
//! described in [`locate`]:
//!
//! | dataset | loader | what it gives |
//! |---|---|---|
//! | MNIST, Fashion-MNIST | [`mnist()`], [`fashion_mnist()`] | [`ImageSet`]: `u8` images `[n, 28, 28]`, `u32` labels, class names |
//! | IMDB reviews | [`imdb()`] | raw texts and 0/1 labels; [`text`] tokenizes, builds a vocabulary, pads |
//! | nine test photos | [`photo()`] | `u8` RGB images `[3, H, W]` |
//! | UCI house votes, mammographic masses | [`house_votes()`], [`mammographic_masses()`] | polars `DataFrame`s; [`uci`] turns them into tensors |
//! | toy sets | [`toy`] | generated regressions and 2-D point clouds |
//!
//! The loaders need the `datasets` feature (on by default), the UCI tables `tables` too;
//! `frame` (a table's columns made ready for a network) needs `tables`; `batch`,
//! `augment`, `text` and `toy` are always there.
//!
//! [`batch`] holds what every lesson does to tensors: seeded shuffling, the
//! train/validation split, standard scaling, one-hot labels, k-fold splits.
//! [`augment`] shifts and flips images anew for every batch while training.
//!
//! Where files are looked for, in order (details in [`locate`]):
//! `$DLCOURSE_DATA` → the project's `data/` → the dataset cache (`$DLCOURSE_DATA_CACHE`,
//! else `$DLCOURSE_CACHE/data`, else `~/.cache/dlcourse/data`) → a download from the
//! canonical address (or `$DLCOURSE_MIRROR`) into that cache, checked against the
//! published SHA-256.
#![cfg_attr(
    feature = "datasets",
    doc = r#"
```no_run
let mnist = dlcourse::data::mnist()?;
let x = mnist.train.flat()?; // f32 [60000, 784] in 0..1
let y = &mnist.train.labels; // u32 [60000]
# Ok::<(), dlcourse::Error>(())
```
"#
)]

pub mod augment;
pub mod batch;
#[cfg(feature = "datasets")]
pub mod fetch;
#[cfg(feature = "tables")]
pub mod frame;
#[cfg(feature = "datasets")]
pub mod idx;
#[cfg(feature = "datasets")]
pub mod imdb;
#[cfg(feature = "datasets")]
pub mod locate;
#[cfg(feature = "datasets")]
pub mod mnist;
#[cfg(feature = "datasets")]
pub mod photos;
pub(crate) mod temp_file;
pub mod text;
pub mod toy;
#[cfg(all(feature = "datasets", feature = "tables"))]
pub mod uci;

#[cfg(feature = "datasets")]
pub use imdb::{Imdb, Reviews, imdb};
#[cfg(feature = "datasets")]
pub use locate::{DataFile, Locator, Variant};
#[cfg(feature = "datasets")]
pub use mnist::{ImageSet, Split, fashion_mnist, mnist};
#[cfg(feature = "datasets")]
pub use photos::photo;
#[cfg(all(feature = "datasets", feature = "tables"))]
pub use uci::{house_votes, mammographic_masses};
