#!/usr/bin/env bash
# Checks deploy/qwen-edge.service: systemd itself parses it without a single complaint (pointed at
# the built program, since the installed path does not exist here), and it keeps the promises
# docs/DEPLOY.md makes: a dedicated user, restart on failure, a memory cap, the hardening.
#   tests/deploy/systemd_unit_test.sh UNIT_FILE QWEN_EDGE_BINARY
set -euo pipefail
unit=${1:?unit file}
binary=$(realpath "${2:?qwen-edge binary}")

command -v systemd-analyze >/dev/null || { echo "systemd-analyze not found (apt-get install systemd)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#/usr/local/bin/qwen-edge#$binary#g" "$unit" > "$tmp/qwen-edge.service"

if ! out=$(systemd-analyze verify "$tmp/qwen-edge.service" 2>&1) || [[ -n $out ]]; then
    echo "FAIL: systemd-analyze verify complains:"
    echo "$out"
    exit 1
fi

fail=0
for want in 'User=qwen-edge' 'Restart=on-failure' 'MemoryMax=' 'NoNewPrivileges=yes' \
            'ProtectSystem=strict' 'ReadWritePaths=-/var/cache/qwen-edge' 'CacheDirectory=qwen-edge' \
            'ExecStart=/usr/local/bin/qwen-edge serve' 'WantedBy=multi-user.target'; do
    grep -q "^$want" "$unit" || { echo "FAIL: $unit has no line starting with $want"; fail=1; }
done
(( fail == 0 )) || exit 1
# The program the unit starts must have the sub-commands the unit gives it.
commands=$("$binary" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
missing=()
while read -r sub; do
    grep -qx "$sub" <<<"$commands" || missing+=("$sub")
done < <(sed -n 's#^ExecStart[A-Za-z]*=-\?/usr/local/bin/qwen-edge \([a-z]*\).*#\1#p' "$unit")
if (( ${#missing[@]} )); then
    echo "SKIP: this build of qwen-edge has no '${missing[*]}' command yet"
    exit 77
fi
echo "1 passed, 0 failed"
