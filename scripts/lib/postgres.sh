# shellcheck shell=bash
# Finds a PostgreSQL for the server tests, or starts a throwaway one.
#
# Development and CI machines run PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres). On a machine
# where nothing answers there, Debian's postgresql is installed and a cluster is created in a temporary
# folder on a free port, with trust auth; it is stopped and removed when the calling script exits.

REMIT_TEST_DATABASE_URL="${REMIT_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

postgres_answers() {
  command -v psql >/dev/null && psql "$1" -qAtc 'select 1' >/dev/null 2>&1
}

ensure_postgres() {
  if postgres_answers "$REMIT_TEST_DATABASE_URL"; then
    export REMIT_TEST_DATABASE_URL
    return
  fi
  log "no PostgreSQL answers at $REMIT_TEST_DATABASE_URL: starting a throwaway cluster"
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt_install postgresql
  fi
  local bin port
  bin="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  REMIT_PG_DIR="$(mktemp -d /tmp/remit-pg.XXXXXX)"
  # initdb refuses to run as root: the cluster belongs to the postgres user then.
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$REMIT_PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$REMIT_PG_DIR/data" -U postgres -A trust >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$REMIT_PG_DIR/data" -l "$REMIT_PG_DIR/log" -w \
    -o "-p $port -k $REMIT_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  REMIT_PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$REMIT_PG_DIR/data" -m fast -w stop)
  export REMIT_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  log "throwaway PostgreSQL at $REMIT_TEST_DATABASE_URL"
}

stop_postgres() {
  if [ -n "${REMIT_PG_DIR:-}" ]; then
    "${REMIT_PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$REMIT_PG_DIR"
  fi
}
