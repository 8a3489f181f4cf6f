#!/usr/bin/env bash
# Train the assistant only when its inputs changed; otherwise reuse models/parley.tar.gz.
#
# Why our own fingerprint on top of Rasa's: `rasa train` also skips unchanged work, but only after ~15 s of
# TensorFlow start-up. Hashing the inputs here makes `make run` start instantly when nothing changed.
set -euo pipefail
source "$(dirname "$0")/env.sh"

MODEL=models/parley.tar.gz
FINGERPRINT=models/parley.fingerprint
current="$(scripts/fingerprint.sh)"

if [ "${1:-}" != "--force" ] && [ -f "$MODEL" ] && [ -f "$FINGERPRINT" ] && [ "$(cat "$FINGERPRINT")" = "$current" ]; then
  echo "==> Model is up to date ($MODEL)"
  exit 0
fi

echo "==> Training the assistant (under a minute on 2 CPU cores)"
rasa train --domain domain --data data --config config.yml --out models --fixed-model-name parley
echo "$current" > "$FINGERPRINT"
