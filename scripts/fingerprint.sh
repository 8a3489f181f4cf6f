#!/usr/bin/env bash
# Prints the hash of everything a trained model depends on (used by train.sh and by `make retrain` on promotion):
# the lock, config, domain, data, and the NLU code with its committed resources (the sentiment head).
set -euo pipefail
cd "$(dirname "$0")/.."
(cat requirements.lock config.yml; find domain data nlu -type f \( -name '*.yml' -o -name '*.py' -o -path 'nlu/resources/*' \) | LC_ALL=C sort | xargs cat) \
  | sha256sum | cut -d' ' -f1
