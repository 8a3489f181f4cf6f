#!/usr/bin/env bash
# Hand a paused conversation back to the bot (after a person has dealt with it). The handoff rule (which events,
# what the inbox then shows) lives once, in core/handoff.py; the console's "Hand back" button uses it too.
set -euo pipefail
source "$(dirname "$0")/env.sh"

sender="${1:-}"
if [ -z "$sender" ]; then echo "usage: make resume SENDER=<conversation id>" >&2; exit 2; fi
exec python -m console resume "$sender"
