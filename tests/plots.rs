//! Every plot renders headlessly to a PNG of the expected size that is not blank; image
//! grids put each image's pixels in its cell; wrong shapes are errors, not panics.

use dlcourse::Error;
use dlcourse::plot::{self, Curves, Figure, Grid, Plot};
use dlcourse::prelude::*;

/// Renders `fig` and returns its size and the share of pixels that are not white.
fn render<P: Plot>(fig: &Figure<P>) -> Result<(u32, u32, f64)> {
    let image = fig.to_image()?;
    let inked = image
        .as_raw()
        .chunks(3)
        .filter(|p| p != &[255, 255, 255])
        .count();
    let share = inked as f64 / (image.width() * image.height()) as f64;
    Ok((image.width(), image.height(), share))
}

/// Asserts the PNG has `size` and at least `share` of non-white pixels, and that the
/// SVG renders too.
fn assert_drawn<P: Plot>(fig: &Figure<P>, size: (u32, u32), share: f64) -> Result<()> {
    let (w, h, inked) = render(fig)?;
    assert_eq!((w, h), size, "{}", fig.plot().what());
    assert!(
        inked >= share,
        "{}: only {inked:.4} inked",
        fig.plot().what()
    );
    assert!(fig.to_png()?.starts_with(b"\x89PNG"));
    assert!(fig.to_svg()?.contains("<svg"));
    Ok(())
}

fn classes(n: usize, k: usize) -> Result<Tensor> {
    let v: Vec<u32> = (0..n).map(|i| (i % k) as u32).collect();
    Ok(Tensor::new(v, &Device::Cpu)?)
}

/// Black 28×28 images, image `i` with a white 6×6 square whose corner is `square(i)`.
fn square(i: usize) -> (usize, usize) {
    (2 + 3 * i, 20 - 3 * i)
}

fn squares(n: usize) -> Result<Tensor> {
    let mut v = vec![0u8; n * 28 * 28];
    for i in 0..n {
        let (r0, c0) = square(i);
        for r in r0..r0 + 6 {
            for c in c0..c0 + 6 {
                v[i * 784 + r * 28 + c] = 255;
            }
        }
    }
    Ok(Tensor::from_vec(v, (n, 28, 28), &Device::Cpu)?)
}

#[test]
fn grid_cells_hold_their_images_scaled_up() -> Result<()> {
    let fig = Grid::new(&squares(6)?)?
        .labels(&classes(6, 3)?, &["zero", "one", "two"])?
        .columns(3)
        .figure();
    let image = fig.to_image()?;
    let (w, h) = (image.width(), image.height());
    let (cell_w, cell_h) = ((w - 12) / 3, (h - 12) / 2);
    for i in 0..6 {
        // The image is the bounding box of the black pixels in its cell.
        let (x0, y0) = (6 + (i as u32 % 3) * cell_w, 6 + (i as u32 / 3) * cell_h);
        let black: Vec<(u32, u32)> = (y0..y0 + cell_h)
            .flat_map(|y| (x0..x0 + cell_w).map(move |x| (x, y)))
            .filter(|&(x, y)| image.get_pixel(x, y).0 == [0, 0, 0])
            .collect();
        let left = black.iter().map(|p| p.0).min().expect("black pixels");
        let top = black.iter().map(|p| p.1).min().expect("black pixels");
        let right = black.iter().map(|p| p.0).max().expect("black pixels");
        assert_eq!(right - left + 1, 112, "image {i} is 28 pixels × 4");
        let at = |(r, c): (usize, usize)| {
            let x = left + (c as u32 * 4) + 10;
            let y = top + (r as u32 * 4) + 10;
            image.get_pixel(x, y).0
        };
        assert_eq!(at(square(i)), [255, 255, 255], "image {i}'s own square");
        let other = square((i + 1) % 6);
        assert_eq!(
            at(other),
            [0, 0, 0],
            "image {i} lacks image {}'s square",
            (i + 1) % 6
        );
    }
    Ok(())
}

#[test]
fn grid_reads_every_image_layout() -> Result<()> {
    let dev = Device::Cpu;
    let flat = Tensor::rand(0f32, 1.0, (4, 784), &dev)?;
    let channel = Tensor::rand(0f32, 1.0, (4, 1, 28, 28), &dev)?;
    let red_first = Tensor::cat(
        &[
            Tensor::ones((2, 1, 16, 16), DType::F32, &dev)?,
            Tensor::zeros((2, 2, 16, 16), DType::F32, &dev)?,
        ],
        1,
    )?;
    let red_last = red_first
        .permute((0, 2, 3, 1))?
        .affine(255.0, 0.0)?
        .to_dtype(DType::U8)?;
    for images in [&flat, &channel] {
        let fig = Grid::new(images)?.figure();
        assert!(render(&fig)?.2 > 0.3);
    }
    for images in [&red_first, &red_last] {
        let image = Grid::new(images)?.figure().to_image()?;
        let red = image.pixels().filter(|p| p.0 == [255, 0, 0]).count();
        assert!(red > 2 * 16 * 16, "{red} red pixels");
    }
    Ok(())
}

#[test]
fn misclassified_gallery_shows_only_the_wrong_ones() -> Result<()> {
    let dev = Device::Cpu;
    let images = squares(6)?;
    let truth = Tensor::new(&[0u8, 1, 2, 0, 1, 2], &dev)?;
    let predicted = Tensor::new(&[0u8, 2, 2, 1, 1, 0], &dev)?;
    let fig = plot::misclassified(&images, &truth, &predicted, &["a", "b", "c"], 2)?;
    assert_eq!(fig.plot().len(), 2, "three are wrong, the limit is two");
    let image = fig.to_image()?;
    let red = image.pixels().filter(|p| p.0 == [214, 39, 40]).count();
    assert!(red > 100, "wrong predictions are framed in red ({red})");
    let right = plot::misclassified(&images, &truth, &truth, &["a", "b", "c"], 25)?;
    assert!(right.plot().is_empty());
    assert!(render(&right)?.2 > 0.0, "says there is nothing to show");
    Ok(())
}

#[test]
fn single_image_and_matrix_render() -> Result<()> {
    let dev = Device::Cpu;
    let digit = squares(1)?.get(0)?;
    let fig = plot::image(&digit)?;
    assert_drawn(&fig, (280, 280), 0.9)?;
    let stacked = Tensor::rand(0f32, 1.0, (500, 784), &dev)?;
    let fig = plot::Matrix::new(&stacked)?
        .title("The first 500 images")
        .x_label("pixel")
        .y_label("image")
        .colorbar(true)
        .figure();
    let (w, h) = (fig.to_image()?.width(), fig.to_image()?.height());
    assert_drawn(&fig, (w, h), 0.5)?;
    Ok(())
}

#[test]
fn curves_compare_descent_and_functions_render() -> Result<()> {
    let (mut fast, mut slow) = (History::new(), History::new());
    for e in 1..=10 {
        fast.push(Key::LOSS, 1.0 / e as f64);
        slow.push(Key::LOSS, 1.0 - 0.02 * e as f64);
    }
    let fig = plot::compare(&[("lr 0.1", &fast), ("lr 0.01", &slow)], &Key::LOSS)?;
    assert_drawn(&fig, (720, 440), 0.02)?;
    assert!(fig.to_svg()?.contains("lr 0.01"));
    assert!(matches!(
        plot::compare(&[("a", &fast)], &Key::ACCURACY),
        Err(Error::Usage(_))
    ));
    let f = |x: f64| x.powi(4) - 3.0 * x.powi(2) + x;
    let fig = plot::descent(f, -2.2..2.2, &[("plain", &[2.0, 1.5, 1.2, 1.13][..])]);
    assert_drawn(&fig, (720, 440), 0.02)?;
    let fig = Curves::new("Activations")
        .function("tanh", f64::tanh, -4.0..4.0)
        .function("ReLU", |x| x.max(0.0), -4.0..4.0)
        .figure();
    assert_drawn(&fig, (720, 440), 0.02)
}

#[test]
fn scatter_confusion_and_probabilities_render() -> Result<()> {
    let dev = Device::Cpu;
    let points = Tensor::randn(0f32, 1.0, (300, 2), &dev)?;
    let fig = plot::scatter(
        &points,
        &classes(300, 3)?,
        &["T-shirt/top", "Trouser", "Bag"],
    )?;
    assert_drawn(&fig, (760, 600), 0.03)?;
    assert!(fig.to_svg()?.contains("T-shirt/top"));

    let truth = classes(100, 4)?;
    let predicted = Tensor::cat(&[truth.narrow(0, 0, 90)?, classes(10, 2)?], 0)?;
    let fig = plot::confusion(
        &truth,
        &predicted,
        &["Sandal", "Sneaker", "Bag", "Ankle boot"],
    )?;
    let counts = fig.plot().counts();
    assert_eq!(counts.len(), 4);
    assert_eq!(counts.iter().flatten().sum::<usize>(), 100);
    assert_eq!(counts[0][0], 25);
    let (w, h, _) = render(&fig)?;
    assert_drawn(&fig, (w, h), 0.2)?;
    assert!(fig.to_svg()?.contains("Ankle boot"));

    let p = Tensor::new(&[0.05f32, 0.8, 0.1, 0.05], &dev)?;
    let fig = plot::probabilities(&p, &["Sandal", "Sneaker", "Bag", "Ankle boot"])?;
    assert_drawn(&fig, (640, 46 + 4 * 30 + 16), 0.03)?;
    assert!(fig.to_svg()?.contains("Predicted: Sneaker (80.0%)"));
    Ok(())
}

#[test]
fn decision_boundary_colours_both_sides() -> Result<()> {
    let dev = Device::Cpu;
    let x = Tensor::new(&[[-1f32, -1.], [-1., 1.], [1., -1.], [1., 1.]], &dev)?;
    let y = Tensor::new(&[0u8, 0, 1, 1], &dev)?;
    let model = |xy: &Tensor| -> Result<Tensor> { sigmoid(&xy.narrow(1, 0, 1)?.affine(4.0, 0.0)?) };
    let fig = plot::decision_boundary(model, &x, &y, &["left", "right"])?;
    let image = fig.to_image()?;
    assert_eq!((image.width(), image.height()), (760, 600));
    let tinted = |p: &[u8; 3], blue: bool| p != &[255, 255, 255] && (p[2] > p[0]) == blue;
    let row = 300;
    let blue = (0..380)
        .filter(|&x| tinted(&image.get_pixel(x, row).0, true))
        .count();
    let orange = (300..600)
        .filter(|&x| tinted(&image.get_pixel(x, row).0, false))
        .count();
    assert!(blue > 100 && orange > 100, "blue {blue}, orange {orange}");
    Ok(())
}

/// The logistic function.
fn sigmoid(x: &Tensor) -> Result<Tensor> {
    Ok((x.neg()?.exp()? + 1.0)?.recip()?)
}

#[test]
fn wrong_shapes_are_errors_that_say_what_was_expected() -> Result<()> {
    let dev = Device::Cpu;
    let batch = Tensor::zeros((5, 28, 28), DType::F32, &dev)?;
    let shape_error = |r: Result<()>| match r {
        Err(Error::Shape { expected, .. }) => assert!(!expected.is_empty()),
        other => panic!("expected a shape error, got {other:?}"),
    };
    shape_error(plot::image(&batch).map(drop));
    shape_error(Grid::new(&Tensor::zeros((5, 10), DType::F32, &dev)?).map(drop));
    shape_error(plot::matrix(&batch).map(drop));
    shape_error(plot::probabilities(&Tensor::zeros((2, 3), DType::F32, &dev)?, &["a"]).map(drop));
    let three = Tensor::zeros((4, 3), DType::F32, &dev)?;
    shape_error(plot::scatter(&three, &classes(4, 2)?, &["a", "b"]).map(drop));
    let two = Tensor::zeros((4, 2), DType::F32, &dev)?;
    shape_error(plot::scatter(&two, &classes(3, 2)?, &["a", "b"]).map(drop));
    let bad_model = |_: &Tensor| Ok(Tensor::zeros(7, DType::F32, &Device::Cpu)?);
    shape_error(plot::decision_boundary(bad_model, &two, &classes(4, 2)?, &["a", "b"]).map(drop));
    Ok(())
}
