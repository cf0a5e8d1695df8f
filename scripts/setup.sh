#!/usr/bin/env bash
# Sets up everything the notebooks need, idempotently, on a machine with only the Rust
# toolchain and Python 3: the Jupyter tooling in .venv (pinned), evcxr_jupyter (pinned,
# cargo install --locked), and the "Rust (dlcourse)" kernel registered inside .venv.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

source "$(dirname "${BASH_SOURCE[0]}")/preflight.sh"
preflight

# 1. Jupyter tooling, pinned, in a project-local virtual environment.
stamp="$VENV/.dlcourse-requirements"
want="$(cat "$ROOT/scripts/requirements.txt" "$ROOT/scripts/constraints.txt" | sha256sum | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  say "Jupyter tooling: already installed in .venv"
else
  say "Jupyter tooling: installing into .venv (pinned versions, about a minute)"
  start=$SECONDS
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" || die "python3 -m venv failed: install the venv module (Debian: apt-get install python3-venv)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$ROOT/scripts/requirements.txt" -c "$ROOT/scripts/constraints.txt"
  printf '%s\n' "$want" > "$stamp"
  say "Jupyter tooling: installed in $((SECONDS - start)) s"
fi

# 2. The evcxr Jupyter kernel, at the pinned version.
have="$(cargo install --list 2>/dev/null | sed -n 's/^evcxr_jupyter v\([0-9.]*\):$/\1/p')"
if [ "$have" = "$EVCXR_VERSION" ] && command -v evcxr_jupyter >/dev/null; then
  say "evcxr_jupyter $EVCXR_VERSION: already installed"
else
  say "evcxr_jupyter: installing $EVCXR_VERSION with cargo install --locked (about 10 minutes on 2 cores)"
  start=$SECONDS
  cargo install --locked --quiet evcxr_jupyter --version "$EVCXR_VERSION"
  say "evcxr_jupyter: installed in $((SECONDS - start)) s"
fi

# 3. The kernel spec, inside .venv so it belongs to this checkout: it starts
#    scripts/kernel.sh, which picks a persistent build slot and starts evcxr.
spec="$VENV/share/jupyter/kernels/$KERNEL_NAME"
mkdir -p "$spec"
"$VENV/bin/python" - "$spec/kernel.json" "$ROOT/scripts/kernel.sh" <<'PY'
import json, sys
path, launcher = sys.argv[1], sys.argv[2]
json.dump({
    "argv": [launcher, "--control_file", "{connection_file}"],
    "display_name": "Rust (dlcourse)",
    "language": "rust",
    "interrupt_mode": "signal",
}, open(path, "w"), indent=2)
PY
say "kernel: registered \"Rust (dlcourse)\" ($spec)"
say "evcxr configuration: $ROOT/scripts/evcxr (init.evcxr), build cache: $DLCOURSE_CACHE/evcxr"
say "ready: run the lessons with scripts/run-notebooks.sh, or open them with: .venv/bin/jupyter lab notebooks/"
