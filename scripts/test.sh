#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: the release build, the web chat in Chromium, the
# same suite under AddressSanitizer + UndefinedBehaviorSanitizer, the fuzz targets briefly, and
# the kernels, forward pass and thread pool cross-built for ARM64 and run under qemu-user (all the
# engine's tests on ARM64, which take longer: scripts/test-arm64.sh by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
# Runs one step and says how long it took.
step() {
    local start=$SECONDS
    "$@"
    echo "test.sh: '$*' took $((SECONDS - start)) s"
}
step scripts/setup.sh --test
jobs=$(nproc)
logs=$(mktemp -d) models=$(mktemp -d) kbdata=$(mktemp -d)
# On the way out, also stop what still runs in the background (a step failed before its wait).
cleanup() {
    local running
    running=$(jobs -p)
    [[ -n $running ]] && kill $running 2>/dev/null
    rm -rf "$logs" "$models" "$kbdata"
}
trap cleanup EXIT
# The ARM64 toolchain and libraries install meanwhile (mostly waiting on the network).
scripts/setup.sh --arm64 > "$logs/setup-arm64.log" 2>&1 &
setup_arm64=$!

step scripts/build.sh release -DQE_BUILD_TESTS=ON
# The sanitizer build starts now, at the lowest priority: it takes what the release tests and the
# browser tests leave of the cores (they wait on servers and the browser much of the time), and
# the rest after them. Straight through CMake: the web page is built already (build.sh would
# rebuild web/dist while the browser tests read it).
(cmake --preset asan > /dev/null && nice -n 19 cmake --build --preset asan) > "$logs/asan-build.log" 2>&1 &
asan_build=$!
step ctest --preset release -j "$jobs"

# The web chat: unit tests (Vitest), then Chromium driving the page, twice at once: against the
# mock server, and against the real server on the tiny golden model (its answers are noise, but
# real tokens stream through the real HTTP stack and the embedded page; the knowledge tests'
# uploads are really imported and searched), its knowledge bases in a folder of their own. A
# second chat model (a Qwen3 golden file) waits in a models folder of its own, and the memory
# budget holds one of the two (12.8 MB and 76 MB with their KV caches), so the model picker's test
# sees the server load the model it asks for and unload the other.
(cd web && step npm test)
root=$(pwd)
golden=$(cd ../shared/golden && pwd)
cp "$golden/q3-q8_0.gguf" "$models/"
browser_mock() { cd web && npm run test:browser; }
# QE_BINARY adds the first start (tests/browser/first-start.test.ts): the server with no model,
# downloading the golden one from a local imitation of Hugging Face.
browser_real() {
    cd web && QWEN_EDGE_MODELS="$models" \
        QE_SERVER_CMD="'$root/build/bin/qwen-edge' serve --model '$golden/g448-q8_0.gguf' --memory-budget 80M --port \$QE_PORT --data-dir '$kbdata'" \
        QE_BINARY="$root/build/bin/qwen-edge" npm run test:browser
}
both_browser_passes() {
    browser_mock > "$logs/mock.log" 2>&1 &
    local mock=$!
    browser_real > "$logs/real.log" 2>&1 &
    local real=$! failed=0
    wait "$mock" || failed=1
    wait "$real" || failed=1
    echo "--- browser tests against the mock server"; cat "$logs/mock.log"
    echo "--- browser tests against the real server"; cat "$logs/real.log"
    return "$failed"
}
step both_browser_passes

# The sanitizer build, begun after the release build.
finish_asan_build() {
    wait "$asan_build" || { tail -n 60 "$logs/asan-build.log"; return 1; }
    tail -n 1 "$logs/asan-build.log"
}
step finish_asan_build
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    step ctest --preset asan -j "$jobs" -LE no_asan

# Each fuzz target for a short, bounded time with a fixed seed (long runs by hand, with a random
# seed: scripts/fuzz.sh 1800).
QE_FUZZ_SEED=${QE_FUZZ_SEED:-1} step scripts/fuzz.sh "${QE_FUZZ_SECONDS:-10}"
# ARM64 (Raspberry Pi 4 and 5): the NEON kernels, the threaded forward pass against the
# reference, and the thread pool, under qemu-user as a Cortex-A72 and a Cortex-A76.
wait "$setup_arm64" || { cat "$logs/setup-arm64.log"; exit 1; }
step scripts/test-arm64.sh kernels_test forward_test thread_pool_test
echo "test.sh: all steps passed in $SECONDS s"
