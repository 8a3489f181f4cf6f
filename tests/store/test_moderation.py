"""Moderated messages in the store: logged with category and outcome, filtered, restored as corrections."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.identity import Identity
from store.conversations import InboxFilter, inbox
from store.interactions import record_user_turn
from store.moderation import ModerationError, corrected_examples, corrections_count, restore
from store.schema import Conversation, Correction, Interaction


def moderated(session, conversation: str, text: str, category: str | None, action: str | None):
    parse = {"intent": {"name": "moderated" if action else "greet", "confidence": 1.0}}
    if action:
        parse["moderation"] = {"category": category, "score": 0.91, "action": action}
    who = Identity("telegram_ptb", conversation, surface="comment")
    return record_user_turn(session, conversation, who, text, parse)


def test_moderated_messages_are_logged_flagged_filtered_and_restorable(database):
    with database.session() as session:
        spam = moderated(session, "tgc:1:1", "free crypto at bit.ly/x", "spam", "hide").id
        moderated(session, "tgc:1:2", "you idiots", "toxic", "reply_calmly_and_flag")
        moderated(session, "tgc:1:3", "do you ship to canada", None, None)
    with database.session() as session:
        row = session.get(Interaction, spam)
        assert (row.moderation, row.moderation_score, row.moderation_action) == ("spam", 0.91, "hide")
        hidden = session.get(Conversation, "tgc:1:1")
        assert hidden.flagged and hidden.tags == ["moderation:spam"]
        assert not session.get(Conversation, "tgc:1:3").flagged
        ids = lambda state: [c.id for c in inbox(session, InboxFilter(moderation=state)).conversations]  # noqa: E731
        assert ids("moderated") == ["tgc:1:2", "tgc:1:1"]
        assert ids("hidden") == ["tgc:1:1"]
        assert ids("restored") == []
        restore(session, spam, "sam@kestrel.example")
    with database.session() as session:
        assert session.get(Interaction, spam).moderation_action == "restored"
        [correction] = session.execute(select(Correction)).scalars().all()
        assert (correction.field, correction.old_value, correction.new_value, correction.manager) == (
            "moderation",
            "spam",
            "none",
            "sam@kestrel.example",
        )
        assert corrected_examples(session) == [("free crypto at bit.ly/x", "none")]
        assert corrections_count(session) == 1
        assert [c.id for c in inbox(session, InboxFilter(moderation="restored")).conversations] == ["tgc:1:1"]
        assert [c.id for c in inbox(session, InboxFilter(moderation="hidden")).conversations] == []
        with pytest.raises(ModerationError):
            restore(session, spam, "sam@kestrel.example")  # already restored
