# shellcheck shell=bash
# The browser bench of issue #11 §2 (BENCHMARKS.md, "The browser: 20,000 invoices"): big books seeded
# through the sync path, then the app measured in headless Chromium by e2e/bench/books.mjs. Builds
# nothing: the caller hands it the built programs.

# browser_bench BOOKS REMIT DIST [--quick]
#   BOOKS  the `books` bench's executable (`cargo bench -p remit-server --bench books --no-run`)
#   REMIT  a release `remit` binary
#   DIST   the app as `trunk build --release --offline` built it
# Seeds (a twentieth with --quick) into a temporary folder, prints the seeding throughput and one
# `browser/<what>: <figure> (target <t>: met|MISSED)` line per figure. Fails only when seeding or the
# harness fails, not on a missed target.
browser_bench() {
  local books="$1" remit="$2" dist="$3" quick="${4:-}" seeded status=0
  seeded="$(mktemp -d)"
  # shellcheck disable=SC2086 # $quick is empty or one word
  "$books" seed "$seeded" $quick || status=$?
  if [ "$status" = 0 ]; then
    node e2e/bench/books.mjs "$seeded" --bin "$remit" --dist "$dist" || status=$?
  fi
  rm -rf "$seeded"
  return "$status"
}
