//! The Keras-shaped API end to end: build, summary, compile, fit, evaluate, predict,
//! save/load, reproducibility and divergence detection.

use dlcourse::prelude::*;
use dlcourse::train;
use dlcourse_tests::temp_dir;

fn xor() -> Result<(Tensor, Tensor)> {
    let dev = Device::Cpu;
    let x = Tensor::new(&[[0f32, 0.], [0., 1.], [1., 0.], [1., 1.]], &dev)?;
    let y = Tensor::new(&[[0f32], [1.], [1.], [0.]], &dev)?;
    Ok((x, y))
}

fn xor_model(seed: u64) -> Result<Model> {
    let mut model = Sequential::new(&[2])
        .add(Dense::new(8).activation(Activation::Tanh))
        .add(Dense::new(1).activation(Activation::Sigmoid))
        .build(&Device::Cpu, seed)?;
    model.compile(
        Optimizer::adam(0.05),
        Loss::BinaryCrossEntropy,
        &[Metric::Accuracy],
    )?;
    Ok(model)
}

#[test]
fn mnist_mlp_has_keras_parameter_count() -> Result<()> {
    let model = dlcourse::models::mnist_mlp().build(&Device::Cpu, 0)?;
    let summary = model.summary();
    assert_eq!(summary.total_params(), 407_050);
    assert_eq!(summary.layer_params(), vec![401_920, 5_130]);
    let text = summary.to_string();
    assert!(
        text.contains("dense_1 (Dense)") && text.contains("407,050"),
        "{text}"
    );
    Ok(())
}

#[test]
fn learns_xor_and_reports_accuracy() -> Result<()> {
    let (x, y) = xor()?;
    let mut model = xor_model(1)?;
    let history = model.fit(&x, &y, Fit::epochs(300).batch_size(4).quiet())?;
    assert_eq!(history.epochs(), 300);
    assert!(
        history.loss()[299] < history.loss()[0] / 10.0,
        "{:?}",
        history.loss().last()
    );
    let scores = model.evaluate(&x, &y)?;
    assert_eq!(scores.accuracy()?, 1.0);
    assert_eq!(
        scores.keys().cloned().collect::<Vec<_>>(),
        [Key::LOSS, Key::ACCURACY]
    );
    let p: Vec<f32> = model.predict(&x)?.flatten_all()?.to_vec1()?;
    assert!(
        p[0] < 0.2 && p[1] > 0.8 && p[2] > 0.8 && p[3] < 0.2,
        "{p:?}"
    );
    Ok(())
}

#[test]
fn same_seed_gives_the_same_run_bit_for_bit() -> Result<()> {
    let (x, y) = xor()?;
    let run = |seed| -> Result<(Vec<f64>, Vec<f32>)> {
        let mut model = xor_model(seed)?;
        let history = model.fit(&x, &y, Fit::epochs(20).batch_size(2).quiet())?;
        let w: Vec<f32> = model.weight("dense.weight")?.flatten_all()?.to_vec1()?;
        Ok((history.loss().to_vec(), w))
    };
    assert_eq!(run(7)?, run(7)?);
    assert_ne!(run(7)?.1, run(8)?.1);
    Ok(())
}

#[test]
fn save_then_load_gives_the_same_predictions() -> Result<()> {
    let (x, y) = xor()?;
    let mut trained = xor_model(3)?;
    trained.fit(&x, &y, Fit::epochs(50).quiet())?;
    let path = temp_dir("save_load").join("xor.safetensors");
    trained.save_weights(&path)?;
    let mut fresh = xor_model(99)?;
    assert_ne!(
        fresh.predict(&x)?.to_vec2::<f32>()?,
        trained.predict(&x)?.to_vec2::<f32>()?
    );
    fresh.load_weights(&path)?;
    assert_eq!(
        fresh.predict(&x)?.to_vec2::<f32>()?,
        trained.predict(&x)?.to_vec2::<f32>()?
    );
    Ok(())
}

#[test]
fn divergence_stops_training_with_a_clear_error() -> Result<()> {
    let data = toy::celsius_fahrenheit()?;
    let mut model = Sequential::new(&[1])
        .add(Dense::new(1))
        .build(&Device::Cpu, 0)?;
    model.compile(Optimizer::sgd(10.0), Loss::MeanSquaredError, &[])?;
    let err = model
        .fit(&data.x, &data.y, Fit::epochs(200).quiet())
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::NonFiniteLoss { .. }), "{text}");
    assert!(
        text.contains("learning rate") && text.contains("epoch"),
        "{text}"
    );
    Ok(())
}

#[test]
fn bad_shapes_and_misuse_are_explained() -> Result<()> {
    let data = toy::celsius_fahrenheit()?;
    let mut model = Sequential::new(&[2])
        .add(Dense::new(1))
        .build(&Device::Cpu, 0)?;
    let not_compiled = model
        .fit(&data.x, &data.y, Fit::epochs(1))
        .unwrap_err()
        .to_string();
    assert!(not_compiled.contains("compile"), "{not_compiled}");
    model.compile(Optimizer::adam(0.1), Loss::MeanSquaredError, &[])?;
    let wrong_input = model
        .fit(&data.x, &data.y, Fit::epochs(1))
        .unwrap_err()
        .to_string();
    assert!(
        wrong_input.contains("[N, 2]") && wrong_input.contains("[7, 1]"),
        "{wrong_input}"
    );
    let bad_metric = model
        .compile(
            Optimizer::adam(0.1),
            Loss::MeanSquaredError,
            &[Metric::Accuracy],
        )
        .unwrap_err()
        .to_string();
    assert!(bad_metric.contains("regression"), "{bad_metric}");
    Ok(())
}

#[test]
fn history_plot_renders_a_non_blank_png() -> Result<()> {
    let (x, y) = xor()?;
    let mut model = xor_model(1)?;
    let history = model.fit(&x, &y, Fit::epochs(30).validation_data(&x, &y).quiet())?;
    assert_eq!(history.val_accuracy().len(), 30);
    let figure = history.plot();
    let image = figure.to_image()?;
    assert_eq!((image.width(), image.height()), (960, 400));
    let non_white = image.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    assert!(non_white > 5_000, "only {non_white} drawn pixels");
    let dir = temp_dir("history_plot");
    figure.save(dir.join("h.png"))?;
    figure.save(dir.join("h.svg"))?;
    let svg = std::fs::read_to_string(dir.join("h.svg")).expect("written");
    assert!(svg.contains("<svg") && svg.contains("validation accuracy"));
    assert!(figure.save(dir.join("h.txt")).is_err());
    Ok(())
}

#[test]
fn course_models_have_keras_parameter_counts_and_shapes() -> Result<()> {
    let cnn = dlcourse::models::mnist_cnn().build(&Device::Cpu, 0)?;
    assert_eq!(cnn.summary().total_params(), 1_199_882);
    let x = Tensor::zeros((2, 1, 28, 28), DType::F32, &Device::Cpu)?;
    assert_eq!(cnn.predict(&x)?.dims(), &[2, 10]);

    let sentiment = dlcourse::models::sentiment_lstm(20_000, 80).build(&Device::Cpu, 0)?;
    assert_eq!(sentiment.summary().total_params(), 2_691_713);
    let ids = Tensor::zeros((3, 80), DType::U32, &Device::Cpu)?;
    assert_eq!(sentiment.predict(&ids)?.dims(), &[3, 1]);

    // The lesson-15 decoder: Dense → 64×7×7 → three transposed convolutions → 1×28×28.
    let decoder = Sequential::new(&[2])
        .add(Dense::new(7 * 7 * 64).activation(Activation::Relu))
        .add(Reshape(vec![64, 7, 7]))
        .add(
            ConvTranspose2d::new(128, 3)
                .stride(2)
                .padding(Padding::Same),
        )
        .add(ConvTranspose2d::new(64, 3).stride(2).padding(Padding::Same))
        .add(
            ConvTranspose2d::new(1, 3)
                .padding(Padding::Same)
                .activation(Activation::Sigmoid),
        )
        .build(&Device::Cpu, 0)?;
    let z = Tensor::zeros((4, 2), DType::F32, &Device::Cpu)?;
    assert_eq!(decoder.predict(&z)?.dims(), &[4, 1, 28, 28]);
    Ok(())
}

#[test]
fn a_layer_that_cannot_fit_names_itself() {
    let err = Sequential::new(&[784])
        .add(Dense::new(10))
        .add(Conv2d::new(8, 3))
        .build(&Device::Cpu, 0)
        .err()
        .expect("a convolution cannot follow a flat layer");
    let text = err.to_string();
    assert!(
        text.contains("conv2d") && text.contains("layer 2") && text.contains("Reshape"),
        "{text}"
    );
}

#[test]
fn early_stopping_stops_and_restores_the_best_weights() -> Result<()> {
    // Training pulls towards y = 2x while validation wants y = 0, so the validation loss
    // must turn upwards: early stopping has to stop long before the last epoch and put
    // back the weights of the best epoch.
    let dev = Device::Cpu;
    let x = Tensor::new(&[[1f32], [2.], [3.]], &dev)?;
    let y = (&x * 2.0)?;
    let zeros = x.zeros_like()?;
    let mut model = Sequential::new(&[1]).add(Dense::new(1)).build(&dev, 5)?;
    model.compile(Optimizer::adam(0.1), Loss::MeanSquaredError, &[])?;
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let record = seen.clone();
    let fit = Fit::epochs(200)
        .validation_data(&x, &zeros)
        .quiet()
        .callback(train::on_epoch_end(move |end| {
            record
                .borrow_mut()
                .push(end.history.last(&Key::VAL_LOSS).unwrap_or(f64::NAN));
            Ok(())
        }))
        .callback(train::EarlyStopping::new(Key::VAL_LOSS, 2).restore_best_weights());
    let history = model.fit(&x, &y, fit)?;
    assert!(
        history.epochs() < 50,
        "stopped only after {} epochs",
        history.epochs()
    );
    let best = seen.borrow().iter().cloned().fold(f64::INFINITY, f64::min);
    let restored = model.evaluate(&x, &zeros)?.loss()?;
    assert!(
        (restored - best).abs() < 1e-4 * best.max(1.0),
        "restored {restored}, best {best}"
    );
    assert!(restored < *history.val_loss().last().unwrap());
    Ok(())
}

#[test]
fn learning_rate_schedule_changes_the_rate() -> Result<()> {
    let data = toy::celsius_fahrenheit()?;
    let mut model = Sequential::new(&[1])
        .add(Dense::new(1))
        .build(&Device::Cpu, 5)?;
    model.compile(Optimizer::adam(0.1), Loss::MeanSquaredError, &[])?;
    let rates = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = rates.clone();
    let fit = Fit::epochs(4)
        .quiet()
        .callback(train::LearningRateSchedule::Step {
            every: 2,
            factor: 0.5,
        })
        .callback(train::on_epoch_end(move |end| {
            seen.borrow_mut().push(end.learning_rate().unwrap());
            Ok(())
        }));
    model.fit(&data.x, &data.y, fit)?;
    assert_eq!(*rates.borrow(), vec![0.1, 0.05, 0.05, 0.025]);
    Ok(())
}

#[test]
fn custom_steps_train_one_model_and_leave_the_other_alone() -> Result<()> {
    // The GAN pattern: two models, one optimiser each; a step that updates only one.
    let dev = Device::Cpu;
    let build = |seed| Sequential::new(&[2]).add(Dense::new(1)).build(&dev, seed);
    let (student, frozen) = (build(1)?, build(2)?);
    let mut optimizer = Optimizer::adam(0.05).build(student.vars().all_vars())?;
    let frozen_before = frozen.weight("dense.weight")?.to_vec2::<f32>()?;
    let x = Tensor::new(&[[0f32, 1.], [1., 0.], [1., 1.], [2., 1.]], &dev)?;
    let history = train::fit_custom(&[&x], Fit::epochs(150).batch_size(2).quiet(), 0, |batch| {
        // The student learns to copy the frozen model's outputs.
        let target = frozen.logits(&batch[0], false)?.detach();
        let gap = student
            .logits(&batch[0], true)?
            .sub(&target)?
            .sqr()?
            .mean_all()?;
        optimizer.step(&gap.backward()?)?;
        let gap = gap.to_scalar::<f32>()? as f64;
        Ok(Logs::from([
            (Key::LOSS, gap),
            (Key::named("half_loss"), gap / 2.0),
        ]))
    })?;
    let names: Vec<String> = history.keys().map(Key::to_string).collect();
    assert_eq!(names, ["loss", "half_loss"]);
    assert!(
        history.loss()[149] < history.loss()[0] / 100.0,
        "{:?}",
        &history.loss()[145..]
    );
    assert_eq!(
        frozen.weight("dense.weight")?.to_vec2::<f32>()?,
        frozen_before
    );
    Ok(())
}

#[test]
fn layer_output_gives_the_feature_maps_of_a_convolution() -> Result<()> {
    let dev = Device::Cpu;
    let model = Sequential::new(&[1, 6, 6])
        .add(Conv2d::new(2, 3).activation(Activation::Relu))
        .add(MaxPool2d(2))
        .add(Flatten)
        .add(Dense::new(3).activation(Activation::Softmax))
        .build(&dev, 7)?;
    let x = Tensor::rand(0f32, 1.0, (2, 1, 6, 6), &dev)?;
    // Layer 0 is the convolution with its ReLU: the same as Candle's conv2d by hand.
    let maps = model.layer_output(&x, 0)?;
    assert_eq!(maps.dims(), &[2, 2, 4, 4]);
    let (w, b) = (model.weight("conv2d.weight")?, model.weight("conv2d.bias")?);
    let by_hand = x
        .conv2d(&w, 0, 1, 1, 1)?
        .broadcast_add(&b.reshape((1, 2, 1, 1))?)?
        .relu()?;
    let diff: f32 = (maps - by_hand)?.abs()?.max_all()?.to_scalar()?;
    assert!(diff < 1e-4, "feature maps differ from conv2d by {diff}");
    assert_eq!(model.layer_output(&x, 1)?.dims(), &[2, 2, 2, 2]);
    // The last layer's output is the prediction, activation included.
    let last = model.layer_output(&x, 3)?;
    let diff: f32 = (last - model.predict(&x)?)?.abs()?.max_all()?.to_scalar()?;
    assert!(diff < 1e-6);
    let err = model.layer_output(&x, 4).unwrap_err().to_string();
    assert!(
        err.contains("index 4") && err.contains("0: conv2d"),
        "{err}"
    );
    Ok(())
}
