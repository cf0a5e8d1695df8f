#!/usr/bin/env bash
# Starts the evcxr kernel for the course (Jupyter runs this through the kernel spec).
#
# evcxr compiles every dependency in a fresh temporary directory unless EVCXR_TMPDIR
# names one. We give each kernel a persistent build slot in the per-user cache, so
# Candle, polars, plotters and image are compiled once per machine and reused by every
# later kernel, notebook, clone and CI run. A slot is held with an exclusive lock for
# the kernel's whole life (the lock's file descriptor is inherited by evcxr), so two
# kernels never build in the same directory: a second kernel takes the next free slot,
# which evcxr's own compilation cache (`:cache` in init.evcxr) fills in well under a
# minute instead of recompiling everything.
#
# The notebooks link the crate as a shared library (crate/notebook, the package
# dlcourse-notebook): evcxr links every dependency into each cell's library, and cells
# must share one copy of Candle's global state (the tensor-id counter), or a model built in one cell and trained in another
# gets the gradients of other tensors. (evcxr's own `:allow_static_linking 0` does not
# work with this toolchain: core ships as a metadata stub.)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Slots are keyed by the compiler, the evcxr version and the evcxr settings that change
# how dependencies are compiled (init.evcxr): artifacts built otherwise are useless, and
# cargo's own fingerprints handle every dependency change within a key.
# Dependencies (Candle above all) are optimised fully and built without debug
# assertions or overflow checks (they cost 35-40% of a training epoch); the cells
# themselves compile at the opt-level set in init.evcxr. Cargo finds this file above
# every slot directory.
dependency_profile='[profile.dev.package."*"]
opt-level = 3
debug = false
debug-assertions = false
overflow-checks = false

# The course crate and its notebook package stay incremental, as cargo builds path
# dependencies: the evcxr compilation cache (`:cache` in init.evcxr) wraps rustc and keys
# a compiled crate by its command line alone, not its sources; it leaves incremental crates
# alone for that reason. Built non-incrementally, an edited course crate got the cached
# copy of an older build, and the notebooks ran old code. Measured on the CNN of lesson 09
# (3,200 images, median of 5 epochs): incremental with 16 codegen units 5.64 s per epoch,
# the release build 5.45 s.
[profile.dev.package.dlcourse]
incremental = true
codegen-units = 16

[profile.dev.package.dlcourse-notebook]
incremental = true'
key="$( (rustc -vV; echo "evcxr $EVCXR_VERSION"; cat "$ROOT/scripts/evcxr/init.evcxr"; echo "$dependency_profile") | sha256sum | cut -c1-16)"
base="$DLCOURSE_CACHE/evcxr/$key"
mkdir -p "$base/.cargo"
printf '%s\n' "$dependency_profile" > "$base/.cargo/config.toml"

slot=""
for i in 0 1 2 3 4 5 6 7; do
  exec 9>"$base/slot-$i.lock"
  if flock -n 9; then slot="$base/slot-$i"; break; fi
  exec 9>&-
done
if [ -z "$slot" ]; then
  say "all 8 build slots are in use; waiting for slot 0"
  exec 9>"$base/slot-0.lock"
  flock 9
  slot="$base/slot-0"
fi
mkdir -p "$slot"
# Build with exactly the dependency versions the repository tests (its Cargo.lock).
cp "$ROOT/Cargo.lock" "$slot/Cargo.lock"

# evcxr links each cell against the toolchain's libstd with a relative RUNPATH, then
# moves the library one folder up; under a home-relative cache that path no longer
# resolves ("dlopen failed"). Naming the toolchain's library folder fixes the lookup.
sysroot="$(rustc --print sysroot)"
host="$(rustc -vV | sed -n 's/^host: //p')"
export LD_LIBRARY_PATH="$sysroot/lib/rustlib/$host/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export EVCXR_TMPDIR="$slot"
export EVCXR_CONFIG_DIR="$ROOT/scripts/evcxr"
# The project root whose data/ the loaders search (a caller may name another, e.g. an empty one).
export DLCOURSE_ROOT="${DLCOURSE_ROOT:-$ROOT}"
# Cells run from the notebooks folder wherever Jupyter was started, so the first cell's
# `:dep dlcourse = { package = "dlcourse-notebook", path = "../crate/notebook" }` always
# finds the crate.
cd "$ROOT/notebooks"
exec evcxr_jupyter "$@"
