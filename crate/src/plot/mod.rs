//! Pictures for the lessons, drawn with plotters. Every plot is a [`Figure`]: the last
//! expression of a Jupyter cell shows it inline, and `save("x.png")` or
//! `save("x.svg")` writes it to a file. Text uses a bundled font, so a machine without
//! any system font draws the same picture.
//!
//! | picture | call |
//! |---|---|
//! | loss and metric curves | `history.plot()`, [`Curves`], [`Panels`] |
//! | several runs overlaid | [`compare`] |
//! | a function, gradient descent on it | [`Curves::function`], [`descent`] |
//! | images with captions | [`Grid`], [`misclassified`] |
//! | one image, a 2-D tensor as a picture | [`image`], [`matrix`] |
//! | points coloured by class | [`scatter`] |
//! | confusion matrix | [`confusion`] |
//! | ROC and precision–recall curves, operating points | [`Roc`], [`roc`] |
//! | a classifier's decision regions | [`decision_boundary`] |
//! | class probabilities of one prediction | [`probabilities`], [`Bars`] |
//! | photos with a classifier's top-k labels beside each | [`TopK`] |
//! | a `DataFrame` as an HTML table | [`table`] |
//! | how values are distributed | [`Histogram`] |
//! | a text's tokens and ids, as a model reads it | [`tokens`] |
//! | sentences with a classifier's probability | [`sentiments`] |
//! | the spread of a few groups of values (runs over seeds) | [`Strip`] |
//! | a learning-rate scan | `finder.plot()` ([`crate::train::LrFinder`]) |

mod bars;
mod boundary;
mod compare;
mod confusion;
mod curves;
mod figure;
mod font;
mod function;
mod grid;
mod histogram;
mod history;
mod html;
mod image;
mod input;
mod legend;
mod lr_finder;
mod matrix;
mod misclassified;
mod palette;
mod pixels;
mod roc;
mod scatter;
mod sentiments;
mod setters;
mod show;
mod strip;
#[cfg(feature = "tables")]
mod table;
mod tokens;
mod topk;

pub use bars::{Bars, probabilities};
pub use boundary::{Boundary, decision_boundary};
pub use compare::compare;
pub use confusion::{Confusion, confusion};
pub use curves::{Curves, Panels};
pub use figure::{Figure, Plot};
pub use function::descent;
pub use grid::Grid;
pub use histogram::Histogram;
pub use image::{Picture, image};
pub use matrix::{Matrix, matrix};
pub use misclassified::misclassified;
pub use roc::{Roc, roc};
pub use scatter::{Scatter, scatter};
pub use sentiments::{Sentiments, sentiments};
pub use show::Show;
pub use strip::Strip;
#[cfg(feature = "tables")]
pub use table::{Table, table};
pub use tokens::{Tokens, tokens};
pub use topk::TopK;
