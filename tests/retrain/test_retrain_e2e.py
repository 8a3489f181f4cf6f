"""`python -m retrain` end to end, at small scale: the test's own store with a manager's corrections, a real
candidate trained and gated against the served model, in a scratch copy of the project."""

from __future__ import annotations

import json
import subprocess

import pytest

from core.settings import PROJECT_ROOT as ROOT
from retrain.workspace import retrain_command, scratch_copy
from store.db import Database
from store.events import StoreEventWriter
from store.interactions import conversation_turns
from store.migrate import upgrade
from store.reviews import relabel

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


CONFUSED = "is the thing I bought going to turn up"
OPT_OUT = "stop personalising my recommendations"


@pytest.fixture
def store(tmp_path):
    """The test's own store: two logged turns (written as the event broker writes them) that a manager corrected."""
    url = f"sqlite:///{tmp_path / 'retrain.db'}"
    upgrade(url)
    database = Database(url)
    writer = StoreEventWriter(database)
    for sender, text, intent, sentiment in (
        ("c-confused", CONFUSED, "nlu_fallback", "neutral"),
        ("c-privacy", OPT_OUT, "opt_out_personalisation", "negative"),
    ):
        parse = {"intent": {"name": intent, "confidence": 0.4}, "entities": [], "sentiment": {"label": sentiment}}
        writer.write({"event": "user", "sender_id": sender, "text": text, "parse_data": parse})
    with database.session() as session:
        [confused] = conversation_turns(session, "c-confused")
        relabel(session, confused.id, "intent", "order_status", "sam@kestrel.example")
        # a sentiment-only correction: the bot read this request as negative; the manager says it is neutral
        [opt_out] = conversation_turns(session, "c-privacy")
        relabel(session, opt_out.id, "sentiment", "neutral", "sam@kestrel.example")
    yield url
    database.dispose()


def test_retrain_learns_a_correction_and_records_the_candidate(store, tmp_path):
    ws = scratch_project(tmp_path)
    done = run_retrain(ws, store, tmp_path, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    for step in range(1, 7):
        assert f"[{step}/6]" in out
    assert "2 new example(s), 0 already known" in out  # exactly this store's two corrections
    [entry] = json.loads((ws / "models" / "registry.json").read_text())
    assert entry["added_examples"] == 2 and entry["metrics"]["stories_total"] >= 20
    assert 0 < entry["metrics"]["intent_accuracy"] <= 1
    assert 0 < entry["metrics"]["sentiment_accuracy"] <= 1  # the gate scored the candidate's sentiment head too
    assert "1 of them carry a sentiment label for the sentiment head" in out
    # right labels on two messages: the candidate must not be worse on held-out data, so the gate promotes it
    assert entry["promoted"] and "PROMOTED" in out, entry["reasons"]
    reviewed = (ws / "data" / "nlu" / "reviewed.yml").read_text()
    assert CONFUSED in reviewed and OPT_OUT in reviewed and "sam@kestrel.example" in reviewed
    assert "sentiment: neutral" in reviewed

    again = run_retrain(ws, store, tmp_path, timeout=600)  # nothing new: no second candidate is trained
    assert "Nothing new to learn from" in again.stdout
    # forced to train anyway: the served model's figures come from the registry, not a second evaluation
    forced = run_retrain(ws, store, tmp_path, timeout=1200, extra=["--always-train"])
    assert forced.returncode == 0, forced.stdout[-3000:] + forced.stderr[-3000:]
    assert f"the registry's figures for {entry['id']}" in forced.stdout
