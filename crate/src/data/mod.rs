//! Datasets of the course, as tensors.

pub mod toy;
