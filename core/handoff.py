"""The handoff rule, once: what pausing and resuming a conversation post to Rasa, and what the inbox then shows.

Three paths hand a conversation over or back: `action_handoff` (the customer asked for a person; the action returns
Rasa's pause event), the console's "Take over" / "Hand back", and `make resume`. All of them produce the same
tracker events and the same inbox state, because all of them use this module:

- pausing appends `pause`; the bot stays silent, the inbox shows the conversation as paused and needing a person;
- resuming appends `resume` and then `action_listen`, which puts the dialogue back at "waiting for the customer".
  Without it the policies see the handoff as the last bot action and hand over again on the next message;
- after a resume nobody is needed any more: the inbox badge clears whichever tool resumed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.rasa_api import RasaAPI

# The actions that mean "a person must answer this": the inbox raises the badge as soon as one runs.
HANDOFF_ACTIONS = frozenset({"action_handoff", "action_other_language"})
PAUSE_EVENTS: tuple[Mapping[str, Any], ...] = ({"event": "pause"},)
RESUME_EVENTS: tuple[Mapping[str, Any], ...] = ({"event": "resume"}, {"event": "action", "name": "action_listen"})


@dataclass(frozen=True)
class InboxState:
    """What the inbox shows for a conversation's handoff."""

    paused: bool
    needs_human: bool


def inbox_state(paused: bool) -> InboxState:
    """The inbox after a pause (a person has it and is needed) or a resume (the bot has it, nobody is needed)."""
    return InboxState(paused=paused, needs_human=paused)


def pause(api: RasaAPI, conversation_id: str) -> None:
    """Stops the bot answering the conversation until it is resumed."""
    api.append_events(conversation_id, PAUSE_EVENTS)


def resume(api: RasaAPI, conversation_id: str) -> None:
    """Hands the conversation back to the bot, ready for the customer's next message."""
    api.append_events(conversation_id, RESUME_EVENTS)
