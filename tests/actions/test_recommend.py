from actions.recommend import ActionRecommendContent, diversify, recommendation_query
from recommender.catalog import Item
from recommender.lexical import Hit
from tests.conftest import texts


def hit(item_id, item_type, score):
    return Hit(Item(id=item_id, type=item_type, title=item_id, description="d"), score)


def test_diversify_caps_each_type_then_tops_up():
    hits = [hit("p1", "product", 9), hit("p2", "product", 8), hit("p3", "product", 7), hit("g1", "guide", 1)]
    assert [h.item.id for h in diversify(hits, k=3, per_type=2)] == ["p1", "p2", "g1"]
    only_products = hits[:3]
    assert [h.item.id for h in diversify(only_products, k=3, per_type=2)] == ["p1", "p2", "p3"]


def test_query_uses_remembered_product_type_only_with_consent(make_tracker):
    tracker = make_tracker("something for the weekend", slots={"product_type": "sleeping_bag"})
    assert recommendation_query(tracker) == "something for the weekend sleeping bag"
    opted_out = make_tracker(
        "something for the weekend", slots={"product_type": "sleeping_bag", "personalisation": False}
    )
    assert recommendation_query(opted_out) == "something for the weekend"


async def test_recommends_a_mix_for_winter_camping(make_tracker, dispatcher, domain):
    tracker = make_tracker("recommend me something for winter camping", intent="request_recommendation")
    await ActionRecommendContent().run(dispatcher, tracker, domain)
    [reply] = texts(dispatcher)
    assert reply.startswith("Here are a few picks for you:")
    assert reply.count("•") == 3
    assert "Winter" in reply


async def test_nothing_to_recommend(make_tracker, dispatcher, domain):
    tracker = make_tracker("zzqx blorp", intent="request_recommendation")
    await ActionRecommendContent().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ["utter_no_catalog_match"]
