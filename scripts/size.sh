#!/usr/bin/env bash
# Prints the size of the release build in dist/: the wasm, the JS and the CSS, raw and
# gzipped (gzip -9, about what a server sends), one line each, then the gzipped total.
#
#   trunk build --release && scripts/size.sh [dist-dir]
set -euo pipefail

dist=${1:-"$(cd "$(dirname "$0")/.." && pwd)/dist"}
if [ ! -f "$dist/index.html" ]; then
    echo "size: $dist/index.html is missing: run \`trunk build --release\` first" >&2
    exit 1
fi

shopt -s nullglob
total_gzip=0
for kind in wasm js css; do
    files=("$dist"/*."$kind")
    if [ ${#files[@]} -eq 0 ]; then
        echo "size: no .$kind file in $dist" >&2
        exit 1
    fi
    raw=$(cat "${files[@]}" | wc -c)
    # Each file is compressed on its own, as a server would send it.
    gzipped=0
    for file in "${files[@]}"; do
        gzipped=$((gzipped + $(gzip -9 -c "$file" | wc -c)))
    done
    total_gzip=$((total_gzip + gzipped))
    printf '%-5s %9d bytes raw %9d bytes gzipped  (%d file%s)\n' \
        "$kind" "$raw" "$gzipped" "${#files[@]}" "$([ ${#files[@]} -eq 1 ] || echo s)"
done
printf '%-5s %9s           %9d bytes gzipped\n' total "" "$total_gzip"
