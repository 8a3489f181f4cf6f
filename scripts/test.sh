#!/usr/bin/env bash
# The whole test suite, in the order that fails fastest: lint, data validation, training, pytest, dialogue tests.
set -euo pipefail
source "$(dirname "$0")/env.sh"
source scripts/postgres.sh
source scripts/redis.sh
source scripts/nginx.sh
source scripts/chromium.sh
trap 'stop_postgres; stop_redis' EXIT

step() { printf '\n==> %s\n' "$*"; }

step "Lint (ruff, import contracts, mypy on core and store)"
ruff check .
ruff format --check .
lint-imports --no-cache --no-logo
mypy

step "Validate domain and training data"
rasa data validate --domain domain --data data

step "Train"
scripts/train.sh

step "Start a throwaway PostgreSQL and Redis, check for nginx (the store and replicated tests) and Chromium (the console's)"
start_postgres
start_redis
ensure_nginx
ensure_chromium

step "Unit and integration tests (pytest)"
# The model was just trained, so tests that need it must run, not skip.
PARLEY_REQUIRE_MODEL=1 python -m pytest

step "Dialogue regression tests (rasa test)"
rm -rf results/dialogue
rasa test core --model models/parley.tar.gz --stories tests/stories --out results/dialogue --fail-on-prediction-errors
echo "All dialogue test stories passed (report: results/dialogue/; console screenshots: results/screenshots/)."
