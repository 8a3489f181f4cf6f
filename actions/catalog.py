"""Answers product questions ("do you have X", "what is Y", "how much is Z") from the catalog."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction
from actions.parsing import price_cap, without_price_cap
from actions.profiles import note_interest
from actions.settings import get_brand, get_search
from recommender.catalog import Item
from recommender.formatting import item_line, money
from recommender.lexical import Hit

# A top hit this many times stronger than the runner-up is "the" product the customer means.
CLEAR_WINNER_RATIO = 1.3


def is_clear_winner(hits: list[Hit]) -> bool:
    """Whether the first hit stands out enough to answer about it alone."""
    return len(hits) == 1 or (len(hits) > 1 and hits[0].score >= CLEAR_WINNER_RATIO * hits[1].score)


def find_products(text: str, category: str | None, k: int = 3) -> list[Hit]:
    """Products matching the text, preferring the asked-for category and respecting a stated budget."""
    search = get_search()
    cap = price_cap(text)

    def affordable_product(item: Item) -> bool:
        return item.type == "product" and (cap is None or (item.price or 0) <= cap)

    query = without_price_cap(text)
    if category and category in search.catalog.categories:
        hits = search.search(query, k, where=lambda item: affordable_product(item) and item.category == category)
        if hits:
            return hits
    return search.search(query, k, where=affordable_product)


class ActionSearchCatalog(ParleyAction):
    """Looks the question up in the catalog and answers with the best match or a short list."""

    fallback_response = "utter_catalog_unavailable"

    def name(self) -> str:
        return "action_search_catalog"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        category = next(tracker.get_latest_entity_values("product_type"), None)
        hits = find_products(text, category)
        if category in get_search().catalog.categories:
            note_interest(tracker, category)
        if not hits:
            dispatcher.utter_message(response="utter_no_catalog_match")
            return []

        symbol = get_brand().currency_symbol
        if is_clear_winner(hits):
            item = hits[0].item
            if intent == "ask_price":
                dispatcher.utter_message(text=f"The {item.title} is {money(item.price or 0, symbol)}. {item.url or ''}")
            else:
                price = f" It's {money(item.price, symbol)}." if item.price is not None else ""
                dispatcher.utter_message(text=f"{item.title}: {item.description}{price} {item.url or ''}".strip())
        else:
            opening = "Here's what they cost:" if intent == "ask_price" else "Yes! Here's what we have:"
            lines = "\n".join(item_line(hit.item, symbol) for hit in hits)
            dispatcher.utter_message(text=f"{opening}\n{lines}")
        return [SlotSet("product_type", category)] if category else []
