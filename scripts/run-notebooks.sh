#!/usr/bin/env bash
# Executes the lessons headlessly through the real evcxr kernel.
#
#   scripts/run-notebooks.sh [--profile quick|full] [--timeout SECONDS] [--cell-times]
#                            [--times-json PATH] [--require-pictures] [NOTEBOOK...]
#
# With no NOTEBOOK, runs every notebooks/*.ipynb in order. Executed copies (outputs and
# pictures included) go to target/notebooks/; the sources are never modified.
# --timeout is each cell's limit (default: 3600 s quick, 14400 s full; a notebook's is
# 5400 s quick, twice the cell limit full).
# --cell-times prints each code cell's seconds; --times-json writes every notebook's
# timings (kernel start-up, first result, each cell) as JSON to PATH. The
# profile (default: $DLCOURSE_PROFILE, else full) and the data directory
# ($DLCOURSE_DATA, else ../shared/data when present, else data/) are passed to the kernel.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

profile="${DLCOURSE_PROFILE:-full}"
cell_timeout=""
extra=()
notebooks=()
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="${2:?--profile needs quick or full}"; shift 2 ;;
    --profile=*) profile="${1#*=}"; shift ;;
    --timeout) cell_timeout="${2:?--timeout needs seconds}"; shift 2 ;;
    --cell-times|--require-pictures) extra+=("$1"); shift ;;
    --times-json) extra+=("$1" "${2:?--times-json needs a path}"); shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) notebooks+=("$1"); shift ;;
  esac
done
case "$profile" in quick|full) ;; *) die "--profile must be quick or full, not '$profile'" ;; esac
# A cell's time limit (a guard against a hung kernel): an hour in the quick profile; four in
# the full one, whose longest cell (lesson 10's 15 LSTM epochs) takes most of an hour on two
# busy cores.
if [ -z "$cell_timeout" ]; then
  if [ "$profile" = quick ]; then cell_timeout=3600; else cell_timeout=14400; fi
fi
# A whole notebook's limit: 90 minutes quick (CI's), twice the cell limit full.
if [ "$profile" = quick ]; then notebook_timeout=5400; else notebook_timeout=$((2 * cell_timeout)); fi
if [ ${#notebooks[@]} -eq 0 ]; then
  notebooks=("$ROOT"/notebooks/*.ipynb)
fi
for nb in "${notebooks[@]}"; do [ -f "$nb" ] || die "no notebook at $nb"; done
[ -x "$VENV/bin/python" ] && [ -f "$VENV/share/jupyter/kernels/$KERNEL_NAME/kernel.json" ] \
  || die "the kernel is not set up: run scripts/setup.sh first"

export DLCOURSE_PROFILE="$profile"
DLCOURSE_DATA="$(default_data_dir)"
export DLCOURSE_DATA
export JUPYTER_PATH="$VENV/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
say "profile $DLCOURSE_PROFILE, data $DLCOURSE_DATA, ${#notebooks[@]} notebook(s)"
exec "$VENV/bin/python" "$ROOT/scripts/run_notebooks.py" \
  --out "$ROOT/target/notebooks" --cell-timeout "$cell_timeout" --notebook-timeout "$notebook_timeout" ${extra[@]+"${extra[@]}"} "${notebooks[@]}"
