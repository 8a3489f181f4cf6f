# shellcheck shell=bash
# Sourced by scripts/test.sh and scripts/run-prod.sh: starts a throwaway Redis server on loopback (Rasa's lock
# store in the replicated profile).
#
# Installs Debian's `redis-server` package when it is missing (root only), starts it on a free 127.0.0.1 port
# with no persistence in a temp folder, and exports PARLEY_TEST_REDIS_URL. `stop_redis` stops it and removes the
# folder. Set PARLEY_TEST_REDIS_URL yourself to use a server you already have.

REDIS_DIR=""

start_redis() {
  if [ -n "${PARLEY_TEST_REDIS_URL:-}" ]; then
    echo "Using Redis at PARLEY_TEST_REDIS_URL"; return 0
  fi
  if ! command -v redis-server >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installing Redis (Debian package) for the replicated profile..."
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    fi
  fi
  if ! command -v redis-server >/dev/null; then
    echo "Redis is not installed and cannot be installed here (needs root and apt-get)." >&2
    if [ "${CI:-}" = "true" ]; then return 1; fi
    echo "The replicated-profile tests will be skipped." >&2; return 0
  fi
  REDIS_DIR="$(mktemp -d /tmp/parley-redis.XXXXXX)"
  local port; port="$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$REDIS_DIR" --save "" --appendonly no \
    --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >/dev/null
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export PARLEY_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
  echo "Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) running on 127.0.0.1:$port (throwaway)"
}

stop_redis() {
  if [ -n "$REDIS_DIR" ] && [ -f "$REDIS_DIR/redis.pid" ]; then
    kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
    rm -rf "$REDIS_DIR"
  fi
}
