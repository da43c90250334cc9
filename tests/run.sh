#!/usr/bin/env bash
# Every test suite. Sets up whatever is missing first (web/scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
LOG_NAME=test
# shellcheck disable=SC1091
. web/scripts/log.sh
step() { printf '\n'; say "== $*"; }

bash web/scripts/setup.sh --test
# shellcheck disable=SC1091
. .toolchain/env.sh
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"

step "1/4 native Rust tests (ring, DSP core, no-allocation check)"
cargo test --workspace --exclude sampler-wasm
# The wasm crate's own modules that need no browser (loading, region bytes).
cargo test -p sampler-wasm --lib

step "2/4 wasm bindings in headless Chromium (wasm-pack test)"
(cd crates/sampler-wasm && wasm-pack --log-level warn test --headless --chrome)

step "3/4 build the engine and the worklet"
bash web/scripts/build.sh

step "4/4 JavaScript unit tests and end-to-end tests in headless Chromium"
node --test tests/
