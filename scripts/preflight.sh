# Up-front checks of scripts/setup.sh (sourced, not run): each missing prerequisite stops
# the setup with what is missing and how to get it, before any long step starts.
# shellcheck shell=bash

# The least free space (GiB) the builds need: the tests' target/ (~5 GiB), the kernel's
# build cache (~4.5 GiB) and evcxr's install (~2 GiB, temporary).
PREFLIGHT_DISK_GIB=12
# The oldest Python the pinned Jupyter tooling installs on (ipython 9 needs 3.11).
PREFLIGHT_PYTHON="3.11"

# Succeeds when version $1 is at least version $2 (dotted numbers).
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# Free GiB on the file system holding $1 (or its nearest existing parent).
free_gib() {
  local dir="$1"
  while [ ! -d "$dir" ]; do dir="$(dirname "$dir")"; done
  df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1048576) }'
}

preflight() {
  command -v cargo >/dev/null && command -v rustc >/dev/null \
    || die "cargo/rustc not found: install Rust with rustup (https://rustup.rs) and retry"
  local need have
  need="$(sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml" | head -n1)"
  have="$(rustc --version | awk '{ print $2 }')"
  version_at_least "${have%%-*}" "$need" \
    || die "rustc $have is older than the crate's rust-version $need: run 'rustup update stable' (or install Rust $need or newer) and retry"
  command -v "${CC:-cc}" >/dev/null \
    || die "no C compiler/linker '${CC:-cc}' found (Rust links through it, and some crates compile C): install one (Debian/Ubuntu: apt-get install build-essential; Fedora: dnf install gcc) and retry"
  command -v python3 >/dev/null \
    || die "python3 not found: install Python $PREFLIGHT_PYTHON or newer and retry"
  have="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  version_at_least "$have" "$PREFLIGHT_PYTHON" \
    || die "python3 is $have; the pinned Jupyter tooling needs Python $PREFLIGHT_PYTHON or newer: install it and put it first on PATH as python3, then retry"
  command -v flock >/dev/null \
    || die "flock not found: install util-linux (it locks the shared build cache)"
  local dir free
  for dir in "$ROOT" "$DLCOURSE_CACHE"; do
    free="$(free_gib "$dir")"
    [ "$free" -ge "$PREFLIGHT_DISK_GIB" ] \
      || die "only $free GiB free on the disk holding $dir; the builds need about $PREFLIGHT_DISK_GIB GiB: free some space (or set DLCOURSE_CACHE to a roomier disk) and retry"
  done
  # evcxr infers the types of variables kept between cells with rust-analyzer, which reads
  # the standard library's sources: without rust-src such variables are lost between cells.
  if command -v rustup >/dev/null && ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
    say "rust-src: installing (evcxr needs the standard library's sources to infer the types of variables kept between cells)"
    rustup component add rust-src \
      || say "warning: 'rustup component add rust-src' failed; cells that keep variables may fail to infer their types until it is installed"
  fi
  say "prerequisites: rustc $(rustc --version | awk '{ print $2 }'), python3 $(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])'), ${CC:-cc}, $(free_gib "$ROOT") GiB free"
}
