#!/usr/bin/env bash
# Builds the wasm engine and the worklet bundle into web/generated/.
# Skips each step whose output is newer than its inputs.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck disable=SC1091
. .toolchain/env.sh
OUT=web/generated
WASM=target/wasm32-unknown-unknown/release/sampler_wasm.wasm
LOG_NAME=build
# shellcheck disable=SC1091
. web/scripts/log.sh
newer() { # newer OUTPUT INPUT...: true when OUTPUT is missing or older than any input
  local out=$1; shift
  [ -e "$out" ] || return 0
  [ -n "$(find "$@" -newer "$out" -print -quit 2>/dev/null)" ]
}

say "cargo build (wasm32, release; the first build takes 1–2 minutes)"
# simd128 lets the voices' filters and mix run four lanes to a vector
# (crates/sampler-core/src/simd.rs); every current browser supports it.
# Not -q: cargo's "Compiling ..." lines show the long first build working.
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128" \
  cargo build --release --target wasm32-unknown-unknown -p sampler-wasm

mkdir -p "$OUT"
if newer "$OUT/sampler_wasm_bg.wasm" "$WASM"; then
  say "wasm-bindgen"
  wasm-bindgen --target web --omit-default-module-path --out-dir "$OUT" --out-name sampler_wasm "$WASM"
  say "wasm-opt -O3"
  node_modules/.bin/wasm-opt -O3 "$OUT/sampler_wasm_bg.wasm" -o "$OUT/sampler_wasm_bg.wasm"
fi
if newer "$OUT/sampler-worklet.js" worklet "$OUT/sampler_wasm.js" web/ring.js; then
  say "bundle the worklet"
  node web/scripts/bundle-worklet.mjs
fi
say "$(stat -c %s "$OUT/sampler_wasm_bg.wasm") bytes of wasm in $OUT"
