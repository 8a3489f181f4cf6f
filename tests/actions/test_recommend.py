import json

from rasa_sdk.executor import CollectingDispatcher

from actions import settings
from actions.feedback import ActionRecordFeedback
from actions.recommend import ActionRecommendContent, diversify
from core.buttons import item_buttons, payload
from recommender.catalog import Item
from recommender.lexical import Hit
from store.users import find_user, interest_weights
from tests.conftest import rendered, texts


def hit(item_id, item_type, score):
    return Hit(Item(id=item_id, type=item_type, title=item_id, description="d"), score)


def test_diversify_caps_each_type_then_tops_up():
    hits = [hit("p1", "product", 9), hit("p2", "product", 8), hit("p3", "product", 7), hit("g1", "guide", 1)]
    assert [h.item.id for h in diversify(hits, k=3, per_type=2)] == ["p1", "p2", "g1"]
    assert [h.item.id for h in diversify(hits[:3], k=3, per_type=2)] == ["p1", "p2", "p3"]


def test_button_payloads_parse_and_fit_telegram():
    assert payload("click_item", "tent-1") == '/click_item{"item_id":"tent-1"}'
    for item in settings.get_catalog():
        for button in item_buttons([item]):
            assert len(button["payload"].encode()) <= 64
            assert json.loads("{" + button["payload"].split("{", 1)[1])["item_id"] == item.id


async def recommend(make_tracker, sender, text="recommend me something", entities=None, metadata=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text, intent="request_recommendation", sender_id=sender, entities=entities, metadata=metadata
    )
    events = await ActionRecommendContent().run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    return {**message, "text": rendered(message)}, events


async def react(make_tracker, sender, intent, item_id=None, slots=None):
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "item_id", "value": item_id}] if item_id else []
    tracker = make_tracker(f"/{intent}", intent=intent, sender_id=sender, entities=entities, slots=slots)
    events = await ActionRecordFeedback().run(dispatcher, tracker, {})
    return texts(dispatcher)[0], events


async def test_recommends_explained_picks_with_buttons_and_logs_them(make_tracker):
    message, events = await recommend(make_tracker, "u1", "recommend me something for winter camping")
    assert message["text"].startswith("Here are a few picks for you:")
    assert message["text"].count("•") == 3 and message["text"].count("↳ Because") == 3
    assert "made for winter" in message["text"]  # the attribute that matched, not the request echoed back
    shown = message["parley_items"]
    assert len(shown) == 3 and events[0]["value"] == shown
    assert [b["payload"] for b in message["buttons"][::2]] == [payload("click_item", i) for i in shown]


async def test_nothing_to_recommend(make_tracker):
    message, _ = await recommend(make_tracker, "u1", "zzqx blorp")
    assert message["response"] == "utter_no_catalog_match"


async def test_same_question_different_histories_different_explained_picks(make_tracker):
    await react(make_tracker, "runner", "click_item", "shoe-talus-gtx")
    await react(make_tracker, "camper", "click_item", "tent-ridgeline-2")
    for_runner, _ = await recommend(make_tracker, "runner")
    for_camper, _ = await recommend(make_tracker, "camper")
    assert for_runner["parley_items"] != for_camper["parley_items"]
    catalog = settings.get_catalog()
    assert [catalog.get(i).category for i in for_runner["parley_items"]] == ["trail_running_shoe"] * 3
    assert [catalog.get(i).category for i in for_camper["parley_items"]] == ["tent"] * 3
    assert "shoe-talus-gtx" not in for_runner["parley_items"]  # the one they already liked is not offered again
    because = [line.strip() for line in for_runner["text"].splitlines() if "↳" in line]
    assert because == ["↳ Because you liked Talus GTX Waterproof Trail Runner."] * 3
    because = [line.strip() for line in for_camper["text"].splitlines() if "↳" in line]
    assert because == ["↳ Because you liked Ridgeline 2 Ultralight Tent."] * 3


async def test_feedback_changes_the_next_recommendation(make_tracker):
    tent = [{"entity": "product_type", "value": "tent"}]
    first, _ = await recommend(make_tracker, "u2", "a tent for two people", entities=tent)
    dismissed = first["parley_items"][0]
    reply, events = await react(
        make_tracker, "u2", "dismiss_item", dismissed, slots={"shown_items": first["parley_items"]}
    )
    assert reply.startswith("Noted, I won't suggest")
    assert events[0]["value"] == first["parley_items"][1:]
    second, _ = await recommend(make_tracker, "u2", "a tent for two people", entities=tent)
    assert dismissed not in second["parley_items"]
    with settings.get_database().session() as session:
        user = find_user(session, "rest", "u2")
        assert interest_weights(session, user.id)["tent"] == 2.0 - 1.0  # asked twice (+1 each), dismissed one tent (-1)


async def test_typed_not_for_me_dismisses_everything_shown(make_tracker):
    first, _ = await recommend(make_tracker, "u3", "a warm jacket")
    reply, events = await react(make_tracker, "u3", "dismiss_item", slots={"shown_items": first["parley_items"]})
    assert reply.count(",") >= 1 and events[0]["value"] == []
    again, _ = await recommend(make_tracker, "u3", "a warm jacket")
    assert not set(again["parley_items"]) & set(first["parley_items"])


async def test_click_replies_with_the_item_and_records_interest(make_tracker):
    reply, _ = await react(make_tracker, "u4", "click_item", "tent-ridgeline-2")
    assert reply.startswith("Good choice! ") and "Ridgeline" in reply
    with settings.get_database().session() as session:
        assert interest_weights(session, find_user(session, "rest", "u4").id) == {"tent": 2.0}
    unknown, _ = await react(make_tracker, "u4", "click_item", "no-such-item")
    assert "not sure which item" in unknown


async def test_public_comments_never_use_the_profile(make_tracker):
    await react(make_tracker, "fan", "click_item", "shoe-talus-gtx")
    public, _ = await recommend(make_tracker, "fan", metadata={"surface": "comment"})
    assert public["text"].startswith("A few ideas:")
    assert "you liked" not in public["text"] and "interested in" not in public["text"]


async def test_store_outage_degrades_to_unpersonalised_picks(make_tracker, monkeypatch):
    monkeypatch.setenv("PARLEY_DB_URL", "postgresql+psycopg2://nobody@127.0.0.1:9/none?connect_timeout=1")
    settings.reset_caches()
    message, _ = await recommend(make_tracker, "u5", "a tent for two people")
    assert message["text"].count("•") == 3
    reply, _ = await react(make_tracker, "u5", "click_item", "tent-ridgeline-2")
    assert reply.startswith("Good choice!")  # the click could not be stored, the customer still gets the item


async def test_recommender_failure_falls_back_to_keyword_search(make_tracker, monkeypatch):
    def broken():
        raise RuntimeError("model files missing")

    monkeypatch.setattr("actions.recommend.get_recommender", broken)
    message, _ = await recommend(make_tracker, "u6", "recommend me something for winter camping")
    assert message["text"].count("•") == 3 and "Because" not in message["text"]


async def test_opted_out_users_get_no_interest_tracking(make_tracker):
    from actions.privacy import ActionSetPersonalisation

    tracker = make_tracker("stop personalising", intent="opt_out_personalisation", sender_id="u7")
    await ActionSetPersonalisation().run(CollectingDispatcher(), tracker, {})
    await react(make_tracker, "u7", "click_item", "shoe-talus-gtx")
    message, _ = await recommend(make_tracker, "u7", "jacket", entities=[{"entity": "product_type", "value": "jacket"}])
    assert "you liked" not in message["text"]
    with settings.get_database().session() as session:
        assert interest_weights(session, find_user(session, "rest", "u7").id) == {}


async def test_cold_start_uses_the_segment_of_similar_customers(make_tracker):
    from recommender.segments import compute_segments

    # Six customers who asked about stoves all tapped the same cookware item.
    for i in range(6):
        sender = f"cook{i}"
        await recommend(make_tracker, sender, "stoves", entities=[{"entity": "product_type", "value": "stove"}])
        await react(make_tracker, sender, "click_item", "cook-trail-set")
    with settings.get_database().session() as session:
        segments = compute_segments(session)
    assert segments and "stoves" in segments[0].name.lower()
    # A newcomer with the same interest and no history of their own gets what that segment liked, and is told why.
    await recommend(make_tracker, "newcomer", "stoves", entities=[{"entity": "product_type", "value": "stove"}])
    second, _ = await recommend(make_tracker, "newcomer")
    assert "cook-trail-set" in second["parley_items"]
    assert "popular with customers into" in second["text"]


async def refine(make_tracker, sender, text, first_events):
    """A refinement turn after a recommendation, with the slots that recommendation set."""
    dispatcher = CollectingDispatcher()
    slots = {event["name"]: event["value"] for event in first_events if event["event"] == "slot"}
    tracker = make_tracker(text, intent="refine_recommendation", sender_id=sender, slots=slots)
    events = await ActionRecommendContent().run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    return {**message, "text": rendered(message)}, events


def catalog_items(ids):
    return [settings.get_catalog().get(i) for i in ids]


async def test_not_those_i_have_wide_feet_shows_only_wide_shoes_of_the_same_kind(make_tracker):
    shoes = [{"entity": "product_type", "value": "trail_running_shoe"}]
    first, events = await recommend(make_tracker, "w1", "suggest some trail running shoes", entities=shoes)
    assert "shoe-talus-wide" not in first["parley_items"]
    second, later = await refine(make_tracker, "w1", "not those, I have wide feet", events)
    assert second["parley_items"] == ["shoe-talus-wide"]
    assert "Because it's a wide fit and" in second["text"]
    remembered = next(e["value"] for e in later if e["name"] == "recommendation_request")
    assert remembered["category"] == "trail_running_shoe" and ["wide-fit", "wide"] in remembered["requires"]


async def test_lighter_and_under_a_budget_reranks_within_the_last_request(make_tracker):
    jackets = [{"entity": "product_type", "value": "jacket"}]
    _, events = await recommend(make_tracker, "w2", "recommend me a rain jacket for hiking", entities=jackets)
    second, _ = await refine(make_tracker, "w2", "something lighter than that, under 150 dollars", events)
    picks = catalog_items(second["parley_items"])
    assert picks and all(p.category == "jacket" and p.price <= 150 for p in picks)
    assert all({"ultralight", "lightweight", "packable"} & set(p.tags) for p in picks)
    assert "under your $150" in second["text"]


async def test_cheaper_means_under_the_cheapest_pick_just_shown(make_tracker):
    tents = [{"entity": "product_type", "value": "tent"}]
    first, events = await recommend(make_tracker, "w3", "recommend a tent for backpacking", entities=tents)
    cheapest = min(p.price for p in catalog_items(first["parley_items"]))
    second, _ = await refine(make_tracker, "w3", "anything cheaper?", events)
    picks = catalog_items(second["parley_items"])
    assert picks and all(p.category == "tent" and p.price < cheapest for p in picks)


async def test_a_refinement_with_no_earlier_request_is_a_request_of_its_own(make_tracker):
    message, _ = await refine(make_tracker, "w4", "something warmer", [])
    picks = catalog_items(message["parley_items"])
    assert len(picks) == 3
    assert all({"winter", "cold-weather", "extreme-cold", "insulated", "4-season"} & set(p.tags) for p in picks)


async def test_cheaper_than_the_cheapest_tent_stays_with_tents_under_the_dearest_shown(make_tracker):
    # The cheapest tent was already shown: nothing is cheaper than it, so "cheaper" means under the dearest pick,
    # still tents, and nothing shown again (it showed guides and promotions before).
    shown = ["tent-hollow-2", "tent-meadow-3", "tent-ridgeline-1"]
    request = {"text": "recommend a tent for backpacking", "category": "tent", "max_price": None, "wants": []}
    events = [
        {"event": "slot", "name": "shown_items", "value": shown},
        {"event": "slot", "name": "recommendation_request", "value": request},
    ]
    message, _ = await refine(make_tracker, "w5", "anything cheaper?", events)
    picks = catalog_items(message["parley_items"])
    assert picks and all(p.category == "tent" and p.price < 299 and p.id not in shown for p in picks)


async def test_a_product_named_as_context_does_not_filter_the_picks(make_tracker):
    text = "a light for the tent my kids can use"
    tent = [{"entity": "product_type", "value": "tent", "start": text.index("tent"), "end": text.index("tent") + 4}]
    message, _ = await recommend(make_tracker, "context-1", text, entities=tent)
    assert message["parley_items"][0] == "light-glow-kids"
    assert not any(item.startswith("tent-") for item in message["parley_items"])
