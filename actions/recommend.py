"""Answers "recommend me something for …" with a small, varied set of catalog items.

This first version ranks by keywords (BM25) and mixes content types, so a request gets gear plus a guide or story
rather than three near-identical products.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction
from actions.formatting import item_line
from actions.parsing import price_cap, without_price_cap
from actions.settings import get_brand, get_search
from recommender.lexical import Hit

MAX_PICKS = 3
MAX_PER_TYPE = 2


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


def recommendation_query(tracker: Tracker) -> str:
    """What to search for: the request, plus the product type remembered from earlier if personalisation is on."""
    text = tracker.latest_message.get("text") or ""
    remembered = tracker.get_slot("product_type")
    if remembered and tracker.get_slot("personalisation") is not False:
        return f"{text} {remembered.replace('_', ' ')}"
    return text


class ActionRecommendContent(ParleyAction):
    """Recommends up to three catalog items for the customer's request."""

    fallback_response = "utter_catalog_unavailable"

    def name(self) -> str:
        return "action_recommend_content"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        query = recommendation_query(tracker)
        cap = price_cap(query)
        hits = get_search().search(
            without_price_cap(query), k=20, where=lambda item: cap is None or item.price is None or item.price <= cap
        )
        picks = diversify(hits)
        if not picks:
            dispatcher.utter_message(response="utter_no_catalog_match")
            return []
        symbol = get_brand().currency_symbol
        lines = "\n".join(item_line(hit.item, symbol) for hit in picks)
        dispatcher.utter_message(text=f"Here are a few picks for you:\n{lines}")
        return []
