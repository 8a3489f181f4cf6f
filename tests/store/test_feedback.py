import pytest

from core.identity import Identity
from recommender.catalog import Item
from store.catalog_sync import sync_catalog
from store.feedback import UnknownItem, feedback_log, record_feedback, user_feedback
from store.schema import CatalogItem
from store.users import upsert_user

ITEMS = [
    Item(id="a", type="product", title="A", description="a", category="tent", tags=("camping",), price=100),
    Item(id="b", type="guide", title="B", description="b"),
]


def test_feedback_is_recorded_and_validated(database):
    with database.session() as session:
        sync_catalog(session, ITEMS)
        user = upsert_user(session, Identity("rest", "u"))
        record_feedback(session, user, "a", "click")
        record_feedback(session, user, "b", "dismiss")
        with pytest.raises(UnknownItem):
            record_feedback(session, user, "nope", "click")
        with pytest.raises(ValueError, match="unknown feedback kind"):
            record_feedback(session, user, "a", "love")
        assert [(e.item_id, e.kind) for e in user_feedback(session, user.id)] == [("a", "click"), ("b", "dismiss")]
        assert len(feedback_log(session)) == 2


def test_catalog_sync_adds_updates_and_deactivates(database):
    with database.session() as session:
        assert sync_catalog(session, ITEMS).added == 2
        assert sync_catalog(session, ITEMS) == type(sync_catalog(session, ITEMS))(0, 0, 0)
        changed = [Item(id="a", type="product", title="A2", description="a", price=90)]
        report = sync_catalog(session, changed)
        assert (report.added, report.updated, report.deactivated) == (0, 1, 1)
    with database.session() as session:
        assert session.get(CatalogItem, "a").title == "A2"
        assert session.get(CatalogItem, "b").active is False  # kept for old feedback, hidden from now on
