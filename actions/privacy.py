"""Privacy requests: show what Parley holds about the customer, erase it, and switch personalisation.

What is held lives in two places: this conversation's slots and the profile store (interests, logged messages,
reactions to recommendations, segment). Each reply says exactly what was shown or erased, never more than is true:
if the store cannot be reached, the reply says so instead of claiming an erasure that did not happen. In a public
comment nothing personal is shown; the customer is asked to write privately.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import AllSlotsReset, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction
from actions.profiles import current_user, identity_of
from actions.settings import get_catalog, get_database
from core.events import ERASURE_KEY
from core.settings import get_settings
from recommender.text import topic_label
from store.db import scrub
from store.erasure import Footprint, footprint
from store.users import Profile, erase_user, profile, set_consent
from training.erasure import erase_from_training_files

logger = logging.getLogger(__name__)

# Slots that describe the customer (as opposed to conversation plumbing like `requested_slot`).
PERSONAL_SLOTS = {"product_type": "gear you asked about", "order_number": "order number"}
# "Not in public": the reply (domain/privacy.yml) to a privacy request in a public comment.
PRIVATE_ONLY = "utter_private_only"


def remembered_facts(tracker: Tracker) -> dict[str, str]:
    """Human-readable label -> value for every personal slot that is set."""
    return {label: str(tracker.get_slot(slot)) for slot, label in PERSONAL_SLOTS.items() if tracker.get_slot(slot)}


def personalisation_enabled(tracker: Tracker) -> bool:
    """Personalisation is on unless the customer opted out (the slot defaults to true)."""
    return tracker.get_slot("personalisation") is not False


def describe_profile(summary: Profile) -> list[str]:
    """Bullet lines for a stored profile."""
    lines = [f"• first seen: {summary.first_seen} on {summary.channel}"]
    if summary.display_name:
        lines.append(f"• name: {summary.display_name}")
    liked_topics = [t for t, w in sorted(summary.interests.items(), key=lambda kv: -kv[1]) if w > 0][:5]
    if liked_topics:
        lines.append(f"• interests: {', '.join(topic_label(t) for t in liked_topics)}")
    if summary.feedback:
        reactions = ", ".join(
            f"{count} {kind}{'s' if count != 1 else ''}" for kind, count in sorted(summary.feedback.items())
        )
        lines.append(f"• reactions to recommendations: {reactions}")
    if summary.liked_items:
        catalog = get_catalog()
        titles = [catalog.get(i).title for i in summary.liked_items if catalog.get(i)]
        if titles:
            lines.append(f"• items you looked at recently: {', '.join(titles)}")
    if summary.segment:
        lines.append(f"• customer group: {summary.segment}")
    lines.append(f"• messages logged (kept so our team can review them): {summary.messages}")
    lines.append(f"• personalised recommendations: {'on' if summary.consent else 'off'}")
    return lines


class ActionShowMyData(ParleyAction):
    """Lists what Parley holds about the customer: stored profile plus this conversation's memory."""

    def name(self) -> str:
        return "action_show_my_data"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if identity_of(tracker).is_public:
            dispatcher.utter_message(response=PRIVATE_ONLY)
            return []
        lines = [f"• {label}: {value}" for label, value in remembered_facts(tracker).items()]
        try:
            with get_database().session() as session:
                user, _ = current_user(session, tracker)
                lines += describe_profile(profile(session, user))
        except Exception:
            logger.exception("Profile store unavailable for %s", tracker.sender_id)
            lines.append("• (I can't reach your stored profile right now, so this list may be incomplete)")
            lines.append(f"• personalised recommendations: {'on' if personalisation_enabled(tracker) else 'off'}")
        dispatcher.utter_message(response="utter_data_shown", facts="\n".join(lines))
        return []


class ActionDeleteMyData(ParleyAction):
    """Erases the customer's stored profile and this conversation's memory, and says exactly what went."""

    def name(self) -> str:
        return "action_delete_my_data"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if identity_of(tracker).is_public:
            dispatcher.utter_message(response=PRIVATE_ONLY)
            return []
        facts = remembered_facts(tracker)
        remembered = ", ".join(f"{label} ({value})" for label, value in facts.items())
        try:
            with get_database().session() as session:
                user, _ = current_user(session, tracker)
                found = footprint(session, user, tracker.sender_id)
                erased = erase_user(session, user)
            scrub(get_database().engine)
        except Exception:
            logger.exception("Could not erase stored data for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_data_erase_pending")
            return [AllSlotsReset(), SlotSet("personalisation", personalisation_enabled(tracker))]
        erase_copies(found)
        memory = f" I've also forgotten {remembered}." if remembered else ""
        dispatcher.utter_message(
            response="utter_data_erased",
            erased=erased.describe(),
            memory=memory,
            # the Rasa server erases these conversations' trackers and waiting events when the turn ends
            **{ERASURE_KEY: list(found.conversations)},
        )
        return [AllSlotsReset(), SlotSet("personalisation", personalisation_enabled(tracker))]


def erase_copies(found: Footprint) -> None:
    """Removes the customer from the exported training files and retrain candidates (logged by count, not text)."""
    settings = get_settings()
    try:
        files = erase_from_training_files(
            found.conversations,
            found.texts,
            found.message_ids,
            settings.nlu_export,
            settings.stories_export_dir,
            settings.candidates_dir,
        )
    except Exception:
        logger.exception("Could not erase a customer from the training files; retrying is safe")
        return
    if files.stories or files.examples:
        logger.info(
            "Erased %d exported story file(s), %d training example(s) and %d candidate model(s)",
            len(files.stories),
            files.examples,
            len(files.models),
        )


class ActionSetPersonalisation(ParleyAction):
    """Turns personalised recommendations off (`opt_out_personalisation`) or back on, in the store and the slot."""

    def name(self) -> str:
        return "action_set_personalisation"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        enable = intent != "opt_out_personalisation"
        forgotten = 0
        try:
            with get_database().session() as session:
                user, _ = current_user(session, tracker)
                forgotten = set_consent(session, user, enable)
        except Exception:
            logger.exception("Could not store the personalisation choice of %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_choice_unsaved")
            return []
        if enable:
            dispatcher.utter_message(response="utter_personalisation_on")
        else:
            extra = f" I've also forgotten the {forgotten} interest(s) I had noted." if forgotten else ""
            dispatcher.utter_message(response="utter_personalisation_off", extra=extra)
        return [SlotSet("personalisation", enable)]
