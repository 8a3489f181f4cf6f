"""Answers a message in a language the brand does not answer in: a short acknowledgement, then a person.

The NLU's `LanguageRouter` gives such a message the intent `other_language`; a rule runs this action. The reply is
in English (the brand's language), names the language so the customer knows they were understood that far, and
says when a person will answer (the team's opening hours, as for any handoff). The conversation is paused for a
person; the interaction log tags it `language:<code>` so the inbox shows who can take it.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import handoff
from actions.base import ParleyAction
from actions.settings import get_care_hours

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {
    "ca": "Catalan",
    "da": "Danish",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "sv": "Swedish",
}


# Below this detector confidence a message does not change the language replies are given in.
SWITCH_MIN_CONFIDENCE = 0.5


def reply_language(tracker: Tracker, domain: DomainDict) -> str | None:
    """The language to answer in from now on, or None to keep the current one.

    The latest message's language, when it is confidently one the domain's `language` slot offers (the brand's
    declared languages). "ok", "KO-123456" or a German sentence never switch a Spanish conversation to English.
    """
    detected = tracker.latest_message.get("language") or {}
    code, confidence = detected.get("code"), float(detected.get("confidence") or 0.0)
    offered = ((domain.get("slots") or {}).get("language") or {}).get("values") or []
    if code in offered and confidence >= SWITCH_MIN_CONFIDENCE and code != tracker.get_slot("language"):
        return str(code)
    return None


class ActionOtherLanguage(ParleyAction):
    """Acknowledges in English, names the language, says when a person answers, and pauses the bot."""

    fallback_response = "utter_handoff_sometime"

    def name(self) -> str:
        return "action_other_language"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        language = tracker.latest_message.get("language") or {}
        code = str(language.get("code") or "")
        name = LANGUAGE_NAMES.get(code, code or "your language")
        try:
            back = get_care_hours().back_phrase(handoff.now())
            when = "usually within a few minutes" if back is None else f"when the team is back {back}"
        except Exception:
            logger.exception("Opening hours unreadable; no time promised to %s", tracker.sender_id)
            when = "as soon as they can"
        dispatcher.utter_message(response="utter_other_language", language=name, when=when)
        return [ConversationPaused()]
