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
# With the features `cargo test --workspace` unified into dlcourse (the notebook crate adds
# keep-freed-memory), so the example and the crate it links are already built: 42 s saved.
cargo run --locked -p dlcourse --features keep-freed-memory --example csv_classifier
RUSTDOCFLAGS="-D warnings" cargo doc --locked -p dlcourse --no-deps
RUSTDOCFLAGS="-D warnings" cargo doc --locked -p dlcourse --no-deps --no-default-features
say "the crate for importers: the core alone, the package as published"
# (checked rather than built: the same compiler errors, without compiling it a second time)
cargo check --locked -p dlcourse --no-default-features --lib
cargo publish --locked -p dlcourse --dry-run --no-verify --allow-dirty
# The oldest compiler the crate promises (rust-version in Cargo.toml).
msrv="$(sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml" | head -n1)"
[ -n "$msrv" ] || die "no rust-version in $ROOT/Cargo.toml"
if rustc -V | grep -q "^rustc ${msrv//./\\.}[. ]"; then
  say "rustc $(rustc -V | cut -d' ' -f2) is the minimum supported version ($msrv): checked by the build above"
elif rustup run "$msrv" rustc -V >/dev/null 2>&1; then
  cargo "+$msrv" check --locked --workspace --all-targets
else
  say "the minimum supported rustc ($msrv) is not installed: not checked (rustup toolchain install $msrv)"
fi
say "notebooks, quick profile"
"$ROOT/scripts/run-notebooks.sh" --profile quick --require-pictures
say "the book of the executed lessons (target/book/)"
"$ROOT/scripts/book.sh" --check
say "all tests passed in $((SECONDS - start)) s"
