#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The middleware's layers (docs/architecture.md): which folder's headers each
# folder may include. The build runs this before compiling the middleware and
# CI runs it as the arch_layers test; an include that points up, or a relative
# include that walks out of its folder, fails both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../middleware"

# folder: the middleware folders it may include (besides itself)
declare -A allowed=(
    [base]=""
    [storage]="base"
    [domain]="base storage"
    [hublink]="base storage domain"
    [http]="base"
    [mqttserver]="base"
    [events]="base storage domain http"
    [mail]="base storage domain"
    [api]="base storage domain hublink http events mqttserver"
    [app]="base storage domain hublink http events mqttserver api mail"
)
layers="${!allowed[*]}"

status=0
for folder in $layers; do
    [[ -d $folder ]] || { echo "check-layers: middleware/$folder is missing" >&2; status=1; continue; }
    while IFS= read -r line; do
        file=${line%%:*}
        rest=${line#*:}
        lineno=${rest%%:*}
        target=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' <<<"${rest#*:}")
        [[ -n $target ]] || continue
        if [[ $target == ../* || $target == */../* ]]; then
            echo "middleware/$file:$lineno: relative include \"$target\" leaves its layer" >&2
            status=1
            continue
        fi
        top=${target%%/*}
        [[ $top == "$target" ]] && continue # a sibling in the same folder
        [[ " $layers " == *" $top "* ]] || continue # common/, Qt, ...
        [[ $top == "$folder" ]] && continue
        if [[ " ${allowed[$folder]} " != *" $top "* ]]; then
            echo "middleware/$file:$lineno: $folder/ may not include \"$target\" ($top/ is not below $folder/)" >&2
            status=1
        fi
    done < <(grep -rn --include='*.h' --include='*.cpp' '^[[:space:]]*#[[:space:]]*include' "$folder")
done
# Every file belongs to a layer.
for dir in */; do
    dir=${dir%/}
    [[ " $layers " == *" $dir "* ]] || { echo "check-layers: middleware/$dir/ is in no layer" >&2; status=1; }
done
# Files stay small enough to read whole: past 700 lines, split by concern.
while read -r count file; do
    [[ $file == total ]] && continue
    if ((count > 700)); then
        echo "check-layers: middleware/$file has $count lines (at most 700: split it by concern)" >&2
        status=1
    fi
done < <(find . -name '*.cpp' -o -name '*.h' | sed 's|^\./||' | xargs wc -l)
if ((status == 0)); then
    echo "check-layers: the middleware's includes follow its layers, no file over 700 lines"
fi
exit $status
