#!/usr/bin/env bash
# The project's test command (CI runs exactly this): sets up what is missing, runs the
# crate's unit, doc and integration tests, then every notebook in the quick profile
# through the real kernel, and builds and checks the book of the executed lessons.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
start=$SECONDS

"$ROOT/scripts/setup.sh"
DLCOURSE_DATA="$(default_data_dir)"
export DLCOURSE_DATA
say "cargo test (data: $DLCOURSE_DATA)"
cargo test --workspace --locked
cargo run --locked -p dlcourse --example csv_classifier
RUSTDOCFLAGS="-D warnings" cargo doc --locked -p dlcourse --no-deps
say "notebooks, quick profile"
"$ROOT/scripts/run-notebooks.sh" --profile quick --require-pictures
say "the book of the executed lessons (target/book/)"
"$ROOT/scripts/book.sh" --check
say "all tests passed in $((SECONDS - start)) s"
