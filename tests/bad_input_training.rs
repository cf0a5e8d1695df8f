//! The training API given what a learner or an importing project gets wrong: every
//! mistake gives an `Error` whose message names the call, the argument or layer, what was
//! expected and found, and what to do — never a panic, and never a run that trains on
//! nonsense without a word.

use dlcourse::data::batch::k_fold;
use dlcourse::data::imdb::Reviews;
use dlcourse::keras::cross_validate;
use dlcourse::kernels::ConvParams;
use dlcourse::prelude::*;
use dlcourse::train::{Batches, Logs, fit_custom};

use dlcourse_tests::error_mentioning as message;

fn cpu() -> Device {
    Device::Cpu
}

/// 8 samples of 3 features, 3 classes.
fn data() -> Result<(Tensor, Tensor)> {
    let x = Tensor::arange(0f32, 24., &cpu())?
        .reshape((8, 3))?
        .affine(0.1, -1.0)?;
    let y = Tensor::new(&[0u32, 1, 2, 0, 1, 2, 0, 1], &cpu())?;
    Ok((x, y))
}

fn classifier(loss: Loss, outputs: usize) -> Result<Model> {
    let activation = match loss {
        Loss::BinaryCrossEntropy => Activation::Sigmoid,
        Loss::MeanSquaredError => Activation::Linear,
        _ => Activation::Softmax,
    };
    let mut model = Sequential::new(&[3])
        .add(Dense::new(4).activation(Activation::Relu))
        .add(Dense::new(outputs).activation(activation))
        .build(&cpu(), 0)?;
    let metrics: &[Metric] = match loss {
        Loss::MeanSquaredError => &[],
        _ => &[Metric::Accuracy],
    };
    model.compile(Optimizer::adam(0.01), loss, metrics)?;
    Ok(model)
}

fn sparse() -> Result<Model> {
    classifier(Loss::SparseCategoricalCrossEntropy, 3)
}

fn quiet() -> Fit {
    Fit::epochs(1).batch_size(4).quiet()
}

fn with_value(x: &Tensor, row: usize, col: usize, value: f32) -> Result<Tensor> {
    let mut rows = x.to_vec2::<f32>()?;
    rows[row][col] = value;
    Ok(Tensor::new(rows, &cpu())?)
}

#[test]
fn nan_inputs_to_fit_name_the_row_and_the_fix() -> Result<()> {
    let (x, y) = data()?;
    let mut model = sparse()?;
    let before = model.weight("dense.weight")?.to_vec2::<f32>()?;
    let x = with_value(&x, 5, 2, f32::NAN)?;
    message(
        model.fit(&x, &y, quiet()),
        &[
            "fit: inputs x",
            "finite inputs",
            "NaN at row 5, value 2",
            "impute",
        ],
    );
    assert_eq!(model.weight("dense.weight")?.to_vec2::<f32>()?, before);
    Ok(())
}

#[test]
fn infinite_inputs_to_evaluate_are_refused() -> Result<()> {
    let (x, y) = data()?;
    let x = with_value(&x, 0, 1, f32::INFINITY)?;
    message(
        sparse()?.evaluate(&x, &y),
        &[
            "evaluate: inputs x",
            "inf at row 0, value 1",
            "clean the data",
        ],
    );
    Ok(())
}

#[test]
fn nan_inputs_to_predict_are_refused() -> Result<()> {
    let (x, _) = data()?;
    let x = with_value(&x, 7, 0, f32::NAN)?;
    message(
        sparse()?.predict(&x),
        &["predict: inputs x", "NaN at row 7"],
    );
    message(
        sparse()?.predict_one(&[1.0, f32::NEG_INFINITY, 0.0]),
        &["predict", "-inf at row 0, value 1"],
    );
    Ok(())
}

#[test]
fn nan_regression_targets_are_refused() -> Result<()> {
    let (x, _) = data()?;
    let y = Tensor::new(
        &[[1f32], [2.], [f32::NAN], [4.], [5.], [6.], [7.], [8.]],
        &cpu(),
    )?;
    let mut model = classifier(Loss::MeanSquaredError, 1)?;
    message(
        model.fit(&x, &y, quiet()),
        &["fit: targets y", "finite targets", "NaN at row 2"],
    );
    Ok(())
}

#[test]
fn bad_validation_data_is_refused_before_training() -> Result<()> {
    let (x, y) = data()?;
    let mut model = sparse()?;
    let before = model.weight("dense.weight")?.to_vec2::<f32>()?;
    let vx = with_value(&x, 1, 1, f32::NAN)?;
    message(
        model.fit(&x, &y, quiet().validation_data(&vx, &y)),
        &["fit's validation data: inputs x", "NaN at row 1"],
    );
    let narrow = x.narrow(1, 0, 2)?;
    message(
        model.fit(&x, &y, quiet().validation_data(&narrow, &y)),
        &["feeding the model", "[N, 3]", "[8, 2]"],
    );
    message(
        model.fit(&x, &y, quiet().validation_data(&x, &y.narrow(0, 0, 5)?)),
        &["validation", "as many targets as inputs (8)", "5 targets"],
    );
    // None of these trained a single batch.
    assert_eq!(model.weight("dense.weight")?.to_vec2::<f32>()?, before);
    Ok(())
}

#[test]
fn batch_size_zero_is_refused() -> Result<()> {
    let (x, y) = data()?;
    message(
        sparse()?.fit(&x, &y, Fit::epochs(1).batch_size(0).quiet()),
        &[
            "Fit::batch_size",
            "at least 1",
            "found 0",
            ".batch_size(32)",
        ],
    );
    let custom = fit_custom(&[&x], Fit::epochs(1).batch_size(0).quiet(), 0, |_| {
        Ok(Logs::new())
    });
    message(custom, &["Fit::batch_size", "found 0"]);
    Ok(())
}

#[test]
fn a_label_past_the_output_layer_names_label_row_and_size() -> Result<()> {
    let (x, _) = data()?;
    let y = Tensor::new(&[0u32, 1, 2, 0, 7, 2, 0, 1], &cpu())?;
    let err = message(
        sparse()?.fit(&x, &y, quiet()),
        &[
            "fit: targets y",
            "0..=2",
            "3 unit(s)",
            "7 in row 4",
            "Dense::new(classes)",
        ],
    );
    assert!(!err.contains("gather"), "{err}");
    message(
        sparse()?.evaluate(&x, &y),
        &["evaluate: targets y", "7 in row 4"],
    );
    Ok(())
}

#[test]
fn negative_or_fractional_labels_are_refused() -> Result<()> {
    let (x, _) = data()?;
    let y = Tensor::new(&[0f32, 1., 2., 0., 1., -1., 0., 1.], &cpu())?;
    message(
        sparse()?.fit(&x, &y, quiet()),
        &["whole class labels", "-1 in row 5"],
    );
    let y = Tensor::new(&[0f32, 1., 2., 0.5, 1., 2., 0., 1.], &cpu())?;
    message(sparse()?.fit(&x, &y, quiet()), &["0.5 in row 3"]);
    Ok(())
}

#[test]
fn binary_targets_outside_zero_one_are_refused() -> Result<()> {
    let (x, _) = data()?;
    let y = Tensor::new(&[[0f32], [1.], [1.], [0.], [2.], [1.], [0.], [1.]], &cpu())?;
    let mut model = classifier(Loss::BinaryCrossEntropy, 1)?;
    message(
        model.fit(&x, &y, quiet()),
        &["between 0 and 1", "2 in row 4", "frame::binary"],
    );
    Ok(())
}

#[test]
fn inputs_and_targets_of_different_lengths_are_refused() -> Result<()> {
    let (x, y) = data()?;
    let short = y.narrow(0, 0, 6)?;
    message(
        sparse()?.fit(&x, &short, quiet()),
        &[
            "pairing training inputs with targets",
            "(8)",
            "6 targets",
            "same samples",
        ],
    );
    // Also when a validation split is asked for (the split must not hide it).
    message(
        sparse()?.fit(&x, &short, quiet().validation_split(0.25)),
        &["(8)", "6 targets"],
    );
    message(sparse()?.evaluate(&x, &short), &["evaluation", "6 targets"]);
    Ok(())
}

#[test]
fn a_wrong_feature_count_names_both_shapes() -> Result<()> {
    let (x, y) = data()?;
    let wide = Tensor::cat(&[&x, &x], 1)?;
    message(
        sparse()?.fit(&wide, &y, quiet()),
        &["feeding the model", "[N, 3]", "[8, 6]", "reshape"],
    );
    message(
        sparse()?.predict(&x.flatten_all()?),
        &["[N, 3]", "[24]", "unsqueeze"],
    );
    message(
        sparse()?.predict_one(&[1.0, 2.0]),
        &["3 values", "found 2 values"],
    );
    Ok(())
}

#[test]
fn a_validation_split_outside_zero_one_is_refused() -> Result<()> {
    let (x, y) = data()?;
    for fraction in [0.0, 1.0, 1.5, -0.2, f64::NAN, 0.01] {
        message(
            sparse()?.fit(&x, &y, quiet().validation_split(fraction)),
            &["validation_split(", "between 0 and 1"],
        );
    }
    Ok(())
}

#[test]
fn evaluating_or_fitting_before_compile_says_to_compile() -> Result<()> {
    let (x, y) = data()?;
    let mut model = Sequential::new(&[3]).add(Dense::new(3)).build(&cpu(), 0)?;
    message(model.evaluate(&x, &y), &["not compiled", "model.compile("]);
    message(
        model.fit(&x, &y, quiet()),
        &["not compiled", "model.compile("],
    );
    // Predicting needs no loss: it works before compile, as in Keras.
    assert_eq!(model.predict(&x)?.dims(), &[8, 3]);
    Ok(())
}

#[test]
fn an_unmeasured_metric_is_an_error_not_a_panic() -> Result<()> {
    let (x, y) = data()?;
    let mut model = Sequential::new(&[3]).add(Dense::new(3)).build(&cpu(), 0)?;
    model.compile(
        Optimizer::sgd(0.1),
        Loss::SparseCategoricalCrossEntropy,
        &[],
    )?;
    let logs = model.evaluate(&x, &y)?;
    message(
        logs.accuracy(),
        &["`accuracy` was not measured", "Metric::Accuracy"],
    );
    Ok(())
}

#[test]
fn layers_with_nothing_to_output_are_refused_at_build() -> Result<()> {
    message(
        Sequential::new(&[3]).add(Dense::new(0)).build(&cpu(), 0),
        &[
            "Dense",
            "at least one unit",
            "0 units",
            "positive number of units",
        ],
    );
    message(
        Sequential::new(&[1, 8, 8])
            .add(Conv2d::new(0, 3))
            .build(&cpu(), 0),
        &["conv2d", "layer 1 of the model", "0 filters"],
    );
    message(
        Sequential::new(&[5, 3]).add(Lstm::new(0)).build(&cpu(), 0),
        &["layer 1 of the model"],
    );
    message(
        Sequential::new(&[0]).add(Dense::new(2)).build(&cpu(), 0),
        &[
            "building a Sequential model",
            "positive sizes",
            "[0]",
            "Sequential::new(&[784])",
        ],
    );
    message(
        Sequential::new(&[3]).build(&cpu(), 0),
        &["no layers", ".add(Dense::new(1))"],
    );
    Ok(())
}

#[test]
fn a_pooling_window_larger_than_the_image_is_refused_at_build() -> Result<()> {
    message(
        Sequential::new(&[1, 4, 4])
            .add(MaxPool2d(5))
            .build(&cpu(), 0),
        &["maxpool", "layer 1 of the model"],
    );
    Ok(())
}

#[test]
fn k_fold_with_fewer_than_two_folds_is_refused() -> Result<()> {
    for k in [0, 1] {
        message(
            k_fold(10, k, 0),
            &["folds", "between 2 and 10", &format!("{k} folds")],
        );
        message(dlcourse::classic::Folds::new(10, k, 0), &["k ≥ 2"]);
    }
    message(
        k_fold(3, 4, 0),
        &["between 2 and 3", "4 folds", "no more than"],
    );
    let (x, y) = data()?;
    let cv = cross_validate(&x, &y, 1, 0, |_| sparse(), quiet, Key::ACCURACY);
    message(cv, &["1 folds", "k ≥ 2"]);
    Ok(())
}

#[test]
fn empty_tensors_are_refused_by_fit_evaluate_and_predict() -> Result<()> {
    let x = Tensor::zeros((0, 3), DType::F32, &cpu())?;
    let y = Tensor::zeros(0, DType::U32, &cpu())?;
    let fix = "a class filter that kept nothing";
    message(
        sparse()?.fit(&x, &y, quiet()),
        &["fit: inputs x", "at least one sample", "[0, 3]", fix],
    );
    message(
        sparse()?.evaluate(&x, &y),
        &["evaluate: inputs x", "at least one sample"],
    );
    message(
        sparse()?.predict(&x),
        &["predict: inputs x", "at least one sample"],
    );
    Ok(())
}

#[test]
fn a_diverging_learning_rate_stops_with_the_epoch_batch_and_rate() -> Result<()> {
    let x = Tensor::arange(0f32, 64., &cpu())?.reshape((64, 1))?;
    let y = x.affine(3.0, 1.0)?;
    let mut model = Sequential::new(&[1]).add(Dense::new(1)).build(&cpu(), 0)?;
    model.compile(Optimizer::sgd(10.0), Loss::MeanSquaredError, &[])?;
    let err = model
        .fit(&x, &y, Fit::epochs(50).batch_size(8).quiet())
        .unwrap_err();
    assert!(matches!(err, Error::NonFiniteLoss { .. }), "{err}");
    let text = err.to_string();
    for part in [
        "training diverged",
        "at epoch",
        "batch",
        "lower the learning rate (it is 10)",
    ] {
        assert!(text.contains(part), "{part:?}: {text}");
    }
    Ok(())
}

#[test]
fn a_token_id_past_the_embedding_table_is_refused() -> Result<()> {
    let mut model = Sequential::new(&[4])
        .add(Embedding::new(10, 2))
        .add(Flatten)
        .add(Dense::new(1).activation(Activation::Sigmoid))
        .build(&cpu(), 0)?;
    model.compile(Optimizer::adam(0.01), Loss::BinaryCrossEntropy, &[])?;
    let x = Tensor::new(&[[1u32, 2, 3, 4], [5, 6, 12, 0]], &cpu())?;
    let y = Tensor::new(&[[1f32], [0.]], &cpu())?;
    message(
        model.fit(&x, &y, quiet()),
        &[
            "token ids below 10",
            "id 12 at row 1, position 2",
            "Vocabulary::fit",
        ],
    );
    message(model.predict(&x), &["predict: inputs x", "id 12"]);
    Ok(())
}

#[test]
fn a_batch_index_past_the_end_is_an_error() -> Result<()> {
    let (x, y) = data()?;
    let batches = Batches::new(&[&x, &y], 3, None)?;
    assert_eq!(batches.count(), 3);
    assert_eq!(batches.get(2)?[0].dim(0)?, 2);
    message(
        batches.get(3),
        &["taking a batch", "below 3", "index 3", "0..batches.count()"],
    );
    message(
        Batches::new(&[&x, &y.narrow(0, 0, 7)?], 3, None),
        &["same number of samples", "[8, 7] rows"],
    );
    Ok(())
}

#[test]
fn reviews_with_lists_of_different_lengths_do_not_panic() {
    let reviews = Reviews {
        texts: vec!["good".into(), "bad".into(), "fine".into()],
        labels: vec![1, 0],
        ratings: vec![],
        ids: vec![7],
    };
    let head = reviews.head(2);
    assert_eq!(head.texts.len(), 2);
    assert_eq!(head.labels, [1, 0]);
    assert!(head.ratings.is_empty());
    assert_eq!(head.ids, [7]);
    assert_eq!(reviews.head(100).texts.len(), 3);
}

#[test]
fn convolution_kernels_refuse_empty_batches_and_zero_filters() -> Result<()> {
    let images = Tensor::zeros((2, 1, 5, 5), DType::F32, &cpu())?;
    let kernel = Tensor::zeros((4, 1, 3, 3), DType::F32, &cpu())?;
    let none = Tensor::zeros((0, 1, 5, 5), DType::F32, &cpu())?;
    let no_filters = Tensor::zeros((0, 1, 3, 3), DType::F32, &cpu())?;
    let text = |r: dlcourse::candle_core::Result<Tensor>| r.expect_err("an error").to_string();
    let err = text(dlcourse::kernels::conv2d(
        &none,
        &kernel,
        ConvParams {
            padding: 0,
            stride: 1,
        },
    ));
    assert!(
        err.contains("at least one image") && err.contains("[0, 1, 5, 5]"),
        "{err}"
    );
    let err = text(dlcourse::kernels::conv2d(
        &images,
        &no_filters,
        ConvParams {
            padding: 0,
            stride: 1,
        },
    ));
    assert!(
        err.contains("at least one filter") && err.contains("[0, 1, 3, 3]"),
        "{err}"
    );
    let big = Tensor::zeros((1, 1, 7, 7), DType::F32, &cpu())?;
    let err = text(dlcourse::kernels::conv2d(
        &images,
        &big,
        ConvParams {
            padding: 0,
            stride: 1,
        },
    ));
    assert!(err.contains("does not fit a 5×5 image"), "{err}");
    let err = text(dlcourse::kernels::conv2d(
        &images,
        &kernel,
        ConvParams {
            padding: 0,
            stride: 0,
        },
    ));
    assert!(err.contains("stride 0"), "{err}");
    let err = text(dlcourse::kernels::max_pool2d(&images, 0));
    assert!(err.contains("does not fit"), "{err}");
    let err = text(dlcourse::kernels::max_pool2d(&none, 2));
    assert!(err.contains("at least one image"), "{err}");
    Ok(())
}

#[test]
fn a_layer_index_past_the_model_names_the_layers() -> Result<()> {
    let (x, _) = data()?;
    message(
        sparse()?.layer_output(&x, 2),
        &["below 2", "0: dense, 1: dense_1", "index 2", "summary()"],
    );
    message(sparse()?.set_trainable(5, false), &["at most 1", "5"]);
    Ok(())
}

#[test]
fn a_negative_or_nan_learning_rate_is_refused_at_compile() -> Result<()> {
    for rate in [-0.01, f64::NAN, f64::INFINITY] {
        let mut model = Sequential::new(&[3]).add(Dense::new(1)).build(&cpu(), 0)?;
        message(
            model.compile(Optimizer::sgd(rate), Loss::MeanSquaredError, &[]),
            &[
                "learning rate",
                "a finite rate of 0 or more",
                "Optimizer::adam(0.001)",
            ],
        );
        message(
            model.compile(Optimizer::adam(rate), Loss::MeanSquaredError, &[]),
            &["learning rate", &format!("found {rate}")],
        );
    }
    Ok(())
}

#[test]
fn threshold_scores_that_are_nan_mismatched_or_one_class_are_refused() {
    use dlcourse::train::Thresholds;
    message(
        Thresholds::from_slices(&[f64::NAN, 0.5], &[true, false]),
        &["thresholds", "NaN at sample 0", "diverged"],
    );
    message(
        Thresholds::from_slices(&[0.1, 0.5], &[true]),
        &["one label per score (2 scores)", "found 1 labels"],
    );
    message(
        Thresholds::from_slices(&[], &[]),
        &["at least one score", "found none"],
    );
    message(
        Thresholds::from_slices(&[0.1, 0.5], &[true, true]),
        &["both classes", "found only positives"],
    );
}
