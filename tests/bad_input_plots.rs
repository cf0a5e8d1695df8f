//! Figures given empty, NaN, mismatched or absurd data: an `Error` that names the figure,
//! what was expected and found, and the fix — or, where the data can be drawn (NaN
//! points are skipped), a picture; never a panic or an allocation the data asks for.

use dlcourse::plot::{Bars, Confusion, Curves, Figure, Grid, Histogram, Matrix, Picture, Plot};
use dlcourse::plot::{Scatter, Strip};
use dlcourse::prelude::*;

use dlcourse_tests::error_mentioning as message;

fn png<P: Plot>(figure: Figure<P>) -> Result<Vec<u8>> {
    figure.to_png()
}

fn cpu() -> Device {
    Device::Cpu
}

#[test]
fn a_figure_of_zero_pixels_is_refused() -> Result<()> {
    let curves = || Curves::new("loss").line("loss", &[1.0, 0.5]).figure();
    message(
        png(curves().size(0, 300)),
        &[
            "drawing curves",
            "at least 1×1 pixels",
            "found 0×300",
            ".size(640, 400)",
        ],
    );
    message(curves().size(10, 0).to_svg(), &["found 10×0"]);
    Ok(())
}

#[test]
fn a_histogram_of_no_finite_value_is_refused() {
    for values in [&[][..], &[f64::NAN, f64::NAN][..]] {
        message(
            Histogram::new(values),
            &["histogram", "at least one finite value", "found none"],
        );
    }
}

#[test]
fn an_empty_matrix_is_refused() -> Result<()> {
    let empty = Tensor::zeros((0, 0), DType::F32, &cpu())?;
    message(
        Matrix::new(&empty),
        &[
            "drawing a matrix",
            "at least one row and one column",
            "[0, 0]",
        ],
    );
    message(
        Matrix::new(&Tensor::zeros((3, 0), DType::F32, &cpu())?),
        &["[3, 0]"],
    );
    Ok(())
}

#[test]
fn images_of_zero_pixels_are_refused() -> Result<()> {
    message(
        Grid::new(&Tensor::zeros((2, 0, 0), DType::U8, &cpu())?),
        &["grid of images", "found [2, 0, 0]", "reshape"],
    );
    message(
        Picture::new(&Tensor::zeros((3, 0, 0), DType::U8, &cpu())?),
        &["drawing an image", "reshape"],
    );
    Ok(())
}

#[test]
fn grid_labels_of_another_length_are_refused() -> Result<()> {
    let grid = Grid::new(&Tensor::zeros((2, 4, 4), DType::U8, &cpu())?)?;
    message(
        grid.labels(&Tensor::new(&[0u32], &cpu())?, &["a"]),
        &[
            "captioning a grid with labels",
            "2 labels",
            "found 1",
            "same examples",
        ],
    );
    Ok(())
}

#[test]
fn a_strip_plot_without_values_is_refused() {
    message(
        Strip::new::<&str>(&[]),
        &["strip plot", "at least one group", "found none"],
    );
    message(
        Strip::new(&[("run", &[][..])]),
        &["group \"run\"", "found []"],
    );
}

#[test]
fn a_huge_class_label_is_refused_before_counting() -> Result<()> {
    // A confusion matrix of 10⁹ classes would need 10¹⁸ cells.
    let truth = Tensor::new(&[0u32, 1_000_000_000], &cpu())?;
    let predicted = Tensor::new(&[0u32, 1], &cpu())?;
    message(
        Confusion::new::<&str>(&truth, &predicted, &[]),
        &[
            "confusion matrix",
            "class indices below 10000",
            "1000000000",
            "class numbers",
        ],
    );
    Ok(())
}

#[test]
fn confusion_inputs_of_different_lengths_are_refused() -> Result<()> {
    let truth = Tensor::new(&[0u32, 1, 1], &cpu())?;
    let predicted = Tensor::new(&[0u32, 1], &cpu())?;
    message(
        Confusion::new(&truth, &predicted, &["a", "b"]),
        &["confusion matrix", "3 predictions", "found 2"],
    );
    let negative = Tensor::new(&[0f32, -2.0], &cpu())?;
    message(
        Confusion::new(&negative, &predicted, &["a", "b"]),
        &["class indices", "-2", "argmax"],
    );
    Ok(())
}

#[test]
fn nan_and_empty_series_still_draw() -> Result<()> {
    let nan = [f64::NAN, 1.0, f64::INFINITY, 0.5];
    png(Curves::new("t").line("a", &nan).figure())?;
    png(Curves::new("t").line("a", &[f64::NAN; 3]).figure())?;
    png(Curves::new("t").figure())?;
    png(Curves::new("t")
        .line("a", &[-1.0, 0.0])
        .log_scale(true)
        .figure())?;
    png(Bars::new(&["a", "b"], &[f64::NAN, 1.0]).figure())?;
    png(Bars::new::<&str>(&[], &[]).figure())?;
    let points = Tensor::new(&[[f32::NAN, 1.0], [0.0, 0.5]], &cpu())?;
    png(Scatter::new(&points, &Tensor::new(&[0u32, 1], &cpu())?)?.figure())?;
    let none = Tensor::zeros(0, DType::U32, &cpu())?;
    png(Confusion::new::<&str>(&none, &none, &[])?.figure())?;
    png(Grid::new(&Tensor::zeros((0, 28, 28), DType::U8, &cpu())?)?.figure())?;
    png(Matrix::new(&Tensor::new(&[[f32::NAN, 1.0]], &cpu())?)?.figure())?;
    Ok(())
}
