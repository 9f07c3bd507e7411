#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Source layout: every tracked C++ file as .clang-format says.
#
#   scripts/format.sh           reformat every tracked .cpp/.h in place
#   scripts/format.sh --check   change nothing; list unformatted files, exit 1 if any
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null || { echo "format: clang-format is not installed (scripts/deps.sh)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [[ ${1:-} == --check ]]; then
    bad=()
    for f in "${files[@]}"; do
        clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done
    if ((${#bad[@]})); then
        printf 'format: %d file(s) differ from .clang-format (run scripts/format.sh):\n' "${#bad[@]}" >&2
        printf '  %s\n' "${bad[@]}" >&2
        exit 1
    fi
    echo "format: ${#files[@]} files follow .clang-format"
else
    clang-format -i "${files[@]}"
fi
