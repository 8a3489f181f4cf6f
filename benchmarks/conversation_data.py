"""The held-out conversation benchmark's data: single messages and multi-turn conversations, and their splits.

The data (`benchmarks/conversations/`) is written apart from the training data and is never trained on; a test
(`tests/benchmarks/test_conversation_data.py`) fails if any of its texts appears under `data/`. Anything tuned on
it (the fallback threshold) is tuned on the `dev` third only, and the figures the README quotes are the `test`
two thirds, so the benchmark keeps measuring what a new customer would see.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).resolve().parent / "conversations"
MESSAGES = FOLDER / "messages.tsv"
CONVERSATIONS = FOLDER / "conversations.yml"
FALLBACK = "nlu_fallback"
# Labels whose right outcome is declining: the bot must not act on them. Either decline counts as right for
# gibberish (both replies say what the bot can do); out-of-scope requests must be named as such.
NOT_IN_DOMAIN = frozenset({FALLBACK, "out_of_scope"})


@dataclass(frozen=True)
class LabelledMessage:
    """One customer message with the intent the bot should route it to, and its register (praise, slang, ...)."""

    text: str
    intent: str
    register: str

    @property
    def split(self) -> str:
        """`dev` (a third, for choosing settings) or `test` (reported), fixed by the text's hash."""
        return split_of(self.text)

    @property
    def in_domain(self) -> bool:
        """True for messages the bot should act on (not gibberish, not out of scope)."""
        return self.intent not in NOT_IN_DOMAIN

    def routed_right(self, predicted: str) -> bool:
        """Whether `predicted` is the right route: the label, or for gibberish either way of declining."""
        if self.intent == FALLBACK:
            return predicted in NOT_IN_DOMAIN
        return predicted == self.intent


@dataclass(frozen=True)
class Turn:
    """One customer turn and what the bot should do with it."""

    user: str
    expect: tuple[str, ...]
    picks: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Conversation:
    """A named multi-turn conversation."""

    name: str
    turns: tuple[Turn, ...]


def split_of(text: str) -> str:
    """`dev` for about a third of texts, `test` for the rest; stable across runs and machines."""
    return "dev" if hashlib.sha256(text.encode("utf-8")).digest()[0] % 3 == 0 else "test"


def read_messages(path: Path = MESSAGES) -> list[LabelledMessage]:
    """The single messages (TSV: intent, register, text; no header)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [LabelledMessage(text=text, intent=intent, register=register) for intent, register, text in rows]


def read_conversations(path: Path = CONVERSATIONS) -> list[Conversation]:
    """The multi-turn conversations."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
    return [
        Conversation(
            name=c["name"],
            turns=tuple(Turn(str(t["user"]), tuple(t["expect"]), dict(t.get("picks") or {})) for t in c["turns"]),
        )
        for c in raw
    ]


def all_texts() -> list[str]:
    """Every customer text in the benchmark, singles and conversation turns."""
    return [m.text for m in read_messages()] + [t.user for c in read_conversations() for t in c.turns]
