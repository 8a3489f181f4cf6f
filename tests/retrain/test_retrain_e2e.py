"""`python -m retrain` end to end, at small scale: a store filled by real conversations with the bot, a manager's
corrections, a real candidate trained and gated against the served model, in a scratch copy of the project."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from sqlalchemy import select

from core.settings import PROJECT_ROOT as ROOT
from retrain.workspace import retrain_command, scratch_copy
from store.db import Database
from store.reviews import relabel
from store.schema import Interaction

pytestmark = pytest.mark.integration


def scratch_project(tmp_path):
    return scratch_copy(tmp_path / "project").root


def run_retrain(ws, db_url, stories_dir, timeout, extra=()):
    return subprocess.run(
        retrain_command(ws, db_url, stories_dir, *extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_retrain_learns_a_correction_and_records_the_candidate(stack, seeded, tmp_path):
    with Database(stack.db_url).session() as session:
        confused = (
            session.execute(
                select(Interaction).where(Interaction.conversation_id == "seed-confused").order_by(Interaction.id)
            )
            .scalars()
            .first()
        )
        relabel(session, confused.id, "intent", "out_of_scope", "sam@kestrel.example")
        # a sentiment-only correction: the bot read this request as negative; the manager says it is neutral
        opt_out = session.execute(
            select(Interaction).where(
                Interaction.conversation_id == "seed-privacy",
                Interaction.text == "stop personalising my recommendations",
            )
        ).scalar_one()
        relabel(session, opt_out.id, "sentiment", "neutral", "sam@kestrel.example")
    ws = scratch_project(tmp_path)
    done = run_retrain(ws, stack.db_url, tmp_path, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    for step in range(1, 7):
        assert f"[{step}/6]" in out
    added = int(re.search(r"(\d+) new example\(s\)", out).group(1))
    assert added >= 1  # this correction, plus any other test's corrections in the shared store
    [entry] = json.loads((ws / "models" / "registry.json").read_text())
    assert entry["added_examples"] == added and entry["metrics"]["stories_total"] >= 20
    assert 0 < entry["metrics"]["intent_accuracy"] <= 1
    assert 0 < entry["metrics"]["sentiment_accuracy"] <= 1  # the gate scored the candidate's sentiment head too
    assert int(re.search(r"(\d+) of them carry a sentiment label", out).group(1)) >= 1
    # right labels on two messages: the candidate must not be worse on held-out data, so the gate promotes it
    assert entry["promoted"] and "PROMOTED" in out, entry["reasons"]
    reviewed = (ws / "data" / "nlu" / "reviewed.yml").read_text()
    assert confused.text in reviewed and "sam@kestrel.example" in reviewed
    assert "sentiment: neutral" in reviewed

    again = run_retrain(ws, stack.db_url, tmp_path, timeout=600)  # nothing new: no second candidate is trained
    assert "Nothing new to learn from" in again.stdout
    # forced to train anyway: the served model's figures come from the registry, not a second evaluation
    forced = run_retrain(ws, stack.db_url, tmp_path, timeout=1200, extra=["--always-train"])
    assert forced.returncode == 0, forced.stdout[-3000:] + forced.stderr[-3000:]
    assert f"the registry's figures for {entry['id']}" in forced.stdout
