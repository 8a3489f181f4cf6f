#!/usr/bin/env bash
# Chat with the assistant in the terminal, through the running server's REST channel (start it with `make run`).
set -euo pipefail
source "$(dirname "$0")/env.sh"
exec python -m bot.chat "$@"
