"""A ranker experiment in the recommend action: the person's arm picks the ranker, and the reply says so."""

from __future__ import annotations

import numpy as np
import pytest

from actions import experiments, settings
from actions.profiles import identity_of
from actions.recommend import MAX_PICKS
from experiments.assignment import assign
from experiments.definition import parse_experiment
from recommender.catalog import Item
from recommender.clicks import ClickModel, Impression, feature_row
from tests.actions.test_recommend import recommend

REQUEST = "recommend me something for winter camping"


def _person(make_tracker, sender: str) -> str:
    return identity_of(make_tracker("hi", sender_id=sender)).person


def _experiment_file(tmp_path, monkeypatch, make_tracker, extra: str = "") -> str:
    """A running 50/50 blend-vs-clicks experiment whose id puts `first` in `learned` and `second` in `control`."""
    first, second = _person(make_tracker, "first-person"), _person(make_tracker, "second-person")
    for n in range(200):
        raw = {
            "id": f"ranker-{n}",
            "varies": "ranker",
            "metric": "click_through",
            "start": "2026-01-01T00:00:00Z",
            "end": "2099-01-01T00:00:00Z",
            "arms": [{"name": "control", "share": 0.5}, {"name": "learned", "share": 0.5, "value": "clicks"}],
        }
        experiment = parse_experiment(raw)
        if assign(experiment, first).name == "learned" and assign(experiment, second).name == "control":
            break
    lines = [
        "experiments:",
        f"  - id: {raw['id']}",
        "    varies: ranker",
        "    metric: click_through",
        "    start: 2026-01-01T00:00:00Z",
        "    end: 2099-01-01T00:00:00Z",
        "    arms:",
        "      - {name: control, share: 0.5}",
        "      - {name: learned, share: 0.5, value: clicks}",
        *([extra] if extra else []),
    ]
    path = tmp_path / "experiments.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("PARLEY_EXPERIMENTS", str(path))
    return raw["id"]


def _cheapest_first_model(path) -> None:
    """A click model trained on a log where people open the cheapest product shown, whatever the blend says."""
    rng = np.random.default_rng(0)
    log = []
    for _ in range(3000):
        price = float(rng.uniform(5, 500))
        item = Item(id="x", type="product", title="x", description="x", price=price)
        features = feature_row({"query": float(rng.normal()), "popularity": float(rng.random())}, item)
        log.append(Impression(features, int(rng.integers(1, 4)), bool(rng.random() < 30 / price)))
    ClickModel.fit(log, "logistic").save(path)


@pytest.fixture
def click_model(tmp_path, monkeypatch):
    path = tmp_path / "click_model.pkl"
    monkeypatch.setenv("PARLEY_CLICK_MODEL", str(path))
    return path


async def test_the_learned_arm_ranks_with_the_click_model_and_logs_its_exposure(
    make_tracker, tmp_path, monkeypatch, click_model
):
    experiment_id = _experiment_file(tmp_path, monkeypatch, make_tracker)
    _cheapest_first_model(click_model)
    learned, _ = await recommend(make_tracker, "first-person", REQUEST)
    control, _ = await recommend(make_tracker, "second-person", REQUEST)
    assert learned["parley_experiments"] == {experiment_id: "learned"}
    assert control["parley_experiments"] == {experiment_id: "control"}
    assert {i["ranker"] for i in learned["parley_impressions"]} == {"clicks"}
    assert {i["ranker"] for i in control["parley_impressions"]} == {"blend"}
    assert [i["position"] for i in learned["parley_impressions"]] == list(range(1, MAX_PICKS + 1))
    assert [i["item"] for i in learned["parley_impressions"]] == learned["parley_items"]
    prices = [i["features"][-2] for i in learned["parley_impressions"]]  # log price
    assert prices[0] == min(prices)  # the model's taste: the cheapest first
    assert learned["parley_items"] != control["parley_items"]


async def test_without_a_trained_model_the_learned_arm_gets_the_blend_and_no_exposure(
    make_tracker, tmp_path, monkeypatch, click_model
):
    _experiment_file(tmp_path, monkeypatch, make_tracker)
    message, _ = await recommend(make_tracker, "first-person", REQUEST)
    assert "parley_experiments" not in message
    assert {i["ranker"] for i in message["parley_impressions"]} == {"blend"}


async def test_an_invalid_experiments_file_runs_no_experiment(make_tracker, tmp_path, monkeypatch, click_model, caplog):
    path = tmp_path / "experiments.yml"
    path.write_text("experiments:\n  - id: broken\n    varies: colour\n", encoding="utf-8")
    monkeypatch.setenv("PARLEY_EXPERIMENTS", str(path))
    message, _ = await recommend(make_tracker, "first-person", REQUEST)
    assert "parley_experiments" not in message and message["parley_items"]
    assert "experiment broken: varies must be one of response, ranker, not 'colour'" in caplog.text
    assert experiments.current_experiments() == []


async def test_a_promoted_winner_serves_everyone_and_counts_no_one(make_tracker, tmp_path, monkeypatch, click_model):
    _experiment_file(tmp_path, monkeypatch, make_tracker, extra="    winner: learned")
    _cheapest_first_model(click_model)
    message, _ = await recommend(make_tracker, "second-person", REQUEST)  # assigned to control while it ran
    assert "parley_experiments" not in message
    assert {i["ranker"] for i in message["parley_impressions"]} == {"clicks"}


async def test_a_stopped_experiment_gives_everyone_the_blend(make_tracker, tmp_path, monkeypatch, click_model):
    _experiment_file(tmp_path, monkeypatch, make_tracker, extra="    status: stopped")
    _cheapest_first_model(click_model)
    message, _ = await recommend(make_tracker, "first-person", REQUEST)
    assert "parley_experiments" not in message
    assert {i["ranker"] for i in message["parley_impressions"]} == {"blend"}


async def test_assignment_needs_no_store(make_tracker, tmp_path, monkeypatch, click_model):
    experiment_id = _experiment_file(tmp_path, monkeypatch, make_tracker)
    _cheapest_first_model(click_model)
    monkeypatch.setenv("PARLEY_DB_URL", "postgresql+psycopg2://nobody@127.0.0.1:9/none?connect_timeout=1")
    settings.reset_caches()
    message, _ = await recommend(make_tracker, "first-person", REQUEST)
    assert message["parley_experiments"] == {experiment_id: "learned"}
