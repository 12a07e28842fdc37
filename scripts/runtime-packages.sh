#!/usr/bin/env bash
# Prints the Debian packages that provide the shared libraries a program loads, one per line, so
# a slim runtime image installs exactly those (used by the Dockerfile).
#   scripts/runtime-packages.sh build/bin/qwen-edge
set -euo pipefail
bin=${1:?usage: scripts/runtime-packages.sh PROGRAM}
[[ -x $bin ]] || { echo "runtime-packages: $bin is not a program" >&2; exit 1; }

owner() {
    # With merged /usr, dpkg may record a library under /lib or under /usr/lib.
    local p=$1
    dpkg -S "$p" 2>/dev/null && return
    dpkg -S "${p#/usr}" 2>/dev/null && return
    dpkg -S "/usr$p" 2>/dev/null && return
    echo "runtime-packages: no Debian package owns $p" >&2
    return 1
}

# The libraries the program names itself (apt brings what those need); ldd says where each is.
needed=$(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }')
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' |
    while read -r name path; do
        if grep -qxF "$name" <<<"$needed"; then owner "$path"; fi
    done |
    cut -d: -f1 | sort -u
