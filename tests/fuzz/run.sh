#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (a separate build tree, sanitizers on everything it
# compiles) and runs each for FUZZ_SECONDS (default 20) over its seed corpus. Every input in
# tests/fuzz/corpus/<target>/ is replayed first, so an input that once crashed stays a
# regression test. New interesting inputs go to the build tree's working corpus, never into the
# source tree; a crash leaves its input in $FUZZ_BUILD_DIR/artifacts/ and fails the run.
# Usage: tests/fuzz/run.sh [target...]   (targets: capacity_update bed_update workforce_update
# config; default all). FUZZ_BUILD_DIR defaults to build-fuzz/ in the repository.
# Long run (README "Proof"): FUZZ_SECONDS=600 tests/fuzz/run.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${FUZZ_SECONDS:-20}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(capacity_update bed_update workforce_update config)

command -v clang++ > /dev/null || { echo "fuzz: clang++ is not installed (apt-get install clang)" >&2; exit 1; }
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DRESILIENCE_FUZZ=ON -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" > "$build.configure.log" 2>&1 \
    || { cat "$build.configure.log" >&2; exit 1; }
fi
cmake --build "$build" --target fuzzers -j2

status=0
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  mkdir -p "$work" "$build/artifacts"
  echo "== $t: ${seconds}s over $(ls "$root/tests/fuzz/corpus/$t" | wc -l) seeds"
  if ! "$build/tests/${t}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
      "$work" "$root/tests/fuzz/corpus/$t" > "$build/$t.log" 2>&1; then
    echo "$t: FAILED (input and log: $build/artifacts/$t-*, $build/$t.log)" >&2
    tail -40 "$build/$t.log" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units|^Done' "$build/$t.log" || true
  fi
done
exit $status
