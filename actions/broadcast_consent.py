"""Consent to broadcasts: asked once, never assumed, and "stop" works at once.

`action_broadcast_consent` answers the `subscribe_broadcasts` and `unsubscribe_broadcasts` intents (typed, or the
buttons: "Yes please" / "No thanks" under the question, "Stop these messages" under every broadcast). The answer
is stored on the person (`store.broadcasts.set_broadcast_consent`); the broadcast job re-reads it before every
message, so a stop tapped mid-broadcast holds for the very next one. It is separate from personalisation: saying
yes to news does not turn personalisation back on, and opting out of personalisation does not stop news.

`ask_for_broadcasts` is how the question is asked: once per person, after they open a recommended item in a
private Telegram chat (the only place a bot may write first), never in public.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction
from actions.profiles import current_user
from actions.settings import get_database, get_outreach_policy
from core.identity import Identity
from store.broadcasts import BROADCAST_CHANNELS, ask_once, set_broadcast_consent
from store.schema import User

logger = logging.getLogger(__name__)

SUBSCRIBE, UNSUBSCRIBE = "subscribe_broadcasts", "unsubscribe_broadcasts"


def reachable(identity: Identity) -> bool:
    """Whether a broadcast could reach this person here: a private chat on a channel where a bot may write first."""
    return identity.channel in BROADCAST_CHANNELS and not identity.is_public


def ask_for_broadcasts(dispatcher: CollectingDispatcher, user: User, identity: Identity, session: Any) -> bool:
    """Asks the question (with Yes / No buttons) if this person was never asked and could be reached; once."""
    if not reachable(identity) or not ask_once(session, user):
        return False
    dispatcher.utter_message(response="utter_ask_broadcasts", per_week=get_outreach_policy().per_week)
    return True


class ActionBroadcastConsent(ParleyAction):
    """Records yes (`subscribe_broadcasts`) or no / stop (`unsubscribe_broadcasts`) to broadcasts."""

    fallback_response = "utter_broadcasts_unsaved"

    def name(self) -> str:
        return "action_broadcast_consent"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        wants = (tracker.latest_message.get("intent") or {}).get("name") == SUBSCRIBE
        with get_database().session() as session:
            user, identity = current_user(session, tracker)
            if wants and not reachable(identity):
                dispatcher.utter_message(response="utter_broadcasts_telegram_only")
                return []
            set_broadcast_consent(session, user, wants)
        if wants:
            dispatcher.utter_message(response="utter_broadcasts_subscribed", per_week=get_outreach_policy().per_week)
        else:
            dispatcher.utter_message(response="utter_broadcasts_stopped")
        return []
