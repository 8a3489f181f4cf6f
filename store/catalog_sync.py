"""Mirrors the YAML catalog into the `catalog_items` table, so feedback rows reference real items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.schema import CatalogItem

_FIELDS = ("type", "title", "description", "category", "price", "url")


class CatalogEntry(Protocol):
    """What the store mirrors of a catalog item (the recommender's `Item` is one); the store never imports it."""

    id: str
    type: str
    title: str
    description: str
    category: str
    tags: Sequence[str]
    price: float | None
    url: str | None


@dataclass(frozen=True)
class SyncReport:
    """What a sync changed."""

    added: int
    updated: int
    deactivated: int


def sync_catalog(session: Session, items: Iterable[CatalogEntry]) -> SyncReport:
    """Adds new items, updates changed ones and deactivates those no longer in the catalog (never deletes)."""
    wanted = {item.id: item for item in items}
    existing = {row.id: row for row in session.execute(select(CatalogItem)).scalars()}
    added = updated = deactivated = 0
    for item_id, item in wanted.items():
        row = existing.get(item_id)
        values = {name: getattr(item, name) for name in _FIELDS}
        values["tags"] = list(item.tags)
        if row is None:
            session.add(CatalogItem(id=item_id, active=True, **values))
            added += 1
            continue
        changed = not row.active or any(getattr(row, name) != value for name, value in values.items())
        if changed:
            for name, value in values.items():
                setattr(row, name, value)
            row.active = True
            updated += 1
    for item_id, row in existing.items():
        if item_id not in wanted and row.active:
            row.active = False
            deactivated += 1
    session.flush()
    return SyncReport(added, updated, deactivated)
