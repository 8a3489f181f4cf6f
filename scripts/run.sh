#!/usr/bin/env bash
# Start the action server and the Rasa server (REST channel) together; Ctrl-C stops both.
set -euo pipefail
source "$(dirname "$0")/env.sh"

scripts/train.sh

echo "==> Preparing the profile and interaction store"
python -m store upgrade
# Turns a killed server had not yet written to the log are still in the tracker store: write them now.
if [ -f "$PARLEY_TRACKER_DB" ]; then
  python -m store reconcile --tracker-url "sqlite:///$PARLEY_TRACKER_DB" --older-than 0 \
    || echo "Could not reconcile the interaction log with $PARLEY_TRACKER_DB; continuing" >&2
fi

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "==> Stopping Parley"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

echo "==> Starting the action server on port $ACTION_PORT (log: var/actions.log)"
# `python -m actions` builds the recommender before it listens (a first reply as quick as the next); $! is the server.
python -m actions --port "$ACTION_PORT" >var/actions.log 2>&1 &
pids+=($!)

echo "==> Starting the Rasa server on http://$RASA_HOST:$RASA_PORT (log: var/rasa.log)"
api_args=()
if [ -n "${RASA_API_TOKEN:-}" ]; then api_args=(--enable-api --auth-token "$RASA_API_TOKEN"); fi
python -m bot.cli run --model models/parley.tar.gz --endpoints endpoints.yml --credentials credentials.yml \
  --interface "$RASA_HOST" --port "$RASA_PORT" "${api_args[@]}" >var/rasa.log 2>&1 &
pids+=($!)

# "Up" means both servers answer: each loads its models before it listens, and Rasa's REST health route says ok
# only once a throwaway message has been through NLU and the dialogue policies (bot/warmup.py).
for _ in $(seq 1 240); do
  if curl -fs "http://$RASA_HOST:$RASA_PORT/webhooks/rest/" >/dev/null 2>&1 \
    && curl -fs "http://127.0.0.1:$ACTION_PORT/health" >/dev/null 2>&1; then break; fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "A server exited during start-up; see var/*.log" >&2; exit 1; }; done
  sleep 1
done

cat <<MSG

Parley is up: Kestrel Outdoor's assistant.
  Talk to it over REST:
    curl -s -XPOST http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook \\
      -d '{"sender": "u1", "message": "do you sell tents for two people?"}'
  Or chat in this terminal from another one:  make chat
  Logs: var/rasa.log, var/actions.log   Conversations: $PARLEY_TRACKER_DB
MSG
if [ -n "${TELEGRAM_BOT_TOKEN:-}" ]; then
  echo "  Telegram: on, ${TELEGRAM_MODE:-webhook} mode (make telegram-check shows the bot and its webhook)"
else
  echo "  Telegram: off (set TELEGRAM_BOT_TOKEN in .env to connect a bot; see README)"
fi
echo "Press Ctrl-C to stop."

# Either server exiting brings the other down too.
wait -n "${pids[@]}"
