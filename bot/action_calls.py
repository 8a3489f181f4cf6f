"""What the Rasa server sends the action server: the recent turns, not the whole conversation.

Rasa's `RemoteAction` sends the tracker with every event of the session on every custom action call (and a turn
makes two: `action_validate_slot_mappings`, then the answering action). A long conversation therefore grows every
call, the action server parses all of it, and every message the customer ever wrote travels again. Parley's
actions read the slots, the latest message, and at most the last few turns (the clarify action re-issues the
message before a tap; the fallback looks back one turn), so `install` makes Rasa send the events of the last
`turns` user messages only. Slots, the latest message, the active loop and `paused` are sent as before: they are
the conversation's state whatever its length.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

DEFAULT_TURNS = 10


def recent_events(events: Iterable[Any], turns: int) -> list[Any]:
    """The events from the `turns`-th last user message on (all of them if there are fewer user messages)."""
    ordered = list(events)
    seen = 0
    for position in range(len(ordered) - 1, -1, -1):
        if getattr(ordered[position], "type_name", None) == "user":
            seen += 1
            if seen == turns:
                return ordered[position:]
    return ordered


def install(turns: int = DEFAULT_TURNS) -> None:
    """Makes Rasa's custom action calls carry only the recent events (idempotent; call before Rasa runs).

    The body is Rasa 3.6's `RemoteAction._action_call_format` with the events windowed; the rest (version, the
    domain unless selective) is unchanged.
    """
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import EventVerbosity

    if getattr(RemoteAction._action_call_format, "parley_turns", None) is not None:
        return

    def call_format(self: RemoteAction, tracker: Any, domain: Any) -> dict[str, Any]:
        state = tracker.current_state(EventVerbosity.NONE)
        state["events"] = [event.as_dict() for event in recent_events(tracker.events, turns)]
        result = {
            "next_action": self._name,
            "sender_id": tracker.sender_id,
            "tracker": state,
            "version": rasa.__version__,
        }
        if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
            result["domain"] = domain.as_dict()
        return result

    call_format.parley_turns = turns  # type: ignore[attr-defined]
    RemoteAction._action_call_format = call_format  # type: ignore[method-assign]
