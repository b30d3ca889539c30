# shellcheck shell=bash
# Installs the tools Remit builds and tests with, once per machine.
#
# Tools live outside the clone, one folder per tool and version, so every later clone (and CI on the same
# machine) reuses them; a second run finds them and skips the install.

REMIT_TOOLS="${REMIT_TOOLS:-$HOME/.cache/remit-tools}"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132.0.0"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  local root="$REMIT_TOOLS/trunk-$TRUNK_VERSION"
  if [ ! -x "$root/bin/trunk" ]; then
    log "installing trunk $TRUNK_VERSION (about 7 minutes on 2 cores)"
    # Trunk's own release profile (fat LTO, one codegen unit) is what makes it slow to build.
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install --locked "trunk@$TRUNK_VERSION" --root "$root"
  fi
  export PATH="$root/bin:$PATH"
}

ensure_wasm_bindgen() {
  local version root
  version="$(wasm_bindgen_version)"
  [ -n "$version" ] || { echo "wasm-bindgen is not in Cargo.lock" >&2; return 1; }
  root="$REMIT_TOOLS/wasm-bindgen-$version"
  if [ ! -x "$root/bin/wasm-bindgen" ] || [ ! -x "$root/bin/wasm-bindgen-test-runner" ]; then
    log "installing wasm-bindgen-cli $version"
    # Not --locked: one of the CLI's locked dependencies is no longer on the registry.
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install "wasm-bindgen-cli@$version" --root "$root"
  fi
  export PATH="$root/bin:$PATH"
}

ensure_wasm_opt() {
  local root="$REMIT_TOOLS/binaryen-$BINARYEN_VERSION"
  if [ ! -x "$root/node_modules/.bin/wasm-opt" ]; then
    log "installing wasm-opt (npm binaryen $BINARYEN_VERSION)"
    mkdir -p "$root"
    npm install --prefix "$root" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
  fi
  export PATH="$root/node_modules/.bin:$PATH"
}

apt_install() {
  if [ -z "${REMIT_APT_UPDATED:-}" ]; then
    log "apt-get update"
    apt-get update -qq
    export REMIT_APT_UPDATED=1
  fi
  log "installing $* (Debian packages)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_chromium() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  export CHROMEDRIVER=/usr/bin/chromedriver
}

# The mail tests' SMTP server: Debian's aiosmtpd, run by server/tests/smtp_server.py with Debian's python3.
ensure_smtp() {
  if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
    apt_install python3-aiosmtpd
  fi
  export REMIT_TEST_PYTHON=/usr/bin/python3
}

# What the documents tests read PDFs with: poppler's pdftotext, pdffonts and pdfinfo, and PyPI's
# pikepdf and factur-x (the tests print "SKIPPED: ..." without them).
ensure_pdf_tools() {
  if ! command -v pdftotext >/dev/null || ! command -v pdffonts >/dev/null; then
    apt_install poppler-utils
  fi
  if ! python3 -c 'import pikepdf, facturx' 2>/dev/null; then
    log "installing pikepdf and factur-x (pip)"
    python3 -m pip install --quiet pikepdf factur-x
  fi
}

# The portal's load test (scripts/bench): Debian's wrk.
ensure_wrk() {
  if ! command -v wrk >/dev/null; then
    apt_install wrk
  fi
}

ensure_e2e_packages() {
  # Playwright drives Debian's Chromium; it never downloads a browser of its own.
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  local stamp=e2e/node_modules/.remit-lock-hash want
  want="$(sha256sum e2e/package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing the e2e npm packages"
    npm ci --prefix e2e --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
}

# Builds the app exactly as it ships: release, through Trunk, with nothing downloaded.
build_app() {
  ensure_wasm_target
  ensure_trunk
  ensure_wasm_bindgen
  ensure_wasm_opt
  log "building the app (trunk build --release --offline)"
  trunk build --release --offline
}
