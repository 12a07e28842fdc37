#!/usr/bin/env bash
# Sets up, builds and starts the assistant. Extra arguments go to the assistant.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
exec build/bin/qwen-edge chat "$@"
