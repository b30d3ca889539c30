#!/bin/sh
# Trunk post_build hook, run on the staging directory before it becomes dist/. One script, because Trunk
# runs the hooks of a stage at the same time and the precache hash must see the final index.html.
#
# 1. Trunk's loader publishes the wasm-bindgen module as `window.wasmBindings`; Remit exports nothing to
#    page scripts, so that line goes.
# 2. dist/sw.js is a copy of public/sw.js with two markers: "__REMIT_PRECACHE__" becomes the JSON list of
# every file in the staging directory (as absolute URLs), and "__REMIT_BUILD__" a hash of those files'
# names and contents. The cache name includes that hash, so each build installs a fresh shell and the
# service worker deletes the previous one.
set -eu

staging="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
sw="$staging/sw.js"
html="$staging/index.html"

grep -q '^window\.wasmBindings = bindings;$' "$html" || { echo "post-build: no bindings export in $html" >&2; exit 1; }
sed '/^window\.wasmBindings = bindings;$/d' "$html" >"$html.tmp"
mv "$html.tmp" "$html"

grep -q '"__REMIT_PRECACHE__"' "$sw" || { echo "post-build: no precache marker in $sw" >&2; exit 1; }
grep -q '"__REMIT_BUILD__"' "$sw" || { echo "post-build: no build marker in $sw" >&2; exit 1; }

files="$(cd "$staging" && find . -type f ! -name sw.js | sed 's|^\./||' | LC_ALL=C sort)"
[ -n "$files" ] || { echo "post-build: $staging is empty" >&2; exit 1; }

list="$(printf '%s\n' "$files" | sed 's|.*|"/&"|' | paste -sd, -)"
build="$(cd "$staging" && printf '%s\n' "$files" | xargs sha256sum | sha256sum | cut -c1-16)"

tmp="$sw.tmp"
sed -e "s#\"__REMIT_PRECACHE__\"#[$list]#" -e "s#\"__REMIT_BUILD__\"#\"$build\"#" "$sw" >"$tmp"
mv "$tmp" "$sw"
echo "post-build: precache of $(printf '%s\n' "$files" | wc -l) files, build $build"
