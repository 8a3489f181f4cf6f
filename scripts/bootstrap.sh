#!/usr/bin/env bash
# Create or refresh .venv from requirements.lock. Idempotent: a no-op (well under a second) when nothing changed.
#
# Why a script and not only `pip install`: Rasa 3.6 needs Python 3.10 exactly, which is rarely the system Python,
# and the locked environment is ~7 GB, so we only touch it when the lock file or the interpreter changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
LOCK=requirements.lock
STAMP="$VENV/.parley-lock.sha256"
UV_VERSION=0.13.9

is_py310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

find_python() {
  local candidate
  if [ -n "${PARLEY_PYTHON:-}" ]; then
    is_py310 "$PARLEY_PYTHON" && { echo "$PARLEY_PYTHON"; return; }
    echo "PARLEY_PYTHON=$PARLEY_PYTHON is not a Python 3.10 interpreter." >&2; return 1
  fi
  # python3.10 on PATH may be a pyenv shim that refuses to run when 3.10 is not selected, so try it rather than trust it.
  if command -v python3.10 >/dev/null 2>&1 && is_py310 python3.10; then command -v python3.10; return; fi
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python3.10 \
                   /usr/local/bin/python3.10 /usr/bin/python3.10 /opt/homebrew/bin/python3.10; do
    if [ -x "$candidate" ] && is_py310 "$candidate"; then echo "$candidate"; return; fi
  done
  cat >&2 <<'MSG'
Parley needs Python 3.10 (Rasa 3.6 supports nothing newer) and none was found.
Looked for: $PARLEY_PYTHON, python3.10 on PATH, pyenv's versions/3.10.*, /usr/local/bin, /usr/bin.
Install one, e.g. `pyenv install 3.10.13` or your distribution's python3.10 package, then run the command again.
MSG
  return 1
}

want="$(cat "$LOCK" requirements.in | sha256sum | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && is_py310 "$VENV/bin/python" && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi

if ! [ -x "$VENV/bin/python" ] || ! is_py310 "$VENV/bin/python"; then
  python="$(find_python)"
  echo "==> Creating $VENV with $python"
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
fi

if ! [ -x "$VENV/bin/uv" ] || [ "$("$VENV/bin/uv" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  echo "==> Installing uv $UV_VERSION into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi

echo "==> Installing locked dependencies (first time: ~3.5 GB of wheels, a few minutes; later: seconds)"
# uv's cache stays at its default (outside the clone) so fresh clones on the same machine reuse the downloads.
"$VENV/bin/uv" pip sync --python "$VENV/bin/python" "$LOCK"
echo "$want" > "$STAMP"
echo "==> Environment ready: $VENV"
