#!/usr/bin/env bash
# Cross-builds qwen-edge for ARM64 (Raspberry Pi 4 and 5) and runs the tests that depend on the
# CPU under qemu-user, twice: as a Pi 4 (Cortex-A72: NEON without the dot-product instructions)
# and as a Pi 5 (Cortex-A76: NEON with them), so every kernel path the dispatcher can pick runs.
#   scripts/test-arm64.sh               the engine's test programs (see below)
#   scripts/test-arm64.sh PROGRAM...    these test programs instead (e.g. kernels_test)
set -euo pipefail
cd "$(dirname "$0")/.."

# By default the engine's tests (tests/CMakeLists.txt, QE_ENGINE_TESTS): kernels, quantization,
# file formats, the forward pass against the golden logits, the thread pool, sampling, the
# tokenizer's Unicode and regex libraries, and the knowledge base's (QE_KNOWLEDGE_TESTS: its vector
# kernel, SQLite, utf8proc): what can differ on another CPU or another build of a library. Tests that start the qwen-edge program itself are left out: the host cannot run it.
programs=("$@")
scripts/setup.sh --arm64 >/dev/null
cmake --preset arm64 >/dev/null
if (( ${#programs[@]} == 0 )); then
    mapfile -t programs < build-arm64/engine_tests.txt
fi
cmake --build --preset arm64 --target "${programs[@]}"

# A program stuck under qemu fails after this many seconds instead of blocking the run.
limit=${QE_ARM64_TEST_TIMEOUT:-300}
passed=0 failed=0
for cpu in cortex-a72 cortex-a76; do
    for t in "${programs[@]}"; do
        rc=0
        QEMU_CPU=$cpu timeout "$limit" qemu-aarch64 -L / "build-arm64/bin/$t" \
            --gtest_brief=1 > "build-arm64/$t.$cpu.log" 2>&1 || rc=$?
        if (( rc == 0 )); then
            passed=$((passed + 1))
            echo "test-arm64: ok    $t on $cpu ($(grep -o '[0-9]* tests\? from [0-9]* test suites\? ran' "build-arm64/$t.$cpu.log" || true))"
        else
            failed=$((failed + 1))
            echo "test-arm64: FAIL  $t on $cpu$( (( rc == 124 )) && echo " (no result after $limit s)")"
            tail -n 40 "build-arm64/$t.$cpu.log"
        fi
    done
done
echo "arm64: $passed passed, $failed failed"
(( failed == 0 ))
