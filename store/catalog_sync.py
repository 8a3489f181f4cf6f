"""Mirrors the YAML catalog into the `catalog_items` table, so feedback rows reference real items."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.catalog import Item
from store.schema import CatalogItem

_FIELDS = ("type", "title", "description", "category", "price", "url")


@dataclass(frozen=True)
class SyncReport:
    """What a sync changed."""

    added: int
    updated: int
    deactivated: int


def sync_catalog(session: Session, items: Iterable[Item]) -> SyncReport:
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
