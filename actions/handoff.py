"""Hands a conversation to a person: tells the customer, then pauses the bot for that conversation.

While paused, Rasa records incoming messages but the bot stays silent; a manager resumes it (the review console,
or `make resume SENDER=<id>`), which appends Rasa's `resume` event.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction


class ActionHandoff(ParleyAction):
    """Announces the handoff and pauses the bot."""

    fallback_response = "utter_handoff"

    def name(self) -> str:
        return "action_handoff"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_handoff")
        return [ConversationPaused()]
