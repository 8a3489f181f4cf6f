"""Fills the per-turn slots from the NLU (Rasa's global slot-mapping validation): sentiment, and the reply language.

Rasa runs `action_validate_slot_mappings` after each user message; for slots with `custom` mappings it calls our
`extract_<slot>` methods. The NLU pipeline's `SentimentAnalyzer` put the sentiment in the parse data.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.languages import reply_language

# Below this probability a "negative" label is not trusted enough to change the dialogue (only the tone).
UPSET_MIN_SCORE = 0.6


def latest_sentiment(tracker: Tracker) -> dict[str, Any]:
    """The sentiment of the latest user message ({} when the NLU gave none)."""
    sentiment = tracker.latest_message.get("sentiment")
    return sentiment if isinstance(sentiment, dict) else {}


class ValidateSlotMappings(ValidationAction):
    """Extracts `sentiment`, `customer_upset` and `language` from the latest message."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def extract_sentiment(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The latest message's sentiment label; unchanged when there is none."""
        label = latest_sentiment(tracker).get("label")
        return {"sentiment": label} if label else {}

    async def extract_customer_upset(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """True for a confidently negative message, otherwise unset (so it only marks the upset turn)."""
        sentiment = latest_sentiment(tracker)
        upset = sentiment.get("label") == "negative" and float(sentiment.get("score", 0)) >= UPSET_MIN_SCORE
        if upset:
            return {"customer_upset": True}
        return {"customer_upset": None} if tracker.get_slot("customer_upset") is not None else {}

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The language replies are given in (`actions.languages.reply_language`); unchanged when unsure."""
        language = reply_language(tracker, domain)
        return {"language": language} if language else {}
