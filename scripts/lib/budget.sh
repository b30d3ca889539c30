# shellcheck shell=bash
# The first-load budget (budgets.toml): what a browser transfers for Remit's first screen, measured from
# a real `remit serve` serving the built app.
#
# The first screen is index.html and every same-origin file it names in a `src` or `href` attribute:
# Trunk names the JS loader, the wasm (preloaded), the CSS, the manifest and the icon there. Sizes are
# response bodies as they travel (curl does not decode them), in KB of 1,000 bytes.

# A number from budgets.toml.
budget() {
  awk -F= -v key="$1" '{ k = $1; gsub(/[ \t]/, "", k) } k == key { v = $2; sub(/#.*/, "", v); gsub(/[ \t]/, "", v); print v; exit }' budgets.toml
}

# The paths the first screen loads from the server at $1.
first_load_paths() {
  printf '/\n'
  # Quoted or not: the minified index.html drops the quotes where HTML allows it.
  curl -fsS "$1/" | grep -oE "(src|href)=[\"']?/[^\"' >]+" | sed -E "s/^(src|href)=[\"']?//" | LC_ALL=C sort -u
}

# Bytes one path takes on the wire from the server at $1 when the browser accepts encoding $3.
wire_bytes() {
  curl -fsS -o /dev/null -H "Accept-Encoding: $3" -w '%{size_download}' "$1$2"
}

# Starts `remit serve` (binary $1) on a throwaway database serving the folder $2, measures the first
# load with Brotli, gzip and neither, prints a table, and fails when Brotli or gzip is over budget.
first_load_budget() {
  local bin="$1" dist="$2" data base="" pid path br gz id status=0
  local total_br=0 total_gz=0 total_id=0 budget_br budget_gz
  budget_br="$(budget first_load_br)"
  budget_gz="$(budget first_load_gzip)"
  [ -n "$budget_br" ] && [ -n "$budget_gz" ] || { echo "budgets.toml needs first_load_br and first_load_gzip" >&2; return 1; }
  data="$(mktemp -d)"
  "$bin" serve --port 0 --data "$data" --dist "$dist" >"$data/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 150); do
    base="$(grep -oE 'running at http://[0-9.]+:[0-9]+' "$data/serve.log" | cut -d' ' -f3 || true)"
    [ -n "$base" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$base" ]; then
    echo "remit serve did not start:" >&2
    cat "$data/serve.log" >&2
    kill "$pid" 2>/dev/null || true
    rm -rf "$data"
    return 1
  fi
  printf '%-48s %10s %10s %10s\n' "first load from $base" br gzip identity
  for path in $(first_load_paths "$base"); do
    br="$(wire_bytes "$base" "$path" br)" gz="$(wire_bytes "$base" "$path" gzip)" id="$(wire_bytes "$base" "$path" identity)"
    printf '%-48s %10d %10d %10d\n' "$path" "$br" "$gz" "$id"
    total_br=$((total_br + br)) total_gz=$((total_gz + gz)) total_id=$((total_id + id))
  done
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  printf '%-48s %10d %10d %10d\n' "total (bytes)" "$total_br" "$total_gz" "$total_id"
  printf '%-48s %10s %10s\n' "budget (budgets.toml, KB)" "$budget_br" "$budget_gz"
  if [ "$total_br" -gt $((budget_br * 1000)) ]; then
    echo "first load with Brotli is $total_br bytes: over the budget of $budget_br KB" >&2
    status=1
  fi
  if [ "$total_gz" -gt $((budget_gz * 1000)) ]; then
    echo "first load with gzip is $total_gz bytes: over the budget of $budget_gz KB" >&2
    status=1
  fi
  return "$status"
}
