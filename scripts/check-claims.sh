#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# docs/claims.md names its tests as `file.cpp::function` (a later
# `::function` in the same cell belongs to the file before it) and ctest
# names in backquotes. Every file must exist under tests/, every function
# must be a test function of that file, so a renamed or removed test cannot
# leave a claim without its proof.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0
while IFS= read -r line; do
    [[ $line == '|'* ]] || continue
    file=""
    while read -r ref; do
        if [[ $ref == *.cpp::* || $ref == *.cpp ]]; then
            file=${ref%%::*}
            path=$(find tests -path "*${file}" -name "$(basename "$file")" | head -1)
            if [[ -z $path ]]; then
                echo "claims: no test file $file" >&2; status=1; file=""; continue
            fi
            file=$path
        fi
        [[ $ref == *::* ]] || continue
        fn=${ref##*::}
        [[ $fn == '*' || -z $file ]] && continue
        if ! grep -qE "void ([A-Za-z_]+::)?${fn}\(" "$file"; then
            echo "claims: $file has no test function $fn" >&2; status=1
        fi
    done < <(grep -oE '`[^`]*`' <<<"$line" | tr -d '`' | grep -oE '([A-Za-z0-9_/]+\.cpp)?(::[A-Za-z_*][A-Za-z0-9_*]*)?' | grep -E '\.cpp|::')
done < docs/claims.md
[[ $status == 0 ]] && echo "claims: every test named in docs/claims.md exists"
exit $status
