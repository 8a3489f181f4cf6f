from rasa_sdk.events import SlotSet

from actions.catalog import ActionSearchCatalog
from tests.conftest import texts


async def test_two_person_tents_are_listed_with_prices(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        "do you sell tents for two people?",
        intent="product_info",
        entities=[{"entity": "product_type", "value": "tent"}],
    )
    events = await ActionSearchCatalog().run(dispatcher, tracker, domain)

    [reply] = texts(dispatcher)
    assert reply.startswith("Yes! Here's what we have:")
    assert "Tent" in reply and "$" in reply
    assert events == [SlotSet("product_type", "tent")]


async def test_price_of_a_named_product(make_tracker, dispatcher, domain):
    tracker = make_tracker("how much is the ridgeline 2 tent", intent="ask_price")
    await ActionSearchCatalog().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith("The Ridgeline 2 Ultralight Tent is $349.")


async def test_budget_is_respected(make_tracker, dispatcher, domain):
    tracker = make_tracker("do you have a tent under $200", intent="product_info")
    await ActionSearchCatalog().run(dispatcher, tracker, domain)
    reply = texts(dispatcher)[0]
    assert "Hollow 2" in reply
    assert "Ridgeline 2" not in reply  # $349


async def test_nothing_matches(make_tracker, dispatcher, domain):
    tracker = make_tracker("do you sell zzqx", intent="product_info")
    assert await ActionSearchCatalog().run(dispatcher, tracker, domain) == []
    assert texts(dispatcher) == ["utter_no_catalog_match"]


async def test_broken_catalog_degrades_to_a_polite_reply(make_tracker, dispatcher, domain, tmp_path, monkeypatch):
    (tmp_path / "brand.yml").write_text("name: X\n")
    (tmp_path / "catalog.yml").write_text("items: [")
    monkeypatch.setenv("PARLEY_BRAND_DIR", str(tmp_path))
    tracker = make_tracker("do you have tents", intent="product_info")

    assert await ActionSearchCatalog().run(dispatcher, tracker, domain) == []
    assert texts(dispatcher) == ["utter_catalog_unavailable"]
