"""Pure helpers that read structure out of customer text. No I/O, so they are trivial to test."""

from __future__ import annotations

import re

_PRICE_CAP = re.compile(
    r"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to|no more than)\s*\$?\s*(\d+(?:[.,]\d{1,2})?)",
    re.IGNORECASE,
)


def price_cap(text: str) -> float | None:
    """The budget in phrases like "under $200" or "less than 150", or None if there is none."""
    match = _PRICE_CAP.search(text)
    return float(match.group(1).replace(",", ".")) if match else None


_CHEAPER = re.compile(
    r"\b(?:cheaper|less expensive|more affordable|lower price|too (?:pricey|expensive)|cheapest|costs? less)\b",
    re.IGNORECASE,
)
_NOT_THOSE = re.compile(r"\b(?:not (?:those|these|them|that one)|none of (?:those|these)|others?|different)\b", re.I)


def asks_cheaper(text: str) -> bool:
    """Whether a refinement asks for lower prices without naming a number ("anything cheaper?")."""
    return bool(_CHEAPER.search(text))


def rejects_shown(text: str) -> bool:
    """Whether a refinement rules out what was just shown ("not those, I have wide feet")."""
    return bool(_NOT_THOSE.search(text))


# A product named as where or what the wanted thing is for ("a light for the tent", "snow out of my boots").
_CONTEXT_BEFORE = re.compile(
    r"\b(?:for|in|into|inside|on|onto|out of|under|with|to|fits?|fit in)\s+(?:the|my|our|your|a|an|his|her|their)\s+$",
    re.IGNORECASE,
)


def names_context_only(text: str, start: int | None) -> bool:
    """Whether the product word at `start` names the context of the request rather than what is wanted.

    "a light for the tent my kids can use" asks for a light; "keep snow out of my boots" for gaiters. The product
    type is then no filter, and the request's words decide the type. Without an offset it cannot tell: False.
    """
    if start is None or start <= 0:
        return False
    return bool(_CONTEXT_BEFORE.search(text[:start]))


def normalise_order_number(value: str | None, pattern: str, prefix: str) -> str | None:
    """Canonical form of an order number ("ko123456" -> "KO-123456"), or None if it does not look like one.

    Args:
        value: What the customer typed (or the entity the NLU extracted).
        pattern: Regular expression a full order number matches, case-insensitively.
        prefix: The canonical prefix, e.g. "KO-".
    """
    if not value:
        return None
    candidate = value.strip().upper()
    if not re.fullmatch(pattern, candidate, re.IGNORECASE):
        return None
    digits = re.sub(r"\D", "", candidate)
    return f"{prefix}{digits}"


def without_price_cap(text: str) -> str:
    """The text with its budget phrase removed, so "under $200" does not search for items named "200"."""
    return _PRICE_CAP.sub(" ", text)
