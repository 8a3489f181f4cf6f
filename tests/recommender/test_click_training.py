"""Retraining the click model: too little data is refused, a worse candidate is kept out, the command works."""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
from sqlalchemy import select

from recommender.__main__ import main
from recommender.click_training import retrain_click_model
from recommender.clicks import FEATURES, ClickModel
from store.db import Database
from store.events import StoreEventWriter
from store.feedback import record_feedback
from store.migrate import upgrade
from store.schema import CatalogItem, User
from tests.conftest import turn_events

QUERY = FEATURES.index("query")


def _log(n: int, seed: int, signal: bool = True) -> list[SimpleNamespace]:
    """Impressions whose clicks follow the query part (or, with `signal` off, nothing at all)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        features = [0.0] * len(FEATURES)
        features[QUERY] = float(rng.normal())
        p_click = 1 / (1 + np.exp(-(3 * features[QUERY] - 2))) if signal else 0.15
        out.append(SimpleNamespace(features=features, position=int(rng.integers(1, 4)), clicked=rng.random() < p_click))
    return out


def test_a_small_log_is_not_trained_on(tmp_path):
    outcome = retrain_click_model(_log(100, 1), tmp_path / "m.pkl")
    assert not outcome.promoted and not (tmp_path / "m.pkl").exists()
    assert outcome.message.startswith("not enough to learn from yet: 100 impressions with ")
    assert outcome.message.endswith(" clicks (needs 500 and 20)")


def test_a_candidate_is_served_unless_the_served_model_predicts_the_newest_clicks_better(tmp_path):
    path = tmp_path / "m.pkl"
    first = retrain_click_model(_log(1500, 2), path, kind="logistic")
    assert first.promoted and first.served_auc is None and first.candidate_auc > 0.8
    assert ClickModel.load(path).trained_on == 1500
    # the old part of the next log carries no signal, so its candidate cannot beat the served model
    stale = _log(4000, 3, signal=False) + _log(1000, 4)
    second = retrain_click_model(stale, path, kind="logistic")
    assert not second.promoted and second.served_auc > second.candidate_auc + 0.01
    assert second.message.startswith("the served model stays: AUC ")
    assert ClickModel.load(path).trained_on == 1500


def test_the_command_trains_from_the_stores_impression_log(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'parley.db'}"
    upgrade(url)
    database, writer = Database(url), StoreEventWriter(Database(url))
    rng = np.random.default_rng(5)
    with database.session() as session:
        session.add_all(CatalogItem(id=f"i{n}", type="product", title="t", description="d") for n in range(3))
    clicked = []
    for turn in range(200):
        sender = f"p{turn}"
        events = turn_events(sender, "ideas?", "request_recommendation", "Picks", ["i0", "i1", "i2"])
        events[0]["timestamp"] = time.time()
        shown = []
        for position in (1, 2, 3):
            features = [0.0] * len(FEATURES)
            features[QUERY] = float(rng.normal())
            shown.append({"item": f"i{position - 1}", "position": position, "features": features})
            if rng.random() < 1 / (1 + np.exp(-(3 * features[QUERY] - 2))):
                clicked.append((sender, f"i{position - 1}"))
        events[4]["metadata"]["parley_impressions"] = shown
        writer.write_turn(events)
    with database.session() as session:
        for sender, item in clicked:
            record_feedback(
                session, session.execute(select(User).where(User.external_id == sender)).scalar_one(), item, "click"
            )
    assert main(["--url", url, "train-clicks", "--model", str(tmp_path / "clicks.pkl")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"click model trained on 600 impressions, {len(clicked)} clicks: AUC ")
    assert out.strip().endswith(f"(none served before); saved to {tmp_path / 'clicks.pkl'}")
    assert ClickModel.load(tmp_path / "clicks.pkl").trained_on == 600
