# shellcheck shell=bash
# Sourced by scripts/test.sh: starts a throwaway PostgreSQL server on loopback for the store tests.
#
# Why: the store must pass the same tests on SQLite and a real PostgreSQL. CI machines start bare, so this
# installs Debian's `postgresql` package when no server binaries are found (root only), runs initdb in a temp
# folder, starts the server on a free 127.0.0.1 port with fsync off (throwaway data), and exports
# PARLEY_TEST_POSTGRES_URL. `stop_postgres` (run on exit) stops it and removes the folder.
# Set PARLEY_TEST_POSTGRES_URL yourself to test against a server you already have.

PG_DATA=""

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

as_pg_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  if [ -n "${PARLEY_TEST_POSTGRES_URL:-}" ]; then
    echo "Using PostgreSQL at PARLEY_TEST_POSTGRES_URL"; return 0
  fi
  local bindir; bindir="$(pg_bindir)"
  if [ -z "$bindir" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installing PostgreSQL (Debian package) for the store tests..."
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      bindir="$(pg_bindir)"
    fi
  fi
  if [ -z "$bindir" ]; then
    echo "PostgreSQL is not installed and cannot be installed here (needs root and apt-get)." >&2
    if [ "${CI:-}" = "true" ]; then return 1; fi
    echo "The PostgreSQL store tests will be skipped." >&2; return 0
  fi
  PG_DATA="$(mktemp -d /tmp/parley-pg.XXXXXX)"
  chmod 700 "$PG_DATA"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_DATA"; fi
  local port; port="$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  as_pg_owner "$bindir/initdb" -D "$PG_DATA/data" -A trust -U parley --encoding UTF8 --locale C.UTF-8 >"$PG_DATA/initdb.log" 2>&1 \
    || { cat "$PG_DATA/initdb.log" >&2; return 1; }
  as_pg_owner "$bindir/pg_ctl" -D "$PG_DATA/data" -l "$PG_DATA/server.log" -w -t 60 \
    -o "-p $port -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$PG_DATA/server.log" >&2; return 1; }
  "$bindir/psql" -h 127.0.0.1 -p "$port" -U parley -d postgres -qc "CREATE DATABASE parley" >/dev/null
  export PARLEY_TEST_POSTGRES_URL="postgresql+psycopg2://parley@127.0.0.1:$port/parley"
  echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port (throwaway)"
}

stop_postgres() {
  if [ -n "$PG_DATA" ] && [ -d "$PG_DATA/data" ]; then
    as_pg_owner "$(pg_bindir)/pg_ctl" -D "$PG_DATA/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DATA"
  fi
}
