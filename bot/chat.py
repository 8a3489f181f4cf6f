"""Terminal chat with a running Parley server over its REST channel (`make chat`).

Talks to the same server customers reach, so what you see is what they get, including the handoff pause.
Uses only the standard library and `core` (no Rasa), so it starts instantly.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from typing import Any

from core.rasa_api import RasaAPI
from core.settings import get_settings


def send(url: str, sender: str, message: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Posts one message to the REST webhook and returns the bot's replies.

    Raises:
        ConnectionError: when the server cannot be reached or answers with an error.
    """
    return RasaAPI(url).send_message(sender, message, timeout=timeout)


def render(reply: dict[str, Any]) -> str:
    """One bot reply as terminal text, with buttons listed as numbered choices."""
    lines = [reply.get("text") or ""]
    for number, button in enumerate(reply.get("buttons") or [], start=1):
        lines.append(f"   [{number}] {button.get('title')}")
    if reply.get("image"):
        lines.append(f"   (image: {reply['image']})")
    return "\n".join(line for line in lines if line)


def main(argv: list[str] | None = None) -> int:
    """Reads lines from the user until EOF or Ctrl-C; a number picks a button of the last reply."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=get_settings().rasa_url)
    parser.add_argument("--sender", default=f"terminal-{uuid.uuid4().hex[:8]}")
    args = parser.parse_args(argv)

    print(f"Chatting as {args.sender} with {args.url}. Ctrl-D or Ctrl-C to quit.")
    buttons: list[dict[str, Any]] = []
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.strip().isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            replies = send(args.url, args.sender, text)
        except ConnectionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if not replies:
            print("bot> (no reply: the conversation may be handed over to a person)")
        buttons = []
        for reply in replies:
            print(f"bot> {render(reply)}")
            buttons.extend(reply.get("buttons") or [])


if __name__ == "__main__":
    sys.exit(main())
