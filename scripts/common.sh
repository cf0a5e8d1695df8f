# Shared settings of the course scripts (sourced, not run).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
EVCXR_VERSION="0.22.0"
KERNEL_NAME="dlcourse-rust"
# Per-user cache shared by every clone: evcxr build slots live here.
DLCOURSE_CACHE="${DLCOURSE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dlcourse}"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m[dlcourse]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[dlcourse] error:\033[0m %s\n' "$*" >&2; exit 1; }

# The data directory handed to the kernel and the tests: DLCOURSE_DATA if set, else the
# shared folder next to the checkout when it exists (CI), else the project's data/.
default_data_dir() {
  if [ -n "${DLCOURSE_DATA:-}" ]; then
    printf '%s\n' "$DLCOURSE_DATA"
  elif [ -d "$ROOT/../shared/data" ]; then
    (cd "$ROOT/../shared/data" && pwd)
  else
    printf '%s\n' "$ROOT/data"
  fi
}
