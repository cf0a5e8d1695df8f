"""Writes BENCHMARKS.md from the results of scripts/bench.sh (called by it; standard library only).

Inputs: the JSON lines of crate/benches/epoch.rs (--rust) and scripts/bench_keras.py
(--keras), and the --times-json files of scripts/run-notebooks.sh for the kernel
measurements (--kernel-warm, --kernel-cold, --suite), scripts/kernel_epoch.ipynb's result
(--kernel-cnn) with the release runs beside it (--kernel-cnn-release). Any of them may be missing: the
Keras columns then read "not measured" (with --keras-note saying why), and a kernel
measurement not taken this time keeps its value and date from the previous BENCHMARKS.md.
So does a model left out of this run (`--models`), at the same thread count: its rows keep
both sides' figures, with the date, commit and machine they were measured on, and say so.

An existing BENCHMARKS.md is not lost: its result tables move under "History" with the
date and commit they were measured at, its History is kept below them, and the text
between `<!-- notes -->` and `<!-- /notes -->` (remarks written by hand) is kept as is.
The raw results of the run are kept in a comment at the end of the file (`bench-data`),
which is what the next run reads.
"""

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

MODELS = {
    "mlp": "MNIST MLP 784-512-10, RMSprop, batch 100",
    "cnn": "MNIST CNN (lesson 09), Adam, batch 32",
    "lstm": "IMDB LSTM (lesson 10) without recurrent dropout, Adam, batch 32",
    "lstm-rd": "IMDB LSTM (lesson 10), recurrent dropout 0.2, Adam, batch 32",
    "vae": "VAE decoder (lesson 15) alone, 3 transposed convolutions, Adam, batch 128",
    "vae-full": "VAE (lesson 15), whole step: encode, sample, decode, BCE + 3·KL, 1 Adam step; "
    "Fashion-MNIST, batch 128",
    "gan": "GAN (lesson 16), full width: per batch of 64 one D step (64 real + 64 drawn) and one G step, "
    "Adam β₁ 0.5; Fashion-MNIST",
}
# Samples of one full epoch: 60,000 MNIST or Fashion-MNIST training images, 25,000 IMDB
# reviews; lesson 15's VAE trains on all 70,000 Fashion-MNIST images.
EPOCH_SAMPLES = {
    "mlp": 60_000, "cnn": 60_000, "lstm": 25_000, "lstm-rd": 25_000, "vae": 60_000,
    "vae-full": 70_000, "gan": 60_000,
}
KERNEL_ROWS = [
    ("cold_first_result", "kernel start → first lesson result, cold build cache"),
    ("warm_first_result", "kernel start → first lesson result, warm build cache"),
    ("trivial_cell", "a trivial cell (fastest cell of lesson 01, warm)"),
    ("lesson01", "lesson 01, whole notebook (quick profile, warm)"),
    ("cnn_epoch", "lesson 09's CNN, one training epoch in the kernel (the release build in detail)"),
    ("suite", "every lesson, quick profile (`scripts/run-notebooks.sh --profile quick`)"),
]
DATA_MARK = "<!-- bench-data:"
HISTORY_START, HISTORY_END = "<!-- history -->", "<!-- /history -->"
NOTES_START, NOTES_END = "<!-- notes -->", "<!-- /notes -->"
NO_HISTORY = "(none yet)"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rust", type=Path)
    parser.add_argument("--keras", type=Path)
    parser.add_argument("--keras-note", default="", help="why the Keras side was not measured")
    parser.add_argument("--kernel-warm", type=Path)
    parser.add_argument("--kernel-cold", type=Path)
    parser.add_argument("--suite", type=Path)
    parser.add_argument("--kernel-cnn", type=Path, help="scripts/kernel_epoch.ipynb's result")
    parser.add_argument("--kernel-cnn-release", type=Path, nargs="*", default=[],
                        help="the release benchmark's JSON lines on the same images")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--command", default="scripts/bench.sh")
    parser.add_argument("--commit", default="")
    parser.add_argument("--rustc", default="")
    return parser.parse_args()


def read_lines(path):
    """JSON lines → {("train"|"evaluate", model): record, "matmul": record, "setup": record}."""
    if not path or not path.is_file():
        return None
    out = {}
    for line in path.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            kind = record["kind"]
            out[f"{kind}:{record['model']}" if "model" in record else kind] = record
    return out


def read_json(path):
    if not path or not path.is_file():
        return None
    return json.loads(path.read_text())


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1]
                return re.sub(r"\s+", " ", re.sub(r"\((R|TM|tm)\)|\bCPU\b", "", name)).strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def candle_version(root):
    lock = root / "Cargo.lock"
    if lock.is_file():
        match = re.search(r'name = "candle-core"\nversion = "([^"]+)"', lock.read_text())
        if match:
            return match.group(1)
    return "?"


def kernel_measurements(args, date):
    """This run's kernel measurements: {key: {"seconds", "date", "detail"}}."""
    out = {}
    cold = read_json(args.kernel_cold)
    if cold and cold["notebooks"]:
        nb = cold["notebooks"][0]
        if nb["first_result_s"] is not None:
            out["cold_first_result"] = {
                "seconds": nb["first_result_s"], "date": date,
                "detail": f"{nb['notebook']}, cell {nb['first_result_cell']}; notebook {nb['seconds']:.0f} s"
                + ("" if nb["ok"] else ", the notebook FAILED"),
            }
    warm = read_json(args.kernel_warm)
    if warm and warm["notebooks"]:
        nb = warm["notebooks"][0]
        if nb["first_result_s"] is not None:
            out["warm_first_result"] = {
                "seconds": nb["first_result_s"], "date": date,
                "detail": f"{nb['notebook']}, cell {nb['first_result_cell']}; kernel ready after {nb['kernel_ready_s']:.1f} s",
            }
        # The first code cell (`:dep`) builds the crate; every later one is a candidate.
        cells = nb["cells"][1:]
        if cells:
            fastest = min(cells, key=lambda c: c["seconds"])
            out["trivial_cell"] = {
                "seconds": fastest["seconds"], "date": date,
                "detail": f"cell {fastest['cell']}: `{fastest['source'][:40]}`",
            }
        out["lesson01"] = {
            "seconds": nb["seconds"], "date": date,
            "detail": f"{len(nb['cells'])} code cells" + ("" if nb["ok"] else ", FAILED"),
        }
    cnn = kernel_cnn_epoch(args, date)
    if cnn:
        out["cnn_epoch"] = cnn
    suite = read_json(args.suite)
    if suite and suite["notebooks"]:
        failed = [nb["notebook"] for nb in suite["notebooks"] if not nb["ok"]]
        out["suite"] = {
            "seconds": sum(nb["seconds"] for nb in suite["notebooks"]), "date": date,
            "detail": f"{len(suite['notebooks'])} notebooks"
            + (f", FAILED: {', '.join(failed)}" if failed else ", all passed"),
        }
    return out


def kernel_cnn_epoch(args, date):
    """Lesson 09's CNN epoch in the kernel against the release runs on the same images."""
    kernel = read_lines(args.kernel_cnn)
    record = (kernel or {}).get("kernel-train:cnn")
    if not record:
        return None
    release = []
    for path in args.kernel_cnn_release:
        train = (read_lines(path) or {}).get("train:cnn")
        if train and train.get("samples") == record["samples"]:
            release.append(train)
    detail = f"{record['samples']:,} images, median of {record['repeats']}"
    if release:
        times = sorted(t for r in release for t in r["times_s"])
        median = times[len(times) // 2]
        runs = ", ".join(f"{r['median_s']:.2f}" for r in release)
        detail += (f"; release build {median:.2f} s (median of {len(times)} epochs in the runs "
                   f"before and after: {runs}), kernel / release **{record['median_s'] / median:.2f}×**")
    else:
        detail += "; the release build was not measured"
    return {"seconds": record["median_s"], "date": date, "detail": detail}


def previous(path):
    """(data, history text, notes text, the old file if it had no data) of an existing file."""
    if not path.is_file():
        return None, "", "", ""
    text = path.read_text()
    data = None
    if DATA_MARK in text:
        raw = text.split(DATA_MARK, 1)[1].split("-->", 1)[0]
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            data = None
    history = between(text, HISTORY_START, HISTORY_END)
    if history.strip() == NO_HISTORY:
        history = ""
    notes = between(text, NOTES_START, NOTES_END)
    return data, history, notes, ("" if data else text)


def between(text, start, end):
    if start in text and end in text.split(start, 1)[1]:
        return text.split(start, 1)[1].split(end, 1)[0].strip("\n")
    return ""


def fmt(value, digits=2):
    return "—" if value is None else f"{value:.{digits}f}"


def rate(record, peak):
    """'GFLOP/s (x% of the matmul peak)' of a record."""
    if not record:
        return "not measured"
    gflops = record["gflops"]
    share = f" ({100 * gflops / peak:.0f}%)" if peak else ""
    return f"{gflops:.1f}{share}"


def keep_unmeasured(rust, keras, prev, threads):
    """Copies into this run's results (dicts, changed in place) the records of every model
    this run left out, from the previous run at the same thread count; each copy carries
    `kept`: the date, commit, machine and matmul peak it was measured with."""
    if not prev or prev.get("machine", {}).get("threads") != threads:
        return
    measured = {key.split(":", 1)[1] for side in (rust, keras) for key in side if ":" in key}
    old_rust, old_keras = prev.get("rust") or {}, prev.get("keras") or {}
    origin = {
        "date": prev["date"], "commit": prev.get("commit") or "?", "machine_text": prev["machine_text"],
        "peak": (old_rust.get("matmul") or {}).get("gflops"),
    }
    for model in MODELS:
        if model in measured:
            continue
        for old, new in ((old_rust, rust), (old_keras, keras)):
            for kind in ("train", "evaluate"):
                record = old.get(f"{kind}:{model}")
                if record:
                    new[f"{kind}:{model}"] = {**record, "kept": record.get("kept") or origin}


def provenance(records, run_date, run_machine, run_peak, notes):
    """(date, machine, peak, footnote mark) of a row: this run's, or the earlier run's it was
    kept from (then with a footnote saying so)."""
    kept = next((r["kept"] for r in records if r and r.get("kept")), None)
    if not kept:
        return run_date, run_machine, run_peak, ""
    note = f"not measured in this run: kept from the run of {kept['date']}, commit `{kept['commit']}`."
    mark = notes.setdefault(note, "¹²³⁴⁵⁶⁷⁸⁹"[len(notes) % 9])
    return kept["date"].split(" ")[0], kept["machine_text"], kept["peak"], f" {mark}"


def results_tables(data):
    """The training and evaluation tables of one run's data."""
    rust, keras = data.get("rust") or {}, data.get("keras") or {}
    run_peak = (rust.get("matmul") or {}).get("gflops")
    keras_missing = "not measured"
    run_machine, run_date = data["machine_text"], data["date"].split(" ")[0]
    lines = [
        "| model | Keras s/epoch | dlcourse s/epoch | dlcourse / Keras | dlcourse GFLOP/s (% of matmul peak) "
        "| Keras GFLOP/s (% of matmul peak) | date | machine |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    notes = {}  # footnote text → its mark, numbered in order of first use
    for key, label in MODELS.items():
        r, k = rust.get(f"train:{key}"), keras.get(f"train:{key}")
        if not r and not k:
            continue
        date, machine, peak, kept_mark = provenance((r, k), run_date, run_machine, run_peak, notes)
        label += kept_mark
        r_s = r["epoch_s"] if r else None
        k_s = k["epoch_s"] if k else None
        ratio = f"{r_s / k_s:.2f}×" if r_s and k_s else "—"
        full = EPOCH_SAMPLES[key]
        partial = sorted({x["samples"] for x in (r, k) if x and x["samples"] < full})
        if partial:
            counts = " or ".join(f"{n:,}" for n in partial)
            note = f"timed on the first {counts} samples, scaled to a full epoch ({full:,})."
            mark = notes.setdefault(note, "¹²³⁴⁵⁶⁷⁸⁹"[len(notes) % 9])
            label += f" {mark}"
        lines.append(
            f"| {label} | {fmt(k_s) if k else keras_missing} | {fmt(r_s) if r else 'not measured'} | {ratio} "
            f"| {rate(r, peak)} | {rate(k, peak)} | {date} | {machine} |"
        )
    lines += [""] + [f"{mark} {note}" for note, mark in notes.items()] if notes else []
    notes = {}
    evaluated = [key for key in MODELS if rust.get(f"evaluate:{key}") or keras.get(f"evaluate:{key}")]
    lines += [] if not evaluated else [
        "",
        "Evaluation over the 10,000 MNIST test images (the LSTMs: 5,000 IMDB test reviews), in batches of "
        "1,000 (seconds per pass):",
        "",
        "| model | Keras s | dlcourse s | dlcourse / Keras | dlcourse GFLOP/s (% of matmul peak) "
        "| Keras GFLOP/s (% of matmul peak) | date | machine |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for key in evaluated:
        r, k = rust.get(f"evaluate:{key}"), keras.get(f"evaluate:{key}")
        date, machine, peak, kept_mark = provenance((r, k), run_date, run_machine, run_peak, notes)
        label = MODELS[key].split(",")[0] + kept_mark
        ratio = f"{r['median_s'] / k['median_s']:.2f}×" if r and k else "—"
        lines.append(
            f"| {label} | {fmt(k['median_s']) if k else keras_missing} "
            f"| {fmt(r['median_s']) if r else 'not measured'} | {ratio} | {rate(r, peak)} | {rate(k, peak)} "
            f"| {date} | {machine} |"
        )
    lines += [""] + [f"{mark} {note}" for note, mark in notes.items()] if notes else []
    matmul = rust.get("matmul")
    if matmul:
        lines += [
            "",
            f"Matrix-multiply peak: **{matmul['gflops']:.1f} GFLOP/s** — an f32 {matmul['n']}×{matmul['n']} "
            f"matmul through Candle, median of {matmul['repeats']} ({matmul['median_s'] * 1000:.0f} ms each).",
        ]
    return "\n".join(lines)


def kernel_table(kernel, date):
    """The kernel rows; a value kept from an earlier run says so."""
    lines = [
        "| measurement | seconds | date | detail |",
        "|---|---:|---|---|",
    ]
    for key, label in KERNEL_ROWS:
        entry = kernel.get(key)
        if entry:
            earlier = "" if entry["date"] == date else f" (kept from the run of {entry['date']})"
            lines.append(
                f"| {label} | {entry['seconds']:.1f} | {entry['date'].split(' ')[0]} | {entry['detail']}{earlier} |"
            )
        else:
            how = {
                "cold_first_result": "`scripts/bench.sh --cold-kernel` measures it",
                "suite": "`scripts/bench.sh --suite` measures it",
            }.get(key, "`scripts/bench.sh` measures it once `scripts/setup.sh` has set up the kernel")
            lines.append(f"| {label} | not measured | | {how} |")
    return "\n".join(lines)


def main():
    args = parse_args()
    root = Path(__file__).resolve().parent.parent
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rust, keras = read_lines(args.rust), read_lines(args.keras)
    if rust is None and keras is None:
        sys.exit("bench_report: neither the dlcourse nor the Keras results exist; nothing to write")
    machine = {"cpu": cpu_model(), "cores": cores(), "threads": args.threads}
    plural = "" if args.threads == 1 else "s"
    machine_text = f"{machine['cpu']}, {machine['cores']} cores, {args.threads} thread{plural}"
    prev, history, notes, old_text = previous(args.out)

    keras_ran = keras is not None
    rust, keras = rust or {}, keras or {}
    keep_unmeasured(rust, keras, prev, args.threads)
    kernel = dict((prev or {}).get("kernel", {}))
    kernel.update(kernel_measurements(args, date))
    keras_setup = keras.get("setup", {})
    data = {
        "date": date, "commit": args.commit, "command": args.command, "machine": machine,
        "machine_text": machine_text, "rustc": args.rustc, "candle": candle_version(root),
        "tensorflow": keras_setup.get("tensorflow"), "keras_version": keras_setup.get("keras"),
        "keras_note": "" if keras_ran else args.keras_note,
        "rust": rust, "keras": keras, "kernel": kernel,
    }

    if prev:
        entry = f"### {prev['date']}, commit {prev.get('commit') or '?'}\n\n{results_tables(prev)}"
        history = entry + ("\n\n" + history if history else "")
    elif old_text:
        demoted = re.sub(r"^(#+)", r"\1##", old_text.strip(), flags=re.MULTILINE)
        history = f"### Before {date} (the earlier BENCHMARKS.md)\n\n{demoted}" + ("\n\n" + history if history else "")

    versions = f"Candle {data['candle']}" + (f", {args.rustc}" if args.rustc else "")
    if keras_ran:
        versions += f"; TensorFlow {data['tensorflow']} (tensorflow-cpu), Keras {data['keras_version']}"
    keras_line = ""
    if not keras_ran:
        keras_line = f"\n**Keras: not measured** — {args.keras_note or 'no Keras results'}.\n"
    text = f"""# Benchmarks

Written by `scripts/bench.sh` — do not edit the tables by hand: every run rewrites this file and moves
the previous results under [History](#history). Remarks between the `notes` markers are kept.

Last run: {date}, commit `{args.commit or '?'}`, `{args.command}`.
Machine: {machine_text}. {versions}.
{keras_line}
## Training: one epoch (60,000 MNIST training images; 25,000 IMDB reviews for the LSTMs; 70,000 Fashion-MNIST images for the whole VAE, 60,000 for the GAN)

{results_tables(data)}

## Notebook kernel (evcxr)

{kernel_table(kernel, date)}

## How it is measured

- The same model, batch size, optimiser and data on both sides: real MNIST from the data directory,
  pixels scaled to [0, 1], sparse categorical cross-entropy, accuracy as the metric. dlcourse runs
  `cargo bench -p dlcourse --bench epoch` (release build, `crate/benches/epoch.rs`); Keras runs
  `scripts/bench_keras.py` (TensorFlow's CPU build, the CNN channels-last, Keras' defaults otherwise).
- The whole VAE and the GAN train with their own step: in dlcourse `Vae::fit` and `Gan::fit`, in
  Keras a `keras.Model` subclass whose `train_step` uses `tf.GradientTape` (as the Keras examples do),
  on real Fashion-MNIST. The VAE, per batch of 128: encode, sample z = μ + exp(½ log σ²)·ε, decode,
  binary cross-entropy summed over the pixels + 3 × KL, one Adam step. The GAN, per batch of 64 real
  images: one discriminator step on the 64 real and 64 generated images (one batch of 128), then one
  generator step on 64 fresh generated images, through both halves; Adam 0.0002 with β₁ = 0.5 for
  each half. They are not evaluated.
- Per model: one warm-up epoch on the first 10% of the training images, then a number of timed
  epochs (each a separate `fit` call); the median is reported. Evaluation: one warm-up on 1,000
  images, then timed passes over all 10,000, median.
- Both sides use the same number of threads: `RAYON_NUM_THREADS` (Candle) and TensorFlow's intra-
  and inter-op thread pools; below the core count both run under `taskset` on the same cores.
- FLOPs are counted from the architecture: a forward pass costs 2 FLOPs per multiply-add of its
  Dense and Conv2D layers, a training step about 3 forward passes (the backward pass computes the
  gradients of the inputs and of the weights). Bias, activations, pooling, dropout, the loss and the
  optimiser are left out. The whole VAE: 3 forward passes of encoder and decoder per image. The GAN,
  per real image: 4 forward passes' worth of the generator (1 to draw the discriminator's fakes, 3
  in its own step) and 9 of the discriminator (3 for each of the real and the drawn image of its
  step, 3 in the generator's step; that step needs only its input gradients, so a framework that
  skips its weight gradients does 8). GFLOP/s = FLOPs / median seconds; the percentage compares it with the
  matrix-multiply peak above — how much of what the machine can do a model actually gets.
- The kernel rows run lesson 01 (quick profile) through the real kernel with
  `scripts/run-notebooks.sh --times-json`: from the kernel's launch to the end of the first cell that
  shows a result. Warm: after one priming run of the same notebook. Cold: with `DLCOURSE_CACHE` and
  `XDG_CACHE_HOME` (evcxr's own cache) in an empty temporary folder, so Candle and every other
  dependency is compiled again (crate downloads are reused).
- Lesson 09's CNN in the kernel: `scripts/kernel_epoch.ipynb` through the same kernel, timed as the
  release benchmark times it (one warm-up epoch on a tenth of the images, then the median of the
  repeats), between two release runs of `cargo bench -p dlcourse --bench epoch` on the same images
  (`--kernel-samples`); the ratio compares the kernel with all the release epochs.

## Notes

{NOTES_START}
{notes}
{NOTES_END}

## History

{HISTORY_START}
{history or NO_HISTORY}
{HISTORY_END}

{DATA_MARK} {json.dumps(data, separators=(',', ':'))} -->
"""
    text = re.sub(r"\n{3,}", "\n\n", text)
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
