"""The brand's content catalog: products, buying guides, stories and promotions, loaded from a YAML data file.

The catalog is data, not code, so a brand swaps in its own range by editing `brand/catalog.yml`. Loading validates
every item up front and names the offending item and field, because a typo found at start-up is cheap and one found
mid-conversation is a broken reply.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ITEM_TYPES = ("product", "guide", "story", "promotion")
_REQUIRED = ("id", "type", "title", "description")


class CatalogError(ValueError):
    """The catalog file is missing or an item in it is malformed."""


@dataclass(frozen=True)
class Item:
    """One piece of content the bot can show a customer.

    Attributes:
        id: Stable identifier, unique in the catalog; used in logs, buttons and feedback.
        type: One of `ITEM_TYPES`.
        title: Short human-readable name.
        description: A few sentences, the text the recommender matches against.
        category: Product family (e.g. `tent`); empty for content that is not a product.
        tags: Free keywords (activities, seasons, features).
        price: Price in the brand's currency, for products; None otherwise.
        url: Where the customer can read or buy it.
    """

    id: str
    type: str
    title: str
    description: str
    category: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    price: float | None = None
    url: str | None = None


class Catalog(Sequence[Item]):
    """An ordered, id-indexed, immutable collection of items."""

    def __init__(self, items: Sequence[Item]) -> None:
        self._items = tuple(items)
        self._by_id = {item.id: item for item in self._items}
        if len(self._by_id) != len(self._items):
            seen: set[str] = set()
            dupes = sorted({i.id for i in self._items if i.id in seen or seen.add(i.id)})
            raise CatalogError(f"duplicate item ids: {', '.join(dupes)}")

    def __getitem__(self, index: int) -> Item:  # type: ignore[override]
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self._items)

    def get(self, item_id: str) -> Item | None:
        """Returns the item with this id, or None."""
        return self._by_id.get(item_id)

    @property
    def categories(self) -> set[str]:
        """Product categories present in the catalog."""
        return {item.category for item in self._items if item.category}


def parse_item(raw: Any, position: int) -> Item:
    """Validates one raw YAML mapping and turns it into an `Item`.

    Args:
        raw: The mapping as read from YAML.
        position: 1-based position in the file, for error messages.

    Raises:
        CatalogError: naming the item and the field that is wrong.
    """
    where = f"item #{position}"
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected a mapping, got {type(raw).__name__}")
    where = f"item #{position} ({raw.get('id', 'no id')})"
    for key in _REQUIRED:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise CatalogError(f"{where}: '{key}' is required and must be non-empty text")
    if raw["type"] not in ITEM_TYPES:
        raise CatalogError(f"{where}: type '{raw['type']}' is not one of {', '.join(ITEM_TYPES)}")
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, (str, int)) for t in tags):
        raise CatalogError(f"{where}: 'tags' must be a list of words")
    price = raw.get("price")
    if price is not None and (isinstance(price, bool) or not isinstance(price, (int, float)) or price < 0):
        raise CatalogError(f"{where}: 'price' must be a non-negative number")
    if raw["type"] == "product" and price is None:
        raise CatalogError(f"{where}: products need a 'price'")
    url = raw.get("url")
    if url is not None and not str(url).startswith(("http://", "https://")):
        raise CatalogError(f"{where}: 'url' must start with http:// or https://")
    unknown = set(raw) - {"id", "type", "title", "description", "category", "tags", "price", "url"}
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    return Item(
        id=raw["id"].strip(),
        type=raw["type"],
        title=raw["title"].strip(),
        description=" ".join(raw["description"].split()),
        category=str(raw.get("category") or ""),
        tags=tuple(str(t) for t in tags),
        price=float(price) if price is not None else None,
        url=url,
    )


def load_catalog(path: str | Path) -> Catalog:
    """Reads and validates a catalog file (a YAML document with an `items:` list).

    Raises:
        CatalogError: when the file is missing, is not YAML, or an item is malformed.
    """
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"catalog file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise CatalogError(f"{path}: expected a top-level 'items:' list")
    try:
        return Catalog([parse_item(raw, n) for n, raw in enumerate(document["items"], start=1)])
    except CatalogError as exc:
        raise CatalogError(f"{path}: {exc}") from None
