# shellcheck shell=bash
# Sourced by scripts/test.sh: makes sure a Chromium exists for the console's browser tests.
#
# Why: the console is tested in a real headless browser. CI machines start bare, so this installs Debian's
# `chromium` package when none is found (root only). Elsewhere, without Chromium, the browser tests are skipped,
# except under CI=true where they must run. PARLEY_CHROMIUM points at another binary.

ensure_chromium() {
  if [ -n "${PARLEY_CHROMIUM:-}" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
    echo "Chromium: $(command -v chromium || command -v chromium-browser || echo "$PARLEY_CHROMIUM")"; return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Chromium (Debian package) for the console's browser tests..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    command -v chromium >/dev/null && return 0
  fi
  echo "Chromium is not installed and cannot be installed here (needs root and apt-get)." >&2
  if [ "${CI:-}" = "true" ]; then return 1; fi
  echo "The console's browser tests will be skipped." >&2
}
