"""Answers "recommend me something for …" with a few explained picks chosen for this person.

The embedding recommender (recommender/engine.py) blends the request, the customer's profile from the store,
what similar customers engaged with, and popularity; every pick comes with a reason and two buttons ("show me",
"not for me") whose clicks come back as feedback (actions/feedback.py). If the store is down the picks are simply
not personalised; if the recommender itself fails, keyword search answers instead. Either way the customer gets
picks, and the failure is in the log.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction
from actions.experiments import RankerChoice, choose_ranker
from actions.parsing import asks_cheaper, names_context_only, price_cap, rejects_shown, without_price_cap
from actions.profiles import current_user, identity_of
from actions.settings import (
    get_attributes,
    get_brand,
    get_catalog,
    get_database,
    get_recommender,
    get_search,
    refresh_collaborative,
)
from core.buttons import item_buttons
from core.events import EXPOSURES_KEY, IMPRESSIONS_KEY, ITEMS_KEY
from recommender.catalog import Item
from recommender.clicks import feature_row
from recommender.engine import Recommendation, Request, UserContext
from recommender.formatting import item_line
from recommender.lexical import Hit
from recommender.profiles import user_context
from store.users import add_interest

logger = logging.getLogger(__name__)

MAX_PICKS = 3
MAX_PER_TYPE = 2
REFINE_INTENT = "refine_recommendation"
REQUEST_SLOT = "recommendation_request"


def diversify(hits: list[Hit], k: int = MAX_PICKS, per_type: int = MAX_PER_TYPE) -> list[Hit]:
    """Best-first picks with at most `per_type` items of one type, topped up best-first if that leaves gaps."""
    picked: list[Hit] = []
    counts: dict[str, int] = {}
    for hit in hits:
        if len(picked) < k and counts.get(hit.item.type, 0) < per_type:
            picked.append(hit)
            counts[hit.item.type] = counts.get(hit.item.type, 0) + 1
    for hit in hits:
        if len(picked) >= k:
            break
        if hit not in picked:
            picked.append(hit)
    return picked


def requested_category(text: str, entities: list[dict[str, Any]]) -> str | None:
    """The catalog category the message asks for: its first product type that is not only context, if any."""
    for entity in entities:
        if entity.get("entity") != "product_type" or entity.get("value") not in get_catalog().categories:
            continue
        if not names_context_only(text, entity.get("start")):
            return str(entity["value"])
    return None


def build_requests(tracker: Tracker) -> list[Request]:
    """The request from the latest message (its text minus a budget, category, budget, qualifiers), then fallbacks.

    The first request is the one asked; the others are tried in turn when it finds nothing. A new request with a
    product type falls back to the whole catalog. A refinement ("cheaper", "lighter", "not those, I have wide
    feet") builds on the last request, kept in the `recommendation_request` slot: its text, category, budget and
    qualifiers stay, and the refinement adds its own, never dropping the product type. "Cheaper" with no number
    means under the cheapest pick just shown, else under the dearest with those picks left out; "not those" leaves
    out what was shown.
    """
    text = tracker.latest_message.get("text") or ""
    category = requested_category(text, tracker.latest_message.get("entities") or [])
    cap, wants = price_cap(text), get_attributes().find(text)
    previous = tracker.get_slot(REQUEST_SLOT)
    if (tracker.latest_message.get("intent") or {}).get("name") != REFINE_INTENT or not isinstance(previous, dict):
        request = Request(text=without_price_cap(text), category=category, max_price=cap, wants=wants)
        return [request, replace(request, category=None)] if category else [request]
    shown = [item for i in tracker.get_slot("shown_items") or [] if (item := get_catalog().get(i))]
    prices = [item.price for item in shown if item.price is not None]
    cheaper = cap is None and asks_cheaper(text) and bool(prices)
    if cheaper:
        cap = min(prices) - 0.01
    earlier = tuple(tuple(group) for group in previous.get("wants") or [])
    required = tuple(tuple(group) for group in previous.get("requires") or [])
    request = Request(
        text=f"{previous.get('text', '')} {without_price_cap(text)}".strip(),
        category=category or previous.get("category"),
        max_price=cap if cap is not None else previous.get("max_price"),
        exclude=frozenset(item.id for item in shown) if rejects_shown(text) else frozenset(),
        wants=earlier,
        requires=required + tuple(group for group in wants if group not in required),
    )
    if not cheaper:
        return [request]
    return [request, replace(request, max_price=max(prices) - 0.01, exclude=frozenset(item.id for item in shown))]


def remembered(request: Request) -> dict[str, Any]:
    """The request as the `recommendation_request` slot keeps it (JSON: Rasa stores slots in the tracker)."""
    return {
        "text": request.text,
        "category": request.category,
        "max_price": request.max_price,
        "wants": [list(group) for group in request.wants],
        "requires": [list(group) for group in request.requires],
    }


def personalised_picks(tracker: Tracker, requests: list[Request]) -> tuple[list[Recommendation], RankerChoice]:
    """Picks for the first of `requests` that finds any, personalised when the store answers and the customer allows.

    The ranker is the person's arm of a running ranker experiment, else the blend. Assignment is by the person's
    key and ignores the personalisation choice (assignment is not profiling; the click model sees only this
    request's score parts and the items' facts).

    Args:
        tracker: The conversation (who is asking, in public or not).
        requests: The request asked, then its fallbacks (`build_requests`).

    Returns:
        The picks and the ranker choice that ordered them.
    """
    request = requests[0]
    recommender = get_recommender()
    context = UserContext(personalised=False)
    try:
        with get_database().session() as session:
            user, identity = current_user(session, tracker)
            if request.category:
                add_interest(session, user, request.category, "said")
            context = user_context(session, user, public=identity.is_public)
        refresh_collaborative(recommender)
    except Exception:
        logger.exception("Profile store unavailable for %s; recommending without personalisation", tracker.sender_id)
    choice = choose_ranker(identity_of(tracker).person)
    for attempt in requests:
        picks = recommender.recommend(attempt, context, k=MAX_PICKS, ranker=choice.ranker)
        if picks:
            return picks, choice
    return [], choice


def impressions(picks: list[Recommendation], choice: RankerChoice) -> list[dict[str, Any]]:
    """What each pick was shown with: its position and the features the click model learns from."""
    return [
        {
            "item": pick.item.id,
            "position": position,
            "features": feature_row(pick.components, pick.item),
            "ranker": choice.name,
        }
        for position, pick in enumerate(picks, 1)
    ]


def keyword_picks(request: Request) -> list[Item]:
    """The degraded path: BM25 keyword search with type diversity."""
    cap = request.max_price
    hits = get_search().search(
        request.text, k=20, where=lambda item: cap is None or item.price is None or item.price <= cap
    )
    return [hit.item for hit in diversify(hits)]


class ActionRecommendContent(ParleyAction):
    """Recommends up to three explained catalog items, with feedback buttons."""

    fallback_response = "utter_catalog_unavailable"

    def name(self) -> str:
        return "action_recommend_content"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        requests = build_requests(tracker)
        request = requests[0]
        symbol = get_brand().currency_symbol
        logged: dict[str, Any] = {}
        try:
            picks, choice = personalised_picks(tracker, requests)
            items = [pick.item for pick in picks]
            lines = [f"{item_line(p.item, symbol)}\n   ↳ {p.explanation}" for p in picks]
            logged = {IMPRESSIONS_KEY: impressions(picks, choice)}
            if choice.arms and picks:
                logged[EXPOSURES_KEY] = choice.arms
        except Exception:
            logger.exception("Recommender failed for %s; answering with keyword search", tracker.sender_id)
            items = keyword_picks(request)
            lines = [item_line(item, symbol) for item in items]
        if not items:
            dispatcher.utter_message(response="utter_no_catalog_match")
            return [SlotSet(REQUEST_SLOT, remembered(request))]
        # the lead-in is a response (domain/catalog.yml), in the customer's language; the items stay as the catalog
        # writes them
        dispatcher.utter_message(
            response="utter_picks_public" if identity_of(tracker).is_public else "utter_picks",
            picks="\n".join(lines),
            buttons=item_buttons(items),
            **{ITEMS_KEY: [item.id for item in items]},
            **logged,
        )
        return [SlotSet("shown_items", [item.id for item in items]), SlotSet(REQUEST_SLOT, remembered(request))]
