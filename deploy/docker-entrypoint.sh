#!/bin/sh
# The container's entry: runs `qwen-edge ARGS`. Before `serve` or `chat` without --model, it
# downloads the default model into $QWEN_EDGE_MODELS when no official one is there yet
# (QWEN_EDGE_QUANT picks the quantization; QWEN_EDGE_PULL=0 turns this off).
set -eu

needs_model=0
case "${1:-}" in serve | chat) needs_model=1 ;; esac
for arg in "$@"; do
    case "$arg" in --model | --model=* | -m) needs_model=0 ;; esac
done

if [ "$needs_model" = 1 ] && [ "${QWEN_EDGE_PULL:-1}" != 0 ] &&
    ! ls "${QWEN_EDGE_MODELS:?}"/qwen2.5-0.5b-instruct-*.gguf >/dev/null 2>&1; then
    echo "docker-entrypoint: no model in $QWEN_EDGE_MODELS yet; downloading it once" >&2
    if [ -n "${QWEN_EDGE_QUANT:-}" ]; then
        qwen-edge pull --quant "$QWEN_EDGE_QUANT"
    else
        qwen-edge pull
    fi
fi
exec qwen-edge "$@"
