"""Rasa's custom action calls carry the recent turns only, with the whole conversation's state."""

from __future__ import annotations

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import action_calls

DOMAIN = Domain.from_dict(
    {"slots": {"product_type": {"type": "text", "mappings": [{"type": "custom"}]}}, "actions": ["action_x"]}
)


def long_tracker(turns: int) -> DialogueStateTracker:
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    tracker.update(SlotSet("product_type", "tent"))  # set in the first turn, long before the window
    for n in range(turns):
        tracker.update(UserUttered(f"message {n}", {"name": "greet", "confidence": 1.0}))
        tracker.update(ActionExecuted("utter_greet"))
        tracker.update(BotUttered(f"reply {n}"))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


def test_the_action_server_gets_the_last_turns_and_the_whole_state():
    """Before: the body held all 300 turns' events (1,201 events) on every call."""
    action_calls.install(turns=10)
    body = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:9/webhook"))._action_call_format(
        long_tracker(300), DOMAIN
    )
    events = body["tracker"]["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == [f"message {n}" for n in range(290, 300)]
    assert len(events) == 40
    assert body["tracker"]["slots"]["product_type"] == "tent"
    assert body["tracker"]["latest_message"]["text"] == "message 299"
    assert body["next_action"] == "action_x" and body["sender_id"] == "c1" and "version" in body


def test_a_short_conversation_is_sent_whole():
    tracker = long_tracker(3)
    assert action_calls.recent_events(tracker.events, 10) == list(tracker.events)
