#!/usr/bin/env bash
# Builds a static HTML book of the executed lessons, as d2l.ai and fast.ai publish theirs.
#
#   scripts/book.sh [--run quick|full] [--check] [--executed DIR] [--out DIR] [NOTEBOOK...]
#
# Reads the executed copies that scripts/run-notebooks.sh leaves in target/notebooks/
# (--run PROFILE runs the lessons first), and writes target/book/index.html (the lesson
# table, with the profile, date and seconds each ran in) and one page per lesson with its
# outputs, pictures and links to the previous and next lesson. --check fails when a page
# lacks its pictures, a cell shows an error, or a lesson was not executed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

executed="$ROOT/target/notebooks"
out="$ROOT/target/book"
run=""
extra=()
notebooks=()
while [ $# -gt 0 ]; do
  case "$1" in
    --run) run="${2:?--run needs quick or full}"; shift 2 ;;
    --check) extra+=(--check); shift ;;
    --executed) executed="${2:?--executed needs a folder}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) notebooks+=("$1"); shift ;;
  esac
done
if [ ${#notebooks[@]} -eq 0 ]; then
  notebooks=("$ROOT"/notebooks/*.ipynb)
fi
[ -x "$VENV/bin/python" ] || die "the Jupyter tooling is not set up: run scripts/setup.sh first"
if [ -n "$run" ]; then
  "$ROOT/scripts/run-notebooks.sh" --profile "$run" "${notebooks[@]}"
fi
exec "$VENV/bin/python" "$ROOT/scripts/book.py" --executed "$executed" --out "$out" \
  ${extra[@]+"${extra[@]}"} "${notebooks[@]}"
