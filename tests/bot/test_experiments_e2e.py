"""Experiments through the whole stack: a reworded greeting per arm, and every exposure and impression logged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from core.identity import identity_from
from experiments.assignment import assign
from experiments.definition import load_experiments
from store.db import Database
from store.schema import Exposure, Impression, Interaction, User
from tests.conftest import plain_variations

pytestmark = pytest.mark.integration

WARM = "Hey there, great to see you! Tents, boots or stoves: what are you after?"
EXPERIMENTS = f"""
experiments:
  - id: greeting-warmth
    varies: response
    target: utter_greet
    metric: handoff_rate
    start: 2026-01-01T00:00:00Z
    end: 2099-01-01T00:00:00Z
    arms:
      - {{name: control, share: 0.5}}
      - {{name: warm, share: 0.5, value: "{WARM}"}}
"""


def test_each_arm_gets_its_greeting_and_every_exposure_is_logged(stack):
    path = Path(stack.env["PARLEY_EXPERIMENTS"])
    path.write_text(EXPERIMENTS, encoding="utf-8")
    try:
        [experiment] = load_experiments(path)
        people = {}
        for n in range(30):
            sender = f"exp-greet-{n}"
            people.setdefault(assign(experiment, identity_from(sender, "rest", {}).person).name, sender)
        assert set(people) == {"control", "warm"}
        for arm, sender in people.items():
            status, replies = stack.say(sender, "hello")
            assert status == 200
            text = replies[0]["text"]
            if arm == "warm":
                assert text == WARM
            else:
                assert text in plain_variations("utter_greet")
            assert "parley_experiments" not in replies[0]  # the arm is for the log, not for the customer
        status, replies = stack.say("exp-picks", "recommend me a tent for two people")
        assert status == 200
    finally:
        path.unlink()
    stack.settle()
    with Database(stack.db_url).session() as session:
        logged = session.execute(
            select(User.external_id, Exposure.experiment, Exposure.arm).join(User, User.id == Exposure.user_id)
        ).all()
        assert {(people[arm], "greeting-warmth", arm) for arm in people} <= set(logged)
        shown = session.execute(
            select(Impression.position, Impression.item_id, Impression.ranker, Interaction.items_shown)
            .join(Interaction, Interaction.id == Impression.interaction_id)
            .where(Interaction.conversation_id == "exp-picks")
            .order_by(Impression.position)
        ).all()
    assert [row.position for row in shown] == [1, 2, 3]
    assert [row.item_id for row in shown] == shown[0].items_shown
    assert {row.ranker for row in shown} == {"blend"}
