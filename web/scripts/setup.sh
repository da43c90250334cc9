#!/usr/bin/env bash
# Makes sure everything the project needs is installed; idempotent and quick
# when it already is. Called by `npm start` (no flag) and `npm test`
# (--test: also the browser for the tests). Prints each step it takes.
#
# The wasm toolchain: rustup's wasm32 target when it is installed or can be
# downloaded; otherwise (offline machines) Debian's rustc-web compiler with a
# wasm32 standard library built once from its shipped sources. The choice is
# written to .toolchain/env.sh, which the other scripts source.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WANT_TEST_TOOLS=0
[ "${1:-}" = "--test" ] && WANT_TEST_TOOLS=1

LOG_NAME=setup
# shellcheck disable=SC1091
. web/scripts/log.sh

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$WASM_BINDGEN_VERSION" ] || die "could not read the pinned wasm-bindgen version from Cargo.toml"

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; fi
fi
APT_UPDATED=0
apt_install() {
  if ! command -v apt-get >/dev/null; then
    die "missing: $*. This is not a Debian/Ubuntu machine; install the equivalent of these packages yourself."
  fi
  if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
    die "missing packages. Run this once, then retry:
    sudo apt-get update && sudo apt-get install -y $*"
  fi
  if [ $APT_UPDATED = 0 ]; then say "apt-get update"; $SUDO apt-get update -qq; APT_UPDATED=1; fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
command -v cargo >/dev/null || [ -x "$HOME/.cargo/bin/cargo" ] || [ -x /usr/bin/cargo ] || \
  die "no Rust toolchain. Install rustup (https://rustup.rs), then retry."
export PATH="$HOME/.cargo/bin:$PATH"

# --- Rust for wasm32 -------------------------------------------------------
mkdir -p .toolchain
DEBIAN_SYSROOT=/usr/lib/rustlib/wasm32-unknown-unknown/lib
debian_sysroot_ready() {
  [ -x /usr/bin/rustc ] && /usr/bin/rustc --version 2>/dev/null | grep -q . &&
  ls "$DEBIAN_SYSROOT"/libstd-*.rlib >/dev/null 2>&1 &&
  ls "$DEBIAN_SYSROOT"/libtest-*.rlib >/dev/null 2>&1
}
use_rustup() {
  echo '# written by web/scripts/setup.sh: rustup has the wasm32 target' > .toolchain/env.sh
  echo 'export PATH="$HOME/.cargo/bin:$PATH"' >> .toolchain/env.sh
}
use_debian() {
  # Shims so that plain `cargo`, and wasm-pack which calls `cargo`, use the
  # Debian compiler for native and wasm alike (mixing compilers in one target
  # dir fails with "compiled by an incompatible version of rustc").
  mkdir -p .toolchain/bin
  for t in cargo rustc rustdoc; do ln -sf "/usr/bin/$t" ".toolchain/bin/$t"; done
  {
    echo '# written by web/scripts/setup.sh: Debian rustc-web with a locally built wasm32 std'
    echo "export PATH=\"$ROOT/.toolchain/bin:\$HOME/.cargo/bin:\$PATH\""
    echo 'export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc'
  } > .toolchain/env.sh
}
build_debian_sysroot() {
  local pkgs=()
  [ -x /usr/bin/rustc ] && /usr/bin/rustc --version | grep -qE ' 1\.(9[0-9]|[1-9][0-9][0-9])' || pkgs+=(rustc-web cargo-web)
  [ -d /usr/lib/rustlib/src/rust/library ] || pkgs+=(rust-web-src)
  [ -e /usr/bin/ld.lld-22 ] || [ -e /usr/lib/llvm-22/bin/lld ] || pkgs+=(lld-22)
  [ ${#pkgs[@]} = 0 ] || apt_install "${pkgs[@]}"
  say "building the wasm32 standard library from Debian's sources (once, about 2 minutes)"
  local scratch; scratch=$(mktemp -d)
  (cd "$scratch" && /usr/bin/cargo init -q --lib --name sysroot_scratch . &&
   RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo build --release \
     --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort,test,proc_macro) ||
    die "building the wasm32 std failed (see above)"
  $SUDO mkdir -p "$DEBIAN_SYSROOT"
  find "$scratch/target/wasm32-unknown-unknown/release/deps" -name 'lib*.rlib' \
    ! -name 'libsysroot_scratch*' -exec $SUDO cp {} "$DEBIAN_SYSROOT/" \;
  rm -rf "$scratch"
}

# SAMPLER_WASM_TOOLCHAIN=debian or =rustup forces a choice (e.g. to check the fallback).
FORCE="${SAMPLER_WASM_TOOLCHAIN:-}"
if [ "$FORCE" = debian ]; then
  debian_sysroot_ready || build_debian_sysroot
  use_debian
elif command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  use_rustup
elif [ "$FORCE" != rustup ] && debian_sysroot_ready; then
  use_debian
else
  added=0
  if command -v rustup >/dev/null; then
    say "rustup target add wasm32-unknown-unknown (60 s limit; it hangs when offline)"
    timeout 60 rustup target add wasm32-unknown-unknown >/dev/null 2>&1 && added=1
  fi
  if [ $added = 1 ]; then
    use_rustup
  elif [ "$FORCE" = rustup ]; then
    die "rustup target add wasm32-unknown-unknown failed; run it yourself, then retry"
  else
    say "no rustup wasm32 target: using Debian's rustc-web with a locally built wasm32 std"
    build_debian_sysroot
    use_debian
  fi
fi
# shellcheck disable=SC1091
. .toolchain/env.sh

# --- wasm-bindgen-cli (same version as the crate) and wasm-pack --------------
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (once, a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if ! command -v wasm-pack >/dev/null; then
  say "cargo install wasm-pack (once, a few minutes)"
  cargo install wasm-pack
fi

# --- browser for the test suites ---------------------------------------------
if [ $WANT_TEST_TOOLS = 1 ]; then
  if [ -z "${CHROME_PATH:-}" ]; then
    pkgs=()
    command -v chromium >/dev/null || pkgs+=(chromium)
    command -v chromedriver >/dev/null || pkgs+=(chromium-driver)
    [ ${#pkgs[@]} = 0 ] || apt_install "${pkgs[@]}"
  fi
  # A reference renderer and SoundFonts nobody here wrote, for the SF2 tests
  # (every preset of both fonts must load).
  pkgs=()
  command -v fluidsynth >/dev/null || pkgs+=(fluidsynth)
  [ -f /usr/share/sounds/sf2/TimGM6mb.sf2 ] || pkgs+=(timgm6mb-soundfont)
  [ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || pkgs+=(fluid-soundfont-gm)
  [ ${#pkgs[@]} = 0 ] || apt_install "${pkgs[@]}"
fi

# --- npm packages --------------------------------------------------------------
STAMP=node_modules/.setup-lock-hash
LOCK_HASH=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$LOCK_HASH" ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$LOCK_HASH" > "$STAMP"
fi
say "toolchain ready ($(rustc --version | cut -d' ' -f1-2), wasm-bindgen $WASM_BINDGEN_VERSION)"
