#!/bin/sh
# Trunk post_build hook, run on the staging directory before it becomes dist/.
#
# dist/sw.js is a copy of public/sw.js with two markers: "__REMIT_PRECACHE__" becomes the JSON list of
# every file in the staging directory (as absolute URLs), and "__REMIT_BUILD__" a hash of those files'
# names and contents. The cache name includes that hash, so each build installs a fresh shell and the
# service worker deletes the previous one.
#
# Then every content-hashed file gets a Brotli and a gzip twin (compress.mjs), which the server sends to
# browsers that accept them. The twins stay out of the precache: the service worker caches what the
# browser decoded, under the file's own name.
set -eu

staging="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
sw="$staging/sw.js"

grep -q '"__REMIT_PRECACHE__"' "$sw" || { echo "post-build: no precache marker in $sw" >&2; exit 1; }
grep -q '"__REMIT_BUILD__"' "$sw" || { echo "post-build: no build marker in $sw" >&2; exit 1; }

files="$(cd "$staging" && find . -type f ! -name sw.js ! -name '*.br' ! -name '*.gz' | sed 's|^\./||' | LC_ALL=C sort)"
[ -n "$files" ] || { echo "post-build: $staging is empty" >&2; exit 1; }

list="$(printf '%s\n' "$files" | sed 's|.*|"/&"|' | paste -sd, -)"
build="$(cd "$staging" && printf '%s\n' "$files" | xargs sha256sum | sha256sum | cut -c1-16)"

tmp="$sw.tmp"
sed -e "s#\"__REMIT_PRECACHE__\"#[$list]#" -e "s#\"__REMIT_BUILD__\"#\"$build\"#" "$sw" >"$tmp"
mv "$tmp" "$sw"
echo "post-build: precache of $(printf '%s\n' "$files" | wc -l) files, build $build"

node "$(dirname "$0")/compress.mjs" "$staging"
