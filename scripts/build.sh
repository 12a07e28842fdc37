#!/usr/bin/env bash
# Configures and builds a preset (default: release, into build/). Further arguments go to the
# configure step, e.g. scripts/build.sh release -DQE_BUILD_TESTS=OFF for a build without tests.
# QE_BUILD_TARGET=qwen-edge builds that target alone (what running needs).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
# The web chat first: the C++ build embeds web/dist into the binary. Its type check (tsc) is a
# test: a build of one target (start.sh's, the program alone) builds the page without it.
web_build=build
[[ -n ${QE_BUILD_TARGET:-} ]] && web_build=build:page
if [[ -d web/node_modules ]]; then
    (cd web && npm run --silent "$web_build" >/dev/null) || { echo "build: the web chat failed to build" >&2; exit 1; }
fi
cmake --preset "$preset" "${@:2}" >/dev/null
cmake --build --preset "$preset" ${QE_BUILD_TARGET:+--target "$QE_BUILD_TARGET"}
