"""Hands a conversation to a person: tells the customer when someone will answer, then pauses the bot.

Inside the team's opening hours (`brand.yml`, `care_hours`; `core.hours`) the reply says "usually within a few
minutes"; outside them it says when the team is back ("at 8am Mountain Time, in about 5 hours"). If the hours cannot
be read, the reply promises no time, and the conversation is handed over all the same.

While paused, Rasa records incoming messages but the bot stays silent; a manager resumes it (the review console,
or `make resume SENDER=<id>`), which appends Rasa's `resume` event.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction
from actions.settings import get_care_hours

logger = logging.getLogger(__name__)


def now() -> datetime:
    """The moment the reply is about (tests replace it: opening hours are tested at any hour, never by waiting)."""
    return datetime.now(timezone.utc)


class ActionHandoff(ParleyAction):
    """Announces the handoff, with when a person will answer, and pauses the bot."""

    fallback_response = "utter_handoff_sometime"

    def name(self) -> str:
        return "action_handoff"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        try:
            back = get_care_hours().back_phrase(now(), tracker.get_slot("language") or "en")
        except Exception:
            logger.exception("Opening hours unreadable; handing %s over without a time", tracker.sender_id)
            dispatcher.utter_message(response="utter_handoff_sometime")
            return [ConversationPaused()]
        if back is None:
            dispatcher.utter_message(response="utter_handoff")
        else:
            dispatcher.utter_message(response="utter_handoff_closed", back=back)
        return [ConversationPaused()]
