#!/usr/bin/env bash
# Checks deploy/docker-entrypoint.sh, the container's first start, with a stand-in `qwen-edge` on
# PATH that records how it was called: `serve` with no model goes straight to the server (which
# downloads the default model into the volume itself); QWEN_EDGE_QUANT naming another quantization
# pulls that file first, once; --model, another command, or the file already there pull nothing.
#   tests/deploy/docker_entrypoint_test.sh ENTRYPOINT
set -euo pipefail
entrypoint=$(realpath "${1:?docker-entrypoint.sh}")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/models"
cat > "$tmp/bin/qwen-edge" <<'STUB'
#!/bin/sh
echo "$*" >> "$CALLS"
STUB
chmod +x "$tmp/bin/qwen-edge"

fail=0
# expect NAME WANT_CALLS [VAR=VALUE ...] -- ARGS: runs the entrypoint, compares the calls made.
expect() {
    local name=$1 want=$2
    shift 2
    local vars=()
    while [[ $1 != -- ]]; do vars+=("$1"); shift; done
    shift
    : > "$tmp/calls"
    env PATH="$tmp/bin:$PATH" CALLS="$tmp/calls" QWEN_EDGE_MODELS="$tmp/models" "${vars[@]}" \
        sh "$entrypoint" "$@" || { echo "FAIL: $name: the entrypoint exited with $?"; fail=1; return; }
    local got
    got=$(paste -sd '|' "$tmp/calls")
    [[ $got == "$want" ]] || { echo "FAIL: $name: called '$got', want '$want'"; fail=1; }
}

expect "first start, default quant" "serve --host 0.0.0.0" -- serve --host 0.0.0.0
expect "first start, other quant" "pull --quant q4_k_m|serve --port 8080" \
    QWEN_EDGE_QUANT=q4_k_m -- serve --port 8080
touch "$tmp/models/qwen2.5-0.5b-instruct-q4_k_m.gguf"
expect "that quant there already" "serve" QWEN_EDGE_QUANT=q4_k_m -- serve
expect "a model given" "serve --model /m.gguf" QWEN_EDGE_QUANT=q5_k_m -- serve --model /m.gguf
expect "a model given with =" "chat --model=/m.gguf" QWEN_EDGE_QUANT=q5_k_m -- chat --model=/m.gguf
expect "another command" "list" QWEN_EDGE_QUANT=q5_k_m -- list
expect "chat pulls too" "pull --quant q5_k_m|chat" QWEN_EDGE_QUANT=q5_k_m -- chat

(( fail == 0 )) || exit 1
echo "7 passed, 0 failed"
