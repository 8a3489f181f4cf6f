#!/usr/bin/env bash
# Hand a paused conversation back to the bot (after a person has dealt with it): appends Rasa's `resume` event.
set -euo pipefail
source "$(dirname "$0")/env.sh"

sender="${1:-}"
if [ -z "$sender" ]; then echo "usage: make resume SENDER=<conversation id>" >&2; exit 2; fi
if [ -z "${RASA_API_TOKEN:-}" ]; then
  echo "The Rasa HTTP API is off. Set RASA_API_TOKEN in .env, restart \`make run\`, then try again." >&2
  exit 2
fi
encoded="$(python -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$sender")"
# After the resume, an action_listen puts the dialogue back at "waiting for the customer": without it the policies
# see the handoff as the last bot action and hand over again.
curl -fsS -XPOST -H 'Content-Type: application/json' \
  -d '[{"event": "resume"}, {"event": "action", "name": "action_listen"}]' \
  "http://$RASA_HOST:$RASA_PORT/conversations/$encoded/tracker/events?token=$RASA_API_TOKEN" >/dev/null
echo "Conversation $sender is handed back to the bot."
