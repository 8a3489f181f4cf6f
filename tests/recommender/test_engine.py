import numpy as np
import pytest

from recommender.catalog import Item
from recommender.collaborative import Engagement, ItemItemModel
from recommender.encoders import HashingEncoder
from recommender.engine import Recommender, Request, UserContext


def test_request_finds_matching_items_and_names_what_they_have(catalog):
    from recommender.qualifiers import load_attributes
    from tests.recommender.conftest import BRAND_DIR

    recommender = Recommender.build(
        list(catalog), HashingEncoder(), attributes=load_attributes(BRAND_DIR / "attributes.yml")
    )
    picks = recommender.recommend(Request("tent for two people backpacking"), k=3)
    assert [p.item.category for p in picks] == ["tent", "tent", "tent"]
    # The item's own attributes in the brand's words, not the request echoed back.
    assert [p.explanation for p in picks if p.item.id == "tent-ridgeline-2"] == [
        "Because it's made for backpacking and sized for two."
    ]


def test_hard_filters_are_respected(hashing_recommender, catalog):
    picks = hashing_recommender.recommend(Request("warm insulated jacket", category="jacket", max_price=200), k=5)
    assert picks and all(p.item.category == "jacket" and p.item.price <= 200 for p in picks)
    guides = hashing_recommender.recommend(Request("camping", types=("guide",)), k=3)
    assert guides and all(p.item.type == "guide" for p in guides)
    best = hashing_recommender.recommend(Request("tent for two people"), k=1)[0].item.id
    again = hashing_recommender.recommend(Request("tent for two people"), UserContext(dismissed=frozenset({best})), k=3)
    assert best not in [p.item.id for p in again]


def test_nonsense_gets_no_picks(hashing_recommender):
    assert hashing_recommender.recommend(Request("zzqx blorp"), k=3) == []


@pytest.mark.parametrize("encoder", ["hashing", "minilm"])
def test_same_question_different_histories_different_explained_picks(encoder, request):
    recommender = request.getfixturevalue(f"{encoder}_recommender")
    runner = UserContext(history={"shoe-talus-gtx": 2.0}, interests={"trail_running_shoe": 3.0})
    camper = UserContext(history={"tent-ridgeline-2": 2.0}, interests={"tent": 3.0})
    question = Request("recommend me something")
    for_runner = recommender.recommend(question, runner, k=3)
    for_camper = recommender.recommend(question, camper, k=3)
    assert [p.item.id for p in for_runner] != [p.item.id for p in for_camper]
    assert any("trail running shoes" in p.explanation or "Talus" in p.explanation for p in for_runner)
    assert any("tents" in p.explanation or "Ridgeline" in p.explanation for p in for_camper)
    assert "Talus" not in " ".join(p.explanation for p in for_camper)  # never cites someone else's history


def test_opted_out_users_get_the_anonymous_ranking(hashing_recommender):
    private = UserContext(personalised=False, history={"tent-ridgeline-2": 2.0}, interests={"tent": 5.0})
    anonymous = hashing_recommender.recommend(Request("warm jacket"), UserContext(), k=3)
    opted_out = hashing_recommender.recommend(Request("warm jacket"), private, k=3)
    assert [p.item.id for p in opted_out] == [p.item.id for p in anonymous]
    assert not any("you liked" in p.explanation or "interested" in p.explanation for p in opted_out)


def _items():
    return [
        Item(
            id="a", type="product", title="Alpha stove", description="compact gas stove for camping", category="stove"
        ),
        Item(
            id="b", type="product", title="Bravo mug", description="titanium mug for camp coffee", category="cookware"
        ),
        Item(id="c", type="product", title="Charlie sock", description="merino hiking sock", category="accessory"),
        Item(id="d", type="product", title="Delta sock", description="merino hiking sock", category="accessory"),
    ]


def test_collaborative_signal_and_its_explanation():
    items = _items()
    engagements = [Engagement(u, i) for u in range(5) for i in ("a", "b")] + [Engagement(9, "c")]
    model = ItemItemModel([i.id for i in items]).fit(engagements)
    assert model.scores({"a": 1.0})[1] > 0  # a -> b co-engagement
    assert model.scores({"a": 1.0})[2] == 0
    recommender = Recommender(items, HashingEncoder().encode([i.description for i in items]), HashingEncoder(), model)
    pick = recommender.recommend(Request(), UserContext(history={"a": 1.0}), k=1)[0]
    assert pick.item.id == "b"
    assert "people who liked Alpha stove also liked it" in pick.explanation


def test_popularity_and_segments_drive_cold_start():
    items = _items()
    model = ItemItemModel([i.id for i in items]).fit([Engagement(u, "c") for u in range(4)])
    recommender = Recommender(items, HashingEncoder().encode([i.description for i in items]), HashingEncoder(), model)
    assert (
        recommender.recommend(Request(), UserContext(), k=1)[0].explanation
        == "Because it's popular with our customers."
    )
    in_segment = UserContext(segment_name="Cooks", segment_popularity={"b": 3})
    pick = recommender.recommend(Request(), in_segment, k=1)[0]
    assert pick.item.id == "b" and "popular with customers into cooks" in pick.explanation


def test_mmr_avoids_near_duplicates():
    items = _items()
    vectors = HashingEncoder().encode([i.description for i in items])
    recommender = Recommender(items, vectors, HashingEncoder()).with_weights(mmr_lambda=0.5)
    picks = [p.item.id for p in recommender.recommend(Request("merino hiking sock camping"), k=2)]
    assert sorted(picks) != ["c", "d"]  # two identical socks are one idea


def test_rejects_mismatched_vectors():
    with pytest.raises(ValueError):
        Recommender(_items(), np.zeros((2, 8)), HashingEncoder())


def test_minilm_ranks_by_meaning(minilm_recommender):
    picks = minilm_recommender.recommend(Request("a shelter for two people"), k=3)
    assert picks[0].item.category == "tent"
    assert minilm_recommender.recommend(Request("zzqx blorp"), k=3) == []
