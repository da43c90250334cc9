#!/usr/bin/env bash
# Runs one cargo-fuzz target for a number of executions and prints what it
# did: executions, time, executions per second, and findings. See FUZZING.md.
#
#   crates/fuzz-campaign.sh sfz 10000000                  # 10 M executions
#   MAX_SECONDS=180 crates/fuzz-campaign.sh sf2 10000000  # ... or 3 minutes, whichever comes first
#
# The campaign runs a fast build (no sanitizer, no comparison tracing:
# about 7 times the executions per second of the default build). Then the
# whole corpus it grew is replayed once in an AddressSanitizer build, which
# catches the memory errors the fast build cannot see. Settings:
#   FUZZ_OPTIONS   cargo fuzz options of the campaign's build
#                  (default "-s none --no-trace-compares"; "" for AddressSanitizer)
#   ASAN_REPLAY=0  skip the replay
#   MAX_SECONDS    stop the campaign after this long
#   FORK_JOBS      libFuzzer jobs at once (default 1; one per core to use)
#
# libFuzzer runs in fork mode (-fork=FORK_JOBS, one job by default) and goes on after a
# crash, timeout or out-of-memory (-ignore_*), so one bad input does not end
# the campaign; each finding is kept in crates/<target>/fuzz/artifacts/parse/.
# Inputs that add coverage go to crates/<target>/fuzz/fuzz-corpus/ (not
# committed); the committed regression corpus crates/<target>/tests/corpus/
# seeds every run.
set -euo pipefail

TIMEOUT_S=10      # one input running longer is a finding (timeout-*)
RSS_LIMIT_MB=2048 # more memory than this is a finding (oom-*)
MAX_LEN=65536     # bytes per input

target=${1:-}
runs=${2:-}
if [[ ! "$target" =~ ^(sfz|sf2)$ || ! "$runs" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 sfz|sf2 EXECUTIONS" >&2
  exit 2
fi
read -r -a fuzz_options <<<"${FUZZ_OPTIONS--s none --no-trace-compares}"

cd "$(dirname "$0")/$target/fuzz"
# shellcheck disable=SC1091
[ -f ../../../.toolchain/env.sh ] && . ../../../.toolchain/env.sh
# libFuzzer needs unstable compiler flags: a nightly toolchain if rustup
# has one, else the stable one with RUSTC_BOOTSTRAP=1.
if rustup run nightly rustc --version >/dev/null 2>&1; then
  toolchain=(+nightly)
else
  toolchain=()
  export RUSTC_BOOTSTRAP=1
fi
limits=(-timeout="$TIMEOUT_S" -rss_limit_mb="$RSS_LIMIT_MB" -max_len="$MAX_LEN")

mkdir -p fuzz-corpus artifacts/parse
log=$(mktemp "${TMPDIR:-/tmp}/fuzz-$target.XXXXXX.log")
before=$(find artifacts/parse -type f | sort)
started=$(date -u +%Y-%m-%dT%H:%MZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "building and running $target (${fuzz_options[*]:-AddressSanitizer}); log: $log"
cargo "${toolchain[@]}" fuzz build "${fuzz_options[@]}" --target-dir target/campaign parse >>"$log" 2>&1
SECONDS=0
set +e
cargo "${toolchain[@]}" fuzz run "${fuzz_options[@]}" --target-dir target/campaign parse fuzz-corpus ../tests/corpus -- \
  -fork="${FORK_JOBS:-1}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -runs="$runs" "${limits[@]}" \
  ${MAX_SECONDS:+-max_total_time="$MAX_SECONDS"} >>"$log" 2>&1
status=$?
set -e
elapsed=$SECONDS

# Fork mode's progress lines: "#N: cov: ... exec/s: ... oom/timeout/crash: a/b/c time: Ts ...".
last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
findings=$(sed -E 's/.*oom\/timeout\/crash: ([0-9]+\/[0-9]+\/[0-9]+).*/\1/' <<<"$last")

replay="skipped"
if [ "${ASAN_REPLAY:-1}" != 0 ] && [ "${#fuzz_options[@]}" -gt 0 ]; then
  echo "replaying $(find fuzz-corpus -type f | wc -l) corpus inputs with AddressSanitizer" >>"$log"
  cargo "${toolchain[@]}" fuzz build parse >>"$log" 2>&1
  set +e
  cargo "${toolchain[@]}" fuzz run parse fuzz-corpus ../tests/corpus -- \
    -runs=0 "${limits[@]}" >>"$log" 2>&1
  replay_status=$?
  set -e
  replay=$([ "$replay_status" -eq 0 ] && echo "clean" || echo "FAILED (exit $replay_status; see the log)")
fi
new=$(comm -13 <(echo "$before") <(find artifacts/parse -type f | sort) | sed '/^$/d')

echo "target:            $target"
echo "started:           $started ($elapsed s of fuzzing)"
echo "machine:           $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores, load $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo "build:             ${fuzz_options[*]:-AddressSanitizer}"
echo "executions:        ${execs:-unknown} (asked $runs)"
if [ -n "$execs" ] && [ "$elapsed" -gt 0 ]; then
  echo "executions/s:      $((execs / elapsed))"
fi
echo "oom/timeout/crash: ${findings:-unknown}"
echo "ASan replay:       $replay"
echo "new artifacts:     $(printf '%s' "$new" | grep -c . || true)"
if [ -n "$new" ]; then sed 's/^/  /' <<<"$new"; fi
echo "log:               $log"
if [ "$status" -ne 0 ]; then
  echo "cargo fuzz exited with $status; see the log" >&2
  exit "$status"
fi
