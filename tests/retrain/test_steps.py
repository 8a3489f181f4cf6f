"""Each retrain step on its own, with a fake trainer and evaluator and a store of the test's own."""

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from retrain import steps
from retrain.gate import Metrics
from retrain.registry import Registry
from retrain.workspace import Workspace
from store.db import Database
from store.events import StoreEventWriter
from store.interactions import conversation_turns
from store.reviews import relabel

GOOD = Metrics(intent_accuracy=0.9, intent_macro_f1=0.88, stories_correct=20, stories_total=20)
WORSE = Metrics(intent_accuracy=0.7, intent_macro_f1=0.65, stories_correct=18, stories_total=20)


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    root = tmp_path / "project"
    (root / "data" / "nlu").mkdir(parents=True)
    (root / "data" / "nlu" / "core.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello there\n'
        "- intent: order_status\n  examples: |\n    - where is my order\n"
    )
    (root / "domain").mkdir()
    (root / "domain" / "core.yml").write_text('version: "3.1"\nintents:\n  - greet\n  - order_status\n')
    (root / "config.yml").write_text("recipe: default.v1\n")
    (root / "tests" / "stories").mkdir(parents=True)
    (root / "tests" / "stories" / "core.yml").write_text('version: "3.1"\nstories: []\n')
    (root / "models").mkdir()
    (root / "models" / "parley.tar.gz").write_bytes(b"the served model")
    return Workspace(root)


@pytest.fixture
def corrected_store(sqlite_database: Database) -> Database:
    """A store with one logged turn that a manager relabelled, written as the event broker writes it."""
    writer = StoreEventWriter(sqlite_database)
    parse = {"intent": {"name": "greet", "confidence": 0.41}, "entities": []}
    writer.write({"event": "user", "sender_id": "c1", "text": "my parcel never came", "parse_data": parse})
    with sqlite_database.session() as session:
        [turn] = conversation_turns(session, "c1")
        relabel(session, turn.id, "intent", "order_status", "sam@brand.example")
    return sqlite_database


def held_out(workspace: Workspace) -> steps.HeldOut:
    nlu = workspace.root / "heldout.yml"
    nlu.write_text('version: "3.1"\nnlu: []\n')
    sentiment = workspace.root / "heldout_sentiment.tsv"
    sentiment.write_text("text\tlabel\n")
    return steps.HeldOut(nlu, workspace.root / "tests" / "stories", sentiment)


def fake_trainer(workspace: Workspace, candidate_id: str, data: Path, out: Path) -> Path:
    model = out / f"{candidate_id}.tar.gz"
    model.write_bytes(b"a candidate trained on " + (data / "nlu" / "reviewed.yml").read_bytes())
    return model


class FakeEvaluator:
    """Scores by file: the served model and the candidate get the figures the test names."""

    def __init__(self, served: Metrics, candidate: Metrics) -> None:
        self.scores = {"served": served, "candidate": candidate}
        self.calls: list[str] = []

    def __call__(self, model: Path, out: Path, nlu: Path, stories: Path, sentiment: Path) -> Metrics:
        kind = "served" if model.name == "parley.tar.gz" else "candidate"
        self.calls.append(kind)
        return self.scores[kind]


def run_to_verdict(workspace, store, evaluator, force=False):
    registry = Registry(workspace.models / "registry.json")
    merged = steps.merge_corrections(workspace, steps.collect_reviews(store, workspace.root / "no-stories"))
    candidate = steps.train_candidate(
        workspace, merged, fake_trainer, now=datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)
    )
    evaluation = steps.evaluate_both(workspace, registry, candidate, held_out(workspace), evaluator)
    verdict = steps.gate_and_record(workspace, registry, merged, candidate, evaluation, 0.02, force=force)
    return registry, merged, candidate, evaluation, verdict


def test_collect_reads_the_correction_from_the_store(corrected_store, tmp_path):
    collected = steps.collect_reviews(corrected_store, tmp_path / "no-stories")
    assert [(e.text, e.intent) for e in collected.examples] == [("my parcel never came", "order_status")]
    assert (collected.intent_corrections, collected.sentiment_corrections, collected.reviewed_stories) == (1, 0, [])


def test_merge_adds_the_correction_and_then_knows_it_is_served(workspace, corrected_store):
    collected = steps.collect_reviews(corrected_store, workspace.root / "no-stories")
    merged = steps.merge_corrections(workspace, collected)
    assert [e.text for e in merged.result.added] == ["my parcel never came"]
    assert (merged.nothing_new, len(merged.base)) == (False, 2)
    from training.merge import write_reviewed

    write_reviewed(workspace.data / "nlu" / "reviewed.yml", merged.result.added)  # as a promotion does
    assert steps.merge_corrections(workspace, collected).nothing_new is True
    assert steps.merge_corrections(workspace, collected, always_train=True).nothing_new is False


def test_train_candidate_trains_on_a_copy_with_the_corrections(workspace, corrected_store):
    merged = steps.merge_corrections(workspace, steps.collect_reviews(corrected_store, workspace.root / "none"))
    candidate = steps.train_candidate(workspace, merged, fake_trainer, now=datetime(2026, 12, 2, 9, 30))
    assert candidate.id == "candidate-20261202-093000"
    assert candidate.out == workspace.models / "candidates" / candidate.id
    reviewed = yaml.safe_load((candidate.data / "nlu" / "reviewed.yml").read_text())
    assert reviewed["nlu"][0]["intent"] == "order_status"
    assert not (workspace.data / "nlu" / "reviewed.yml").exists()  # the served data changes only on promotion


def test_a_better_candidate_is_promoted_served_and_recorded(workspace, corrected_store):
    evaluator = FakeEvaluator(served=WORSE, candidate=GOOD)
    registry, _, candidate, evaluation, verdict = run_to_verdict(workspace, corrected_store, evaluator)
    assert evaluator.calls == ["served", "candidate"]
    assert (evaluation.current, evaluation.candidate, evaluation.current_from_registry) == (WORSE, GOOD, None)
    assert (verdict.promote, verdict.forced, verdict.served_note) == (True, False, f"workspace {workspace.root}")
    assert workspace.served.read_bytes() == candidate.model.read_bytes()
    assert "my parcel never came" in (workspace.data / "nlu" / "reviewed.yml").read_text()
    [entry] = registry.entries()
    assert (entry.id, entry.promoted, entry.added_examples, entry.metrics) == (candidate.id, True, 1, GOOD.as_dict())


def test_a_worse_candidate_is_recorded_but_not_served(workspace, corrected_store):
    _, _, _, _, verdict = run_to_verdict(workspace, corrected_store, FakeEvaluator(served=GOOD, candidate=WORSE))
    assert (verdict.promote, verdict.forced) == (False, False)
    assert "intent accuracy: 0.900 -> 0.700 (worse by more than the tolerance 0.02)" in verdict.decision.reasons
    assert workspace.served.read_bytes() == b"the served model"
    assert not (workspace.data / "nlu" / "reviewed.yml").exists()


def test_force_promotes_a_refused_candidate_and_says_so(workspace, corrected_store):
    _, _, candidate, _, verdict = run_to_verdict(
        workspace, corrected_store, FakeEvaluator(served=GOOD, candidate=WORSE), force=True
    )
    assert (verdict.promote, verdict.forced, verdict.entry.forced) == (True, True, True)
    assert workspace.served.read_bytes() == candidate.model.read_bytes()


def test_the_served_models_figures_come_from_the_registry_the_second_time(workspace, corrected_store):
    run_to_verdict(workspace, corrected_store, FakeEvaluator(served=WORSE, candidate=GOOD))
    registry = Registry(workspace.models / "registry.json")
    [first] = registry.entries()
    evaluator = FakeEvaluator(served=WORSE, candidate=GOOD)
    merged = steps.merge_corrections(workspace, steps.collect_reviews(corrected_store, workspace.root / "x"), True)
    candidate = steps.train_candidate(workspace, merged, fake_trainer, now=datetime(2026, 12, 2, 10, 0))
    evaluation = steps.evaluate_both(workspace, registry, candidate, held_out(workspace), evaluator)
    assert evaluator.calls == ["candidate"]  # the served file is the promoted candidate: its figures are known
    assert (evaluation.current, evaluation.current_from_registry) == (GOOD, first.id)


def test_refreshing_segments_reports_a_store_that_is_down():
    down = Database("postgresql+psycopg2://nobody@127.0.0.1:9/none?connect_timeout=1")
    refresh = steps.refresh_segments(down)
    assert refresh.segments == 0
    assert refresh.error.startswith('(psycopg2.OperationalError) connection to server at "127.0.0.1", port 9 failed')


def test_refreshing_segments_on_a_store_without_interests(sqlite_database):
    assert steps.refresh_segments(sqlite_database) == steps.SegmentsRefresh(segments=0, error="")
