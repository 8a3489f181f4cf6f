"""How catalog items are written in messages, shared by every action and the broadcast job that show items."""

from __future__ import annotations

from recommender.catalog import Item


def money(amount: float, symbol: str) -> str:
    """Formats a price: "$349" for whole amounts, "$34.95" otherwise."""
    return f"{symbol}{amount:,.0f}" if float(amount).is_integer() else f"{symbol}{amount:,.2f}"


def first_sentence(text: str, limit: int = 160) -> str:
    """The opening sentence of a description, cut at `limit` characters."""
    end = text.find(". ")
    sentence = text if end == -1 else text[: end + 1]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def item_line(item: Item, symbol: str) -> str:
    """One line per item: title, price when it has one, the gist, and the link."""
    price = f" ({money(item.price, symbol)})" if item.price is not None else ""
    link = f" {item.url}" if item.url else ""
    return f"• {item.title}{price}: {first_sentence(item.description)}{link}"
