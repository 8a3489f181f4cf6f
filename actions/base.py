"""A base for Parley's actions: a failing dependency degrades the reply instead of losing the turn.

If an action's own code raises (the catalog file is broken, a store is down), the customer still gets a useful
reply and the failure goes to the log with its traceback. Rasa would otherwise answer nothing at all.
"""

from __future__ import annotations

import abc
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

logger = logging.getLogger(__name__)


class ParleyAction(Action, abc.ABC):
    """An action whose failures fall back to a polite response.

    Subclasses implement `name()` and `act()`, and may set `fallback_response` to the domain response sent when
    `act()` raises.
    """

    fallback_response = "utter_default"

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abc.abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        """Does the action's work; may raise."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        """Runs `act()`, turning an exception into the fallback response."""
        try:
            return await self.act(dispatcher, tracker, domain)
        except Exception:
            logger.exception(
                "%s failed for conversation %s; sent %s", self.name(), tracker.sender_id, self.fallback_response
            )
            dispatcher.messages.clear()
            dispatcher.utter_message(response=self.fallback_response)
            return []
