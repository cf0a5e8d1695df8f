//! Pictures for the lessons, drawn with plotters. Every plot is a [`Figure`]: the last
//! expression of a Jupyter cell shows it inline, and `save("x.png")` or
//! `save("x.svg")` writes it to a file. Text uses a bundled font, so a machine without
//! any system font draws the same picture.

mod curves;
mod figure;
mod font;
mod history;
mod palette;

pub use curves::{Curves, Panels};
pub use figure::{Figure, Plot};
