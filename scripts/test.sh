#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: the release build, then the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer. The ARM64 cross build with its qemu runs is a
# separate step (scripts/test-arm64.sh): it alone takes longer than this suite's time budget.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
jobs=$(nproc)

scripts/build.sh release
ctest --preset release -j "$jobs"

# The web chat: unit tests (Vitest), then Chromium driving the page.
(cd web && npm test && npm run test:browser)
# The same browser tests against the real server on the tiny golden model (its answers are noise,
# but real tokens stream through the real HTTP stack and the embedded page).
root=$(pwd)
golden=$(cd ../shared/golden && pwd)
(cd web && QE_SERVER_CMD="'$root/build/bin/qwen-edge' serve --model '$golden/g448-q8_0.gguf' --port \$QE_PORT" \
    npm run test:browser)

scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --preset asan -j "$jobs" -LE no_asan

# Each fuzz target for a short, bounded time (long runs by hand: scripts/fuzz.sh 1800).
scripts/fuzz.sh "${QE_FUZZ_SECONDS:-20}"
