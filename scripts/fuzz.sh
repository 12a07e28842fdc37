#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a bounded time.
#   scripts/fuzz.sh [seconds per target, default 30] [target name filter]
# New inputs that find coverage go to build-fuzz/corpus/<target>; the committed seeds stay as they are.
# The targets run side by side, as many at once as there are cores (QE_FUZZ_JOBS sets it).
# A crash leaves its input in build-fuzz/crashes/ and fails the run: turn it into a regression test.
# QE_FUZZ_SEED fixes libFuzzer's random seed (the test suite's short runs use one, so that they
# repeat the same inputs: finding new bugs is the long runs' job, by hand, with a random seed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
filter=${2:-}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_targets
mkdir -p build-fuzz/crashes

# One target for `seconds`; prints its result in one piece (targets run side by side).
run_target() {
    local target=$1 name seeds work out
    name=$(basename "$target")
    seeds=tests/fuzz/corpus/${name%_fuzz}
    work=build-fuzz/corpus/${name%_fuzz}
    mkdir -p "$work" "$seeds"
    if ! "$target" ${QE_FUZZ_SEED:+-seed="$QE_FUZZ_SEED"} -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix=build-fuzz/crashes/"$name"- -print_final_stats=1 "$work" "$seeds" \
            > build-fuzz/"$name".log 2>&1; then
        out="fuzz: $name FAILED after ${seconds}s (see build-fuzz/$name.log and build-fuzz/crashes/)"$'\n'
        out+=$(tail -30 build-fuzz/"$name".log)
        echo "$out"
        return 1
    fi
    echo "fuzz: $name ${seconds}s: $(grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' build-fuzz/"$name".log | tr '\n' ' ')"
}

# Each target is one process: as many at once as there are cores (QE_FUZZ_JOBS).
targets=()
for target in build-fuzz/bin/*_fuzz; do
    name=$(basename "$target")
    [[ -n $filter && $name != *$filter* ]] && continue
    targets+=("$target")
done
(( ${#targets[@]} )) || { echo "fuzz: no target matches '$filter'" >&2; exit 2; }
export -f run_target
export seconds QE_FUZZ_SEED="${QE_FUZZ_SEED:-}"
printf '%s\n' "${targets[@]}" | xargs -P "${QE_FUZZ_JOBS:-$(nproc)}" -I{} bash -c 'run_target "$1"' _ {}
