"""Times the course's reference models in Keras (TensorFlow, CPU): the Keras side of
scripts/bench.sh, the same measurements as crate/benches/epoch.rs.

Lesson 10's sentiment LSTM (Embedding 20,000×128 → LSTM(128, dropout 0.2, recurrent dropout
0.2 for "lstm-rd", none for "lstm") → Dense(1, sigmoid), Adam, batch 32) trains on the IMDB
training reviews read from the raw archive (imdb/aclImdb_v1-labeled.tar.gz), tokenised as
crate/src/data/text.rs does (lower case, words of letters and apostrophes), a vocabulary of
the 20,000 most frequent training words, the last 80 ids of each review; evaluated on 5,000
test reviews.

The MLP of lesson 05 (784-512-10, batch 100, RMSprop), the CNN of lesson 09 (batch 32,
Adam) and lesson 15's VAE decoder alone ("vae": Dense 2 → 7·7·64 → three Conv2DTranspose
to 28×28, binary cross-entropy, Adam, batch 128, decoding random normal latent points into
the MNIST training images), built as crate/src/models/ builds them (Keras' default Glorot-uniform
initialisation; the CNN is channels-last here, Keras' default), trained on real MNIST read
from the IDX files of the data directory (nothing is downloaded). Per model: one warm-up
epoch on the first 10% of the training images, then --repeats timed epochs (median), then
one warm-up evaluation of 1,000 test images and --repeats timed evaluations of all 10,000,
in batches of 1,000 as dlcourse evaluates.

Lesson 15's whole VAE ("vae-full": the encoder Conv2D 128 s2 → Conv2D 64 s2 → Dense 256 → Dense 2·2,
sampling, the decoder above; binary cross-entropy summed over pixels + 3 × KL; Adam 0.001, batch
128) on the 70,000 Fashion-MNIST images (training then test, as the lesson), and lesson 16's GAN
("gan": generator Dense 150 → 7·7·256 → three Conv2DTranspose, discriminator Conv2D 256 s2 →
Conv2D 128 s2 → Dense 64 → Dropout 0.5 → Dense 1, LeakyReLU 0.2; per batch of 64 one
discriminator step and one generator step, Adam 0.0002 with β₁ 0.5 each) on the 60,000
Fashion-MNIST training images: keras.Model subclasses whose train_step uses tf.GradientTape, as
the Keras examples do, trained by fit for one epoch; not evaluated.

Writes JSON lines in the format of crate/benches/epoch.rs to --json:
  {"kind":"setup", "threads":.., "tensorflow":.., "keras":.., ...}
  {"kind":"train", "model":"mlp"|"cnn", "samples":.., "batch":.., "steps":.., "repeats":..,
   "times_s":[..], "median_s":.., "epoch_s":.., "flops":.., "gflops":.., "accuracy":..}
  {"kind":"evaluate", "model":.., "samples":.., "batch":.., ... }
FLOPs are counted as in crate/benches/epoch.rs: 2 per multiply-add of the Dense and Conv2D
layers for a forward pass, 3 forward passes per training step (the VAE: 3 of encoder and decoder;
the GAN, per real image: 4 of the generator and 9 of the discriminator).
"""

import argparse
import gzip
import json
import os
import platform
import statistics
import struct
import sys
import time
from pathlib import Path

EPOCH_SAMPLES = 60_000
# Lesson 15 trains on all 70,000 Fashion-MNIST images (training and test).
FASHION_ALL = 70_000
VAE_KL_WEIGHT = 3.0  # crate/src/models/vae.rs, KL_WEIGHT
GAN_NOISE = 150  # crate/src/models/gan.rs, NOISE_DIM
IMDB_SAMPLES = 25_000
EVAL_BATCH = 1000
VOCABULARY, LENGTH, UNITS = 20_000, 80, 128


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="data directory holding mnist/*.gz")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="TensorFlow's intra- and inter-op threads")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs and evaluations per model")
    parser.add_argument("--cnn-samples", type=int, default=EPOCH_SAMPLES, help="train the CNN on the first N images")
    parser.add_argument("--models", default="mlp,cnn,lstm,lstm-rd",
                        help="comma-separated: mlp, cnn, lstm, lstm-rd, vae, vae-full, gan")
    parser.add_argument("--lstm-samples", type=int, default=IMDB_SAMPLES, help="train the LSTMs on the first N reviews")
    parser.add_argument("--vae-samples", type=int, default=EPOCH_SAMPLES, help="train the VAE decoder on N images")
    parser.add_argument("--vae-full-samples", type=int, default=FASHION_ALL,
                        help="train the whole VAE on the first N of the 70,000 Fashion-MNIST images")
    parser.add_argument("--gan-samples", type=int, default=EPOCH_SAMPLES,
                        help="train the GAN on the first N Fashion-MNIST training images")
    parser.add_argument("--json", type=Path, help="write the results here as JSON lines")
    return parser.parse_args()


def pin_threads(threads):
    """Pins TensorFlow (and the libraries under it) to `threads` threads. The environment
    must be set before TensorFlow is imported."""
    for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS"):
        os.environ[name] = str(threads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    return tf


def read_idx(path):
    """An IDX file (gzip-compressed) as a numpy array of unsigned bytes."""
    import numpy as np

    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"reading {path}: expected an IDX file of unsigned bytes, found magic {data[:4].hex()}")
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(dims)):
        sys.exit(f"reading {path}: the header promises {dims}, the file holds {array.size} bytes")
    return array.reshape(dims)


def load_mnist(data_dir, name="mnist"):
    """MNIST (or, with name="fashion-mnist", Fashion-MNIST) from the data directory's IDX files:
    pixels as float32 in [0, 1], labels as int64."""
    import numpy as np

    folder = data_dir / name
    files = {
        "train_x": "train-images-idx3-ubyte.gz",
        "train_y": "train-labels-idx1-ubyte.gz",
        "test_x": "t10k-images-idx3-ubyte.gz",
        "test_y": "t10k-labels-idx1-ubyte.gz",
    }
    missing = [name for name in files.values() if not (folder / name).is_file()]
    if missing:
        sys.exit(f"reading {folder}: missing {', '.join(missing)} — set DLCOURSE_DATA to a folder with {name}/")
    arrays = {key: read_idx(folder / name) for key, name in files.items()}
    for key in ("train_x", "test_x"):
        arrays[key] = arrays[key].astype(np.float32) / 255.0
    for key in ("train_y", "test_y"):
        arrays[key] = arrays[key].astype(np.int64)
    return arrays


def mnist_mlp(keras):
    """crate/src/models/mlp.rs: Dense(512, ReLU) → Dense(10, softmax) on 784 pixels."""
    return keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def mnist_cnn(keras):
    """crate/src/models/cnn.rs, channels-last."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )


def vae_decoder(keras):
    """Lesson 15's VAE decoder alone (crate/benches/epoch.rs, bench_vae_decoder)."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((2,)),
            layers.Dense(7 * 7 * 64, activation="relu"),
            layers.Reshape((7, 7, 64)),
            layers.Conv2DTranspose(128, 3, strides=2, padding="same", activation="relu"),
            layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu"),
            layers.Conv2DTranspose(1, 3, padding="same", activation="sigmoid"),
        ]
    )


def vae_encoder(keras):
    """Lesson 15's encoder (crate/src/models/vae.rs, vae_encoder(2)): both heads in one Dense(2·2),
    z_mean then z_log_var, as the crate holds them."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(128, 3, strides=2, padding="same", activation="relu"),
            layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
            layers.Flatten(),
            layers.Dense(256, activation="relu"),
            layers.Dense(2 * 2),
        ]
    )


def gan_generator(keras):
    """Lesson 16's generator at full width (crate/src/models/gan.rs, gan_generator(150))."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((GAN_NOISE,)),
            layers.Dense(7 * 7 * 256),
            layers.LeakyReLU(0.2),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, 3, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(64, 3, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(1, 3, padding="same", activation="sigmoid"),
        ]
    )


def gan_discriminator(keras):
    """Lesson 16's discriminator at full width (crate/src/models/gan.rs, gan_discriminator())."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(256, 3, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2D(128, 3, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Flatten(),
            layers.Dense(64),
            layers.LeakyReLU(0.2),
            layers.Dropout(0.5),
            layers.Dense(1, activation="sigmoid"),
        ]
    )


def custom_step_models(keras, tf):
    """The VAE and the GAN as keras.Model subclasses with their own train_step (tf.GradientTape),
    as in the Keras examples, doing per batch what crate/src/models/vae_training.rs and
    gan_training.rs do."""

    def first(data):
        return data[0] if isinstance(data, (tuple, list)) else data

    class Vae(keras.Model):
        """Encode, sample z = μ + exp(½ log σ²)·ε, decode; binary cross-entropy summed over the
        pixels + KL_WEIGHT × KL, averaged over the batch; one optimiser step."""

        def __init__(self, encoder, decoder, **kwargs):
            super().__init__(**kwargs)
            self.encoder, self.decoder = encoder, decoder
            self.noise = keras.random.SeedGenerator(42)
            self.loss_tracker = keras.metrics.Mean(name="loss")

        @property
        def metrics(self):
            return [self.loss_tracker]

        def train_step(self, data):
            images = first(data)
            with tf.GradientTape() as tape:
                codes = self.encoder(images, training=True)
                z_mean, z_log_var = codes[:, :2], codes[:, 2:]
                epsilon = keras.random.normal(tf.shape(z_mean), seed=self.noise)
                z = z_mean + tf.exp(0.5 * z_log_var) * epsilon
                drawn = self.decoder(z, training=True)
                bce = keras.losses.binary_crossentropy(images, drawn)  # [n, 28, 28]
                reconstruction = tf.reduce_mean(tf.reduce_sum(bce, axis=(1, 2)))
                kl = -0.5 * tf.reduce_mean(
                    tf.reduce_sum(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=1)
                )
                total = reconstruction + VAE_KL_WEIGHT * kl
            weights = self.trainable_weights
            self.optimizer.apply_gradients(zip(tape.gradient(total, weights), weights))
            self.loss_tracker.update_state(total)
            return {"loss": self.loss_tracker.result()}

    class Gan(keras.Model):
        """Per batch of n real images: one discriminator step on the n real images (target 1)
        and n drawn ones (target 0, the generator not differentiated) in one batch of 2n; then
        one generator step on n fresh drawn images with target 1, through both halves."""

        def __init__(self, generator, discriminator, **kwargs):
            super().__init__(**kwargs)
            self.generator, self.discriminator = generator, discriminator
            self.noise = keras.random.SeedGenerator(42)
            self.trackers = [keras.metrics.Mean(name=n) for n in ("d_loss", "g_loss", "d_accuracy")]

        def compile(self, d_optimizer, g_optimizer):
            super().compile()
            self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
            self.bce = keras.losses.BinaryCrossentropy()

        @property
        def metrics(self):
            return self.trackers

        def train_step(self, data):
            real = first(data)
            n = tf.shape(real)[0]
            fake = self.generator(keras.random.normal((n, GAN_NOISE), seed=self.noise), training=True)
            targets = tf.concat([tf.ones((n, 1)), tf.zeros((n, 1))], axis=0)
            d_weights = self.discriminator.trainable_weights
            with tf.GradientTape() as tape:
                verdict = self.discriminator(tf.concat([real, fake], axis=0), training=True)
                d_loss = self.bce(targets, verdict)
            self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d_weights), d_weights))
            accuracy = tf.reduce_mean(tf.cast(tf.equal(verdict >= 0.5, targets >= 0.5), tf.float32))
            g_weights = self.generator.trainable_weights
            with tf.GradientTape() as tape:
                drawn = self.generator(keras.random.normal((n, GAN_NOISE), seed=self.noise), training=True)
                g_loss = self.bce(tf.ones((n, 1)), self.discriminator(drawn, training=True))
            self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_weights), g_weights))
            for tracker, value in zip(self.trackers, (d_loss, g_loss, accuracy)):
                tracker.update_state(value)
            return {t.name: t.result() for t in self.trackers}

    return Vae, Gan


def forward_macs(model, keras):
    """Multiply-adds of one sample's forward pass: each Dense and Conv2D kernel weight is
    used once per output position, each Conv2DTranspose kernel weight once per input
    position."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2DTranspose):
            positions = 1
            for d in layer.input.shape[1:-1]:
                positions *= d
            weights = 1
            for d in layer.kernel.shape:
                weights *= int(d)
            total += weights * positions
        elif isinstance(layer, (keras.layers.Dense, keras.layers.Conv2D)):
            positions = 1
            for d in layer.output.shape[1:-1]:
                positions *= d
            weights = 1
            for d in layer.kernel.shape:
                weights *= int(d)
            total += weights * positions
        elif isinstance(layer, keras.layers.LSTM):
            # The input projection and the recurrent product of every step.
            steps, features = layer.input.shape[1], layer.input.shape[2]
            total += steps * 4 * layer.units * (features + layer.units)
    return total


def load_imdb(data_dir, keras):
    """Training and test reviews as (ids [n, 80], labels) pairs, in one fixed mixed order."""
    import re
    import tarfile
    from collections import Counter

    import numpy as np

    path = data_dir / "imdb" / "aclImdb_v1-labeled.tar.gz"
    if not path.is_file():
        sys.exit(f"reading {path}: missing — set DLCOURSE_DATA to a folder with imdb/")
    splits = {"train": [], "test": []}
    pattern = re.compile(r"aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$")
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            match = pattern.search(member.name)
            if match:
                text = archive.extractfile(member).read().decode("utf-8", "replace")
                splits[match[1]].append((text, 1 if match[2] == "pos" else 0))
    word = re.compile(r"[^\W\d_]+(?:'+[^\W\d_]+)*")

    def tokens(text):
        return word.findall(text.replace("<br />", " ").lower())

    rng = np.random.default_rng(113)
    for split in splits.values():
        split.sort(key=lambda r: r[0])
        rng.shuffle(split)
    counts = Counter(w for text, _ in splits["train"] for w in tokens(text))
    ids = {w: i + 2 for i, (w, _) in enumerate(counts.most_common(VOCABULARY - 2))}

    def encode(split):
        sequences = [[ids.get(w, 1) for w in tokens(text)] for text, _ in split]
        x = keras.utils.pad_sequences(sequences, maxlen=LENGTH)
        return x, np.array([label for _, label in split], dtype=np.float32)

    return encode(splits["train"]), encode(splits["test"][:5000])


def sentiment_lstm(keras, recurrent_dropout):
    """crate/src/models/sentiment.rs (recurrent dropout 0.2, or 0 for the "lstm" row)."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((LENGTH,), dtype="int32"),
            layers.Embedding(VOCABULARY, UNITS),
            layers.LSTM(UNITS, dropout=0.2, recurrent_dropout=recurrent_dropout),
            layers.Dense(1, activation="sigmoid"),
        ]
    )


def time_epochs(samples, batch, repeats, epoch):
    """Seconds of each of `repeats` calls epoch(samples), after a warm-up on the first tenth of
    the samples (at least one full batch, so that the timed epochs run no first-time tracing),
    and what the last call returned; epoch(n) trains one epoch on the first n samples."""
    epoch(max(samples // 10, min(samples, batch)))
    times, metric = [], float("nan")
    for _ in range(repeats):
        start = time.perf_counter()
        metric = epoch(samples)
        times.append(time.perf_counter() - start)
    return times, metric


def record_train(name, samples, batch, times, step_flops, metric, out, epoch_samples):
    """Prints the median epoch and appends its JSON record; `metric` is (its name, value),
    `step_flops` the FLOPs of one sample's training step."""
    steps = -(-samples // batch)
    seconds = statistics.median(times)
    epoch = seconds * epoch_samples / samples
    flops = step_flops * epoch_samples
    print(
        f"keras {name} {seconds:8.2f} s/epoch  ({samples} samples, {steps} steps of {batch}, "
        f"{1000 * seconds / steps:.2f} ms/step, {flops / epoch / 1e9:.1f} GFLOP/s)",
        flush=True,
    )
    out.append({
        "kind": "train", "model": name, "samples": samples, "batch": batch, "steps": steps,
        "repeats": len(times), "times_s": times, "median_s": seconds, "epoch_s": epoch,
        "flops": flops, "gflops": flops / epoch / 1e9, metric[0]: metric[1],
    })


def bench(name, model, keras, x, y, test_x, test_y, batch, repeats, out, epoch_samples=EPOCH_SAMPLES):
    macs = forward_macs(model, keras)

    def epoch(n):
        history = model.fit(x[:n], y[:n], batch_size=batch, epochs=1, verbose=0)
        return history.history["accuracy"][-1]

    times, accuracy = time_epochs(len(x), batch, repeats, epoch)
    record_train(name, len(x), batch, times, 3 * 2 * macs, ("accuracy", accuracy), out, epoch_samples)

    model.evaluate(test_x[:EVAL_BATCH], test_y[:EVAL_BATCH], batch_size=EVAL_BATCH, verbose=0)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        scores = model.evaluate(test_x, test_y, batch_size=EVAL_BATCH, verbose=0, return_dict=True)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    flops = 2 * macs * len(test_x)
    print(f"keras {name} evaluate {len(test_x)} {seconds:8.2f} s  (accuracy {scores['accuracy']:.4f})", flush=True)
    out.append({
        "kind": "evaluate", "model": name, "samples": len(test_x), "batch": EVAL_BATCH,
        "repeats": repeats, "times_s": times, "median_s": seconds, "flops": flops,
        "gflops": flops / seconds / 1e9, "accuracy": scores["accuracy"],
    })


def bench_custom(name, model, keras, parts, images, batch, repeats, metric, out, epoch_samples):
    """Times epochs of a model with its own train_step on `images` (no evaluation); `parts` are
    (sub-model, forward passes of it per sample's step) for the FLOP count."""
    step_flops = sum(2 * passes * forward_macs(part, keras) for part, passes in parts)

    def epoch(n):
        history = model.fit(images[:n], batch_size=batch, epochs=1, verbose=0)
        return history.history[metric][-1]

    times, value = time_epochs(len(images), batch, repeats, epoch)
    record_train(name, len(images), batch, times, step_flops, (metric, value), out, epoch_samples)


def main():
    args = parse_args()
    tf = pin_threads(args.threads)
    import keras

    keras.utils.set_random_seed(0)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    data = load_mnist(args.data) if {"mlp", "cnn", "vae"} & set(models) else None
    imdb = load_imdb(args.data, keras) if {"lstm", "lstm-rd"} & set(models) else None
    fashion = load_mnist(args.data, "fashion-mnist") if {"vae-full", "gan"} & set(models) else None
    out = [{
        "kind": "setup", "threads": args.threads, "tensorflow": tf.__version__, "keras": keras.__version__,
        "python": platform.python_version(),
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
    }]
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, threads {args.threads}", flush=True)
    for name in models:
        if name == "mlp":
            model = mnist_mlp(keras)
            model.compile(optimizer=keras.optimizers.RMSprop(0.001),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            x, test_x = data["train_x"].reshape(-1, 784), data["test_x"].reshape(-1, 784)
            bench("mlp", model, keras, x, data["train_y"], test_x, data["test_y"], 100, args.repeats, out)
        elif name == "cnn":
            model = mnist_cnn(keras)
            model.compile(optimizer=keras.optimizers.Adam(0.001),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            n = max(10, min(args.cnn_samples, EPOCH_SAMPLES))
            x, test_x = data["train_x"][:n, :, :, None], data["test_x"][:, :, :, None]
            bench("cnn", model, keras, x, data["train_y"][:n], test_x, data["test_y"], 32, args.repeats, out)
        elif name in ("lstm", "lstm-rd"):
            model = sentiment_lstm(keras, 0.2 if name == "lstm-rd" else 0.0)
            model.compile(optimizer=keras.optimizers.Adam(0.001), loss="binary_crossentropy", metrics=["accuracy"])
            (x, y), (test_x, test_y) = imdb
            n = max(10, min(args.lstm_samples, IMDB_SAMPLES))
            bench(name, model, keras, x[:n], y[:n], test_x, test_y, 32, args.repeats, out, IMDB_SAMPLES)
        elif name == "vae":
            import numpy as np

            model = vae_decoder(keras)
            model.compile(optimizer=keras.optimizers.Adam(0.001), loss="binary_crossentropy", metrics=["accuracy"])
            n = max(10, min(args.vae_samples, EPOCH_SAMPLES))
            rng = np.random.default_rng(7)
            latent = rng.standard_normal((n, 2)).astype(np.float32)
            test_latent = rng.standard_normal((len(data["test_x"]), 2)).astype(np.float32)
            images, test_images = data["train_x"][:n, :, :, None], data["test_x"][:, :, :, None]
            bench("vae", model, keras, latent, images, test_latent, test_images, 128, args.repeats, out)
        elif name == "vae-full":
            import numpy as np

            Vae, _ = custom_step_models(keras, tf)
            encoder, decoder = vae_encoder(keras), vae_decoder(keras)
            model = Vae(encoder, decoder)
            model.compile(optimizer=keras.optimizers.Adam(0.001))
            n = max(10, min(args.vae_full_samples, FASHION_ALL))
            images = np.concatenate([fashion["train_x"], fashion["test_x"]])[:n, :, :, None]
            parts = [(encoder, 3), (decoder, 3)]
            bench_custom("vae-full", model, keras, parts, images, 128, args.repeats, "loss", out, FASHION_ALL)
        elif name == "gan":
            _, Gan = custom_step_models(keras, tf)
            generator, discriminator = gan_generator(keras), gan_discriminator(keras)
            model = Gan(generator, discriminator)
            # crate/src/models/gan_training.rs, gan_adam: β₁ = 0.5, Keras' β₂ and ε otherwise.
            model.compile(keras.optimizers.Adam(0.0002, beta_1=0.5), keras.optimizers.Adam(0.0002, beta_1=0.5))
            n = max(10, min(args.gan_samples, EPOCH_SAMPLES))
            images = fashion["train_x"][:n, :, :, None]
            # Per real image: G forward (D step), D forward + backward on a real and a drawn
            # image, G and D forward + backward (G step): 4 G + 9 D (crate/benches/epoch.rs).
            parts = [(generator, 4), (discriminator, 9)]
            bench_custom("gan", model, keras, parts, images, 64, args.repeats, "d_accuracy", out, EPOCH_SAMPLES)
        else:
            sys.exit(f"--models: unknown model '{name}' (mlp, cnn, lstm, lstm-rd, vae, vae-full, gan)")
    out[0]["jit_compile"] = bool(getattr(model, "jit_compile", False)) if models else False
    if args.json:
        args.json.write_text("".join(json.dumps(record) + "\n" for record in out))
        print(f"results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
