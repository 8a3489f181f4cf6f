from core.identity import Identity
from recommender.segments import compute_segments, default_k, nearest_segment, segment_name
from store.users import add_interest, set_consent, upsert_user


def _user(session, name, topics):
    user = upsert_user(session, Identity("rest", name))
    for topic, times in topics.items():
        for _ in range(times):
            add_interest(session, user, topic, "said")
    return user


def test_users_cluster_into_named_segments(database):
    with database.session() as session:
        campers = [_user(session, f"camper{i}", {"tent": 3, "sleeping_bag": 1 + i % 2}) for i in range(4)]
        runners = [_user(session, f"runner{i}", {"footwear": 3, "jacket": 1}) for i in range(4)]
        opted_out = _user(session, "private", {"tent": 5})
        set_consent(session, opted_out, False)
        segments = compute_segments(session, k=2)
        assert sorted(s.name for s in segments) == ["Footwear & jackets", "Tents & sleeping bags"]
        assert sorted(s.size for s in segments) == [4, 4]
        assert len({u.segment_id for u in campers}) == 1
        assert campers[0].segment_id != runners[0].segment_id
        assert opted_out.segment_id is None
        assert nearest_segment(segments, {"tent": 1.0}).name == "Tents & sleeping bags"
        assert nearest_segment(segments, {}) is None


def test_too_few_users_make_no_segments(database):
    with database.session() as session:
        _user(session, "solo", {"tent": 1})
        assert compute_segments(session) == []


def test_naming_and_k():
    assert segment_name({"stove": 0.2, "tent": 0.9, "mug": 0.0}) == "Tents & stoves"
    assert segment_name({}) == "General"
    assert default_k(3) == 1
    assert 2 <= default_k(40) <= 6


def test_segments_command_on_a_store_without_interests(sqlite_database, capsys):
    from recommender.__main__ import main

    assert main(["--url", sqlite_database.url, "segments"]) == 0
    assert capsys.readouterr().out == "Not enough users with interests to form segments yet.\n"
