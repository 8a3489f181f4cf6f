"""Fills the store the honest way: by talking to the running bot over REST, as customers would.

Each scripted conversation is sent message by message; button presses use the payloads the bot really offered.
The console's tests and demos use this, so what the console shows was produced by the bot itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.rasa_api import RasaAPI

# (conversation id, metadata, messages). "@button:N" presses the N-th button of the bot's previous reply.
CONVERSATIONS: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "seed-happy-shopper",
        {"display_name": "Anna"},
        [
            "hi there",
            "recommend me something for winter camping",
            "@button:0",
            "thanks, that's great!",
        ],
    ),
    (
        "seed-upset-customer",
        {"display_name": "Ben"},
        [
            "my tent leaked on the first night and I'm really annoyed",
            "yes please",
        ],
    ),
    ("seed-confused", {}, ["asdf qwer zxcv", "blorp blorp", "tell me a joke"]),
    ("seed-order", {"display_name": "Cleo"}, ["where is my order", "KO-123456"]),
    ("seed-html", {}, ["<script>alert('x')</script> do you sell <b>tents</b>?"]),
    ("seed-privacy", {}, ["what do you know about me", "stop personalising my recommendations"]),
    (
        "seed-public-comment",
        {"surface": "comment"},
        ["love your gear! any ideas for a first hike?"],
    ),
    (
        "seed-angry-shipping",
        {"display_name": "Dev"},
        [
            "this is ridiculous, my package is two weeks late and nobody answers",
            "talk to a human",
        ],
    ),
]


def seed(rasa_url: str, progress: Callable[[str], None] = print) -> int:
    """Plays every scripted conversation against the bot; returns how many messages were sent."""
    api = RasaAPI(rasa_url)
    sent = 0
    for sender, metadata, messages in CONVERSATIONS:
        replies: list[dict[str, Any]] = []
        for text in messages:
            if text.startswith("@button:"):
                buttons = [b for r in replies for b in r.get("buttons") or []]
                index = int(text.split(":")[1])
                if index >= len(buttons):
                    continue
                text = buttons[index]["payload"]
            replies = api.send_message(sender, text, metadata)
            sent += 1
        progress(f"  {sender}: {len(messages)} message(s)")
    return sent
