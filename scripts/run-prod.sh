#!/usr/bin/env bash
# The replicated profile on this machine: PostgreSQL, Redis, N Rasa + M action servers behind nginx, all on loopback.
#
# Uses the PostgreSQL at PARLEY_DB_URL when it is a postgresql URL and the Redis at PARLEY_REDIS_URL when set;
# otherwise starts throwaway ones with the project's scripts (data is lost when this stops: for a trial only).
# PARLEY_RASA_REPLICAS and PARLEY_ACTION_REPLICAS (default 2 each) set the process counts.
set -euo pipefail
source "$(dirname "$0")/env.sh"
source scripts/postgres.sh
source scripts/redis.sh
source scripts/nginx.sh
trap 'stop_postgres; stop_redis' EXIT

scripts/train.sh
ensure_nginx
if [[ "${PARLEY_DB_URL:-}" == postgresql* ]]; then
  postgres_url="$PARLEY_DB_URL"
else
  echo "==> PARLEY_DB_URL is not a PostgreSQL URL: starting a throwaway PostgreSQL"
  start_postgres
  postgres_url="$PARLEY_TEST_POSTGRES_URL"
fi
if [ -n "${PARLEY_REDIS_URL:-}" ]; then
  redis_url="$PARLEY_REDIS_URL"
else
  echo "==> PARLEY_REDIS_URL is not set: starting a throwaway Redis"
  start_redis
  redis_url="$PARLEY_TEST_REDIS_URL"
fi
python -m bot.replicas --postgres "$postgres_url" --redis "$redis_url" \
  --rasa "${PARLEY_RASA_REPLICAS:-2}" --actions "${PARLEY_ACTION_REPLICAS:-2}"
