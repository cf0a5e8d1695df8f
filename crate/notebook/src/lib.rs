//! The [`dlcourse`] crate, re-exported whole, as the shared library the course's notebooks
//! link. A notebook's first cell names it under the name `dlcourse`:
//!
//! ```text
//! :dep dlcourse = { package = "dlcourse-notebook", path = "../crate/notebook" }
//! ```
//!
//! so every later cell writes `use dlcourse::prelude::*;` as a program would. Programs
//! and other crates depend on `dlcourse` itself (an ordinary rlib); this package exists
//! only because evcxr links each cell separately and the cells must share one copy of
//! Candle's global state.

pub use dlcourse::*;
