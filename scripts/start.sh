#!/usr/bin/env bash
# Sets up, builds and starts the assistant: the web chat on http://127.0.0.1:8080.
# Extra arguments go to `qwen-edge serve` (e.g. --demo, --model FILE, --port N).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The program alone: no test programs (their libraries come with scripts/setup.sh --test).
QE_BUILD_TARGET=qwen-edge scripts/build.sh release -DQE_BUILD_TESTS=OFF
exec build/bin/qwen-edge serve "$@"
