#!/bin/sh
# The container's entry: runs `qwen-edge ARGS`. `serve` without --model needs nothing more: with no
# model in $QWEN_EDGE_MODELS (the volume) it serves at once and downloads the default model there,
# with the progress in the web page. QWEN_EDGE_QUANT, when it names another quantization than the
# default (q8_0), is pulled first, before `serve` or `chat` start.
set -eu

needs_model=0
case "${1:-}" in serve | chat) needs_model=1 ;; esac
for arg in "$@"; do
    case "$arg" in --model | --model=* | -m) needs_model=0 ;; esac
done

quant=${QWEN_EDGE_QUANT:-q8_0}
if [ "$needs_model" = 1 ] && [ "$quant" != q8_0 ] &&
    ! ls "${QWEN_EDGE_MODELS:?}/qwen2.5-0.5b-instruct-$quant.gguf" >/dev/null 2>&1; then
    echo "docker-entrypoint: downloading the $quant model into $QWEN_EDGE_MODELS once" >&2
    qwen-edge pull --quant "$quant"
fi
exec qwen-edge "$@"
