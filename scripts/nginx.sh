# shellcheck shell=bash
# Sourced by scripts/test.sh and scripts/run-prod.sh: makes sure nginx (the replicated profile's load balancer)
# is installed. The launcher (bot/replicas.py) starts it with deploy/nginx.conf, on loopback, as the user's process.

ensure_nginx() {
  if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing nginx (Debian package) for the replicated profile..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 \
      || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
    # the package starts a system-wide nginx on port 80; Parley runs its own, so stop that one
    if command -v service >/dev/null; then service nginx stop >/dev/null 2>&1 || true; fi
    pkill -f "nginx: master process /usr/sbin/nginx" 2>/dev/null || true
  fi
  if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then return 0; fi
  echo "nginx is not installed and cannot be installed here (needs root and apt-get)." >&2
  if [ "${CI:-}" = "true" ]; then return 1; fi
  echo "The replicated-profile tests will be skipped." >&2
}
