#!/usr/bin/env bash
# Benchmarks dlcourse against Keras on TensorFlow-CPU and writes BENCHMARKS.md.
#
#   scripts/bench.sh [--threads N] [--repeats N] [--models LIST] [--cnn-samples N]
#                    [--lstm-samples N] [--vae-samples N] [--vae-full-samples N] [--gan-samples N]
#                    [--kernel-samples N] [--no-keras] [--no-kernel] [--suite] [--cold-kernel]
#                    [--all] [--out FILE]
#
# Times one training epoch (after a warm-up) of the MNIST MLP (784-512-10, batch 100,
# RMSprop), the lesson-09 CNN (batch 32, Adam), lesson 10's IMDB LSTM with and without
# recurrent dropout (batch 32, Adam) and lesson 15's VAE decoder alone (three transposed
# convolutions, batch 128, Adam), and evaluation; and on Fashion-MNIST lesson 15's whole VAE
# (encode, sample, decode, one Adam step per batch of 128) and lesson 16's GAN (one
# discriminator and one generator step per batch of 64), each trained by its own step; in
# dlcourse (cargo bench, release build) and in Keras (scripts/bench_keras.py), on the same
# data files and the same number of threads; the median of --repeats epochs.
# Also measures Candle's f32 matmul GFLOP/s, the evcxr kernel's latency on lesson 01, and
# lesson 09's CNN trained inside the kernel against the release build on the same images.
#
#   --threads N      threads for both sides (default: the cores this process may use)
#   --repeats N      timed epochs and evaluations per model (default: $BENCH_REPEATS, else 3)
#   --models LIST    which models, comma-separated (default mlp,cnn,lstm,lstm-rd,vae,vae-full,gan);
#                    the rows of the others keep their last figures (at the same --threads),
#                    marked with the run they come from
#   --cnn-samples N  time the CNN on the first N training images, scaled to a full epoch
#                    (quick checks only; default 60000)
#   --lstm-samples N the same for the LSTMs and the 25,000 training reviews
#   --vae-samples N  the same for the VAE decoder (default 60000)
#   --vae-full-samples N  the same for the whole VAE and its 70,000 images (default 70000;
#                    a full epoch takes minutes per repeat, so quick runs use a few thousand)
#   --gan-samples N  the same for the GAN and its 60,000 images (default 60000; a full epoch
#                    takes 10-20 minutes per repeat on 2 threads)
#   --kernel-samples N  images of the CNN epoch timed in the kernel and, alternately, in the
#                    release build (default 3200: 100 steps)
#   --no-keras       skip Keras (its columns read "not measured")
#   --no-kernel      skip the kernel measurements (lesson 01 run twice, and the CNN epoch in
#                    the kernel: 5 minutes, or 15-30 more when the kernel's build cache must
#                    be filled first)
#   --suite          also time every lesson in the quick profile (several minutes)
#   --cold-kernel    also time lesson 01 with an empty build cache (15-30 minutes on 2 cores)
#   --all            --suite and --cold-kernel
#   --out FILE       where to write the report (default: BENCHMARKS.md)
#
# Keras needs tensorflow-cpu (scripts/bench-requirements.txt); the script installs it into
# .venv when it is missing, and goes on without Keras when that fails. Raw results and logs
# are kept in target/bench/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

cores="$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
threads="$cores"
repeats="${BENCH_REPEATS:-3}"
cnn_samples=60000
lstm_samples=25000
vae_samples=60000
vae_full_samples=70000
gan_samples=60000
kernel_samples=3200
models="mlp,cnn,lstm,lstm-rd,vae,vae-full,gan"
keras=1 kernel=1 suite=0 cold=0
out="$ROOT/BENCHMARKS.md"
command_line="scripts/bench.sh${*:+ $*}"
number() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive whole number, not '$2'"; printf '%s' "$2"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$(number "$1" "${2:-}")"; shift 2 ;;
    --repeats) repeats="$(number "$1" "${2:-}")"; shift 2 ;;
    --cnn-samples) cnn_samples="$(number "$1" "${2:-}")"; shift 2 ;;
    --lstm-samples) lstm_samples="$(number "$1" "${2:-}")"; shift 2 ;;
    --vae-samples) vae_samples="$(number "$1" "${2:-}")"; shift 2 ;;
    --vae-full-samples) vae_full_samples="$(number "$1" "${2:-}")"; shift 2 ;;
    --gan-samples) gan_samples="$(number "$1" "${2:-}")"; shift 2 ;;
    --kernel-samples) kernel_samples="$(number "$1" "${2:-}")"; shift 2 ;;
    --models) models="${2:?--models needs a list}"; shift 2 ;;
    --no-keras) keras=0; shift ;;
    --no-kernel) kernel=0; shift ;;
    --suite) suite=1; shift ;;
    --cold-kernel) cold=1; shift ;;
    --all) suite=1; cold=1; shift ;;
    --out) out="${2:?--out needs a file}"; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[ "$threads" -le "$cores" ] || die "--threads $threads: this machine lets us use $cores cores"

work="$ROOT/target/bench"
mkdir -p "$work"
rm -f "$work"/*.jsonl "$work"/*.json
DLCOURSE_DATA="$(default_data_dir)"
export DLCOURSE_DATA
# Candle (rayon, and its own pool) and TensorFlow get the same thread count; below the
# core count, both also run on the same cores.
export RAYON_NUM_THREADS="$threads" CANDLE_NUM_THREADS="$threads"
pin=()
if [ "$threads" -lt "$cores" ] && command -v taskset >/dev/null; then
  pin=(taskset -c "0-$((threads - 1))")
fi
start=$SECONDS
say "benchmark: $threads thread(s) of $cores cores, $repeats repeat(s), data $DLCOURSE_DATA"

# 1. dlcourse, release build.
say "dlcourse: building the benchmark (release)"
(cd "$ROOT" && cargo bench -p dlcourse --bench epoch --no-run) \
  || die "the benchmark does not build (cargo bench -p dlcourse --bench epoch)"
say "dlcourse: timing (the CNN takes a few minutes)"
if ! (cd "$ROOT" && BENCH_JSON="$work/rust.jsonl" BENCH_REPEATS="$repeats" BENCH_CNN_SAMPLES="$cnn_samples" \
    BENCH_LSTM_SAMPLES="$lstm_samples" BENCH_VAE_SAMPLES="$vae_samples" \
    BENCH_VAE_FULL_SAMPLES="$vae_full_samples" BENCH_GAN_SAMPLES="$gan_samples" BENCH_MODELS="$models" \
    ${pin[@]+"${pin[@]}"} cargo bench -p dlcourse --bench epoch) 2>&1 | tee "$work/rust.log" \
    || [ ! -s "$work/rust.jsonl" ]; then
  die "the dlcourse benchmark failed (see target/bench/rust.log)"
fi

# 2. Keras, when TensorFlow can be installed.
keras_note=""
# The Fashion-MNIST files are needed too when the whole VAE or the GAN is timed.
sets=(mnist)
case ",$models," in *,vae-full,*|*,gan,*) sets+=(fashion-mnist) ;; esac
mnist_dir() {
  local d s found
  for d in "$DLCOURSE_DATA" "$ROOT/data" "$DLCOURSE_CACHE/data"; do
    found=1
    for s in "${sets[@]}"; do
      [ -f "$d/$s/train-images-idx3-ubyte.gz" ] && [ -f "$d/$s/t10k-labels-idx1-ubyte.gz" ] || found=0
    done
    if [ "$found" = 1 ]; then
      printf '%s\n' "$d"; return 0
    fi
  done
  return 1
}
tensorflow_ready() {
  "$VENV/bin/python" - "$ROOT/scripts/bench-requirements.txt" <<'PY' 2>/dev/null
import importlib.metadata as m, re, sys
for line in open(sys.argv[1]):
    pin = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
    if pin and m.version(pin.group(1)) != pin.group(2):
        sys.exit(1)
PY
}
if [ "$keras" = 0 ]; then
  keras_note="skipped with --no-keras"
elif ! data_dir="$(mnist_dir)"; then
  keras_note="no ${sets[*]} files found in $DLCOURSE_DATA, $ROOT/data or $DLCOURSE_CACHE/data"
else
  if [ ! -x "$VENV/bin/python" ]; then
    say "Keras: creating .venv"
    python3 -m venv "$VENV" || keras_note="python3 -m venv failed (Debian: apt-get install python3-venv)"
  fi
  if [ -z "$keras_note" ] && ! tensorflow_ready; then
    say "Keras: installing $(grep -v '^#' "$ROOT/scripts/bench-requirements.txt" | xargs) into .venv (about 600 MB, once)"
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$ROOT/scripts/bench-requirements.txt" -c "$ROOT/scripts/constraints.txt" >"$work/pip.log" 2>&1; then
      keras_note="tensorflow-cpu could not be installed into .venv (see target/bench/pip.log)"
      say "Keras: $keras_note; going on without it"
    fi
  fi
  if [ -z "$keras_note" ]; then
    say "Keras: timing (TensorFlow CPU)"
    if ! ${pin[@]+"${pin[@]}"} "$VENV/bin/python" "$ROOT/scripts/bench_keras.py" --data "$data_dir" \
        --threads "$threads" --repeats "$repeats" --cnn-samples "$cnn_samples" \
        --lstm-samples "$lstm_samples" --vae-samples "$vae_samples" \
        --vae-full-samples "$vae_full_samples" --gan-samples "$gan_samples" --models "$models" \
        --json "$work/keras.jsonl" 2>&1 | tee "$work/keras.log" \
        | { grep -v -e '^I0000 ' -e '^WARNING: All log messages before absl' || true; }; then
      keras_note="the Keras benchmark failed (see target/bench/keras.log)"
      say "Keras: $keras_note"
    fi
  fi
fi

# 3. The notebook kernel.
lesson="$ROOT/notebooks/01-hello-world-regression.ipynb"
kernel_ready() { [ -f "$VENV/share/jupyter/kernels/$KERNEL_NAME/kernel.json" ] && command -v evcxr_jupyter >/dev/null; }
run_lesson() { # times-json-path [notebook...]: runs through the kernel, never fails the benchmark
  local times="$1"; shift
  ${pin[@]+"${pin[@]}"} "$ROOT/scripts/run-notebooks.sh" --profile quick --times-json "$times" "$@" || say "some notebook failed (the table says which)"
}
if [ $((kernel + suite + cold)) -gt 0 ] && ! kernel_ready; then
  say "kernel: not set up (run scripts/setup.sh); the kernel rows are not measured this time"
  kernel=0 suite=0 cold=0
fi
if [ "$cold" = 1 ]; then
  cache="$(mktemp -d "${TMPDIR:-/tmp}/dlcourse-cold.XXXXXX")"
  say "kernel: lesson 01 with an empty build cache in $cache (15-30 minutes)"
  # evcxr's own compilation cache lives in $XDG_CACHE_HOME/evcxr: empty too.
  DLCOURSE_CACHE="$cache/dlcourse" XDG_CACHE_HOME="$cache/xdg" run_lesson "$work/kernel-cold.json" "$lesson"
  rm -rf "$cache"
fi
if [ "$kernel" = 1 ]; then
  say "kernel: lesson 01 once to warm the cache, then timed"
  run_lesson "$work/kernel-prime.json" "$lesson"
  run_lesson "$work/kernel-warm.json" "$lesson"
  # Lesson 09's CNN in the kernel, between two release runs on the same images (the
  # host's speed drifts; the kernel is compared with both).
  release_cnn() { # run number: the release benchmark's CNN alone on the same images
    (cd "$ROOT" && BENCH_JSON="$work/kernel-cnn-release-$1.jsonl" BENCH_REPEATS="$repeats" \
      BENCH_CNN_SAMPLES="$kernel_samples" BENCH_MODELS=cnn BENCH_EVALUATE=0 \
      ${pin[@]+"${pin[@]}"} cargo bench -p dlcourse --bench epoch) >>"$work/kernel-cnn-release.log" 2>&1 \
      || say "the release CNN run failed (see target/bench/kernel-cnn-release.log)"
  }
  say "kernel: lesson 09's CNN on $kernel_samples images, release build / kernel / release build"
  release_cnn 1
  BENCH_CNN_SAMPLES="$kernel_samples" BENCH_REPEATS="$repeats" BENCH_KERNEL_JSON="$work/kernel-cnn.json" \
    run_lesson "$work/kernel-cnn-times.json" "$ROOT/scripts/kernel_epoch.ipynb"
  release_cnn 2
fi
if [ "$suite" = 1 ]; then
  say "kernel: every lesson, quick profile"
  run_lesson "$work/suite.json"
fi

# 4. The report.
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
[ -z "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit+changes"
python3 "$ROOT/scripts/bench_report.py" --out "$out" --threads "$threads" --command "$command_line" \
  --commit "$commit" --rustc "$(rustc -V 2>/dev/null || true)" --rust "$work/rust.jsonl" \
  --keras "$work/keras.jsonl" --keras-note "$keras_note" --kernel-warm "$work/kernel-warm.json" \
  --kernel-cold "$work/kernel-cold.json" --suite "$work/suite.json" --kernel-cnn "$work/kernel-cnn.json" \
  --kernel-cnn-release "$work/kernel-cnn-release-1.jsonl" "$work/kernel-cnn-release-2.jsonl"
say "benchmark: done in $((SECONDS - start)) s; results in ${out#"$ROOT"/}, raw data in target/bench/"
