import pytest
from sqlalchemy import select

from core.identity import Identity
from recommender.catalog import Item
from store.catalog_sync import sync_catalog
from store.feedback import record_feedback
from store.interactions import record_user_turn
from store.schema import OutboxMessage
from store.users import add_interest, erase_user, find_user, interest_weights, profile, set_consent, upsert_user

ANNA = Identity("telegram", "1001", display_name="Anna", language="en")


def test_upsert_creates_once_and_refreshes_hints(database):
    with database.session() as session:
        first = upsert_user(session, ANNA)
        again = upsert_user(session, Identity("telegram", "1001", display_name="Anna K."))
        assert first.id == again.id
    with database.session() as session:
        user = find_user(session, "telegram", "1001")
        assert user.display_name == "Anna K."
        assert user.language == "en"
        assert user.consent_personalisation is True
        assert find_user(session, "rest", "1001") is None  # another channel is another user


def test_interests_accumulate_per_source(database):
    with database.session() as session:
        user = upsert_user(session, ANNA)
        add_interest(session, user, "tent", "said")
        add_interest(session, user, "tent", "said")
        add_interest(session, user, "tent", "clicked")
        add_interest(session, user, "jacket", "dismissed")
        assert interest_weights(session, user.id) == {"tent": 4.0, "jacket": -2.0}
        with pytest.raises(ValueError, match="unknown interest source"):
            add_interest(session, user, "tent", "guessed")


def test_opting_out_forgets_interests_and_stops_tracking(database):
    with database.session() as session:
        user = upsert_user(session, ANNA)
        add_interest(session, user, "tent", "said")
        assert set_consent(session, user, False) == 1
        assert add_interest(session, user, "stove", "said") is False
        assert interest_weights(session, user.id) == {}
        set_consent(session, user, True)
        assert add_interest(session, user, "stove", "said") is True


def test_profile_and_erasure_cover_every_table(database):
    item = Item(id="tent-1", type="product", title="Aurora 2", description="A tent.", category="tent")
    with database.session() as session:
        sync_catalog(session, [item])
        user = upsert_user(session, ANNA)
        other = upsert_user(session, Identity("telegram", "2002"))
        turn = record_user_turn(session, "c1", ANNA, "hi", {"intent": {"name": "greet", "confidence": 0.9}})
        record_user_turn(session, "c1", ANNA, "tents?", {})
        record_user_turn(session, "c2", Identity("telegram", "2002"), "hello", {})
        add_interest(session, user, "tent", "said")
        record_feedback(session, user, "tent-1", "click", turn.id)
        record_feedback(session, other, "tent-1", "like")
        session.add(OutboxMessage(conversation_id="c1", text="Sam: your tent ships today", sent_by="sam@x.example"))
        session.add(OutboxMessage(conversation_id="c2", text="for the other customer", sent_by="sam@x.example"))

        summary = profile(session, user)
        assert summary.messages == 2
        assert summary.interests == {"tent": 1.0}
        assert summary.feedback == {"click": 1}
        assert summary.liked_items == ["tent-1"]

        erased = erase_user(session, user)
        assert (erased.messages, erased.interests, erased.feedback) == (2, 1, 1)
        assert "2 messages, 1 interest and 1 reaction" in erased.describe()
    with database.session() as session:
        kept = find_user(session, "telegram", "1001")  # only the id and the consent choice remain
        assert kept.display_name is None and kept.language is None
        assert profile(session, kept).messages == 0 and profile(session, kept).interests == {}
        survivor = find_user(session, "telegram", "2002")
        assert profile(session, survivor).messages == 1  # other people's data is untouched
        assert profile(session, survivor).feedback == {"like": 1}
        # a manager's queued reply quotes the conversation: it goes too, and only theirs
        assert session.execute(select(OutboxMessage.conversation_id)).scalars().all() == ["c2"]


def test_erasing_conversations_keeps_only_the_record(database):
    from core.identity import identity_from
    from store.erasure import ERASED_TAG, erase_conversations, footprint
    from store.interactions import record_user_turn
    from store.schema import Conversation, Interaction, User

    with database.session() as session:
        record_user_turn(session, "tg:7", identity_from("tg:7", "telegram_ptb", {"user_id": "7"}), "dm text", {})
        comment = "tg:comment:-100:7"
        record_user_turn(session, comment, identity_from(comment, "telegram_ptb", {"user_id": "7"}), "public", {})
        record_user_turn(session, "other", identity_from("other", "rest", {}), "not theirs", {})
    with database.session() as session:
        user = session.get(User, session.get(Conversation, "tg:7").user_id)
        found = footprint(session, user, "tg:7")
        assert found.conversations == ("tg:7", comment) and found.texts == ("dm text", "public")
        assert erase_conversations(session, list(found.conversations), record_for="tg:7") == 2
    with database.session() as session:
        assert session.query(Interaction.text).all() == [("not theirs",)]
        [record] = session.query(Conversation).filter(Conversation.id != "other").all()
        assert (record.id, record.tags, record.last_text, record.message_count) == ("tg:7", [ERASED_TAG], "", 0)
