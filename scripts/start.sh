#!/usr/bin/env bash
# Sets up, builds and starts the assistant: the web chat on http://127.0.0.1:8080.
# Extra arguments go to `qwen-edge serve` (e.g. --demo, --model FILE, --port N).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
exec build/bin/qwen-edge serve "$@"
