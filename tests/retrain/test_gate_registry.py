from retrain.gate import Metrics, decide
from retrain.registry import Entry, Registry, content_hash, file_sha256, serve


def test_gate_decisions():
    current = Metrics(0.80, 0.78, 21, 21)
    assert decide(None, current).promote
    better = decide(current, Metrics(0.85, 0.84, 21, 21))
    assert better.promote and all("ok" in r for r in better.reasons)
    within = decide(current, Metrics(0.79, 0.77, 21, 21), tolerance=0.02)
    assert within.promote
    worse = decide(current, Metrics(0.70, 0.69, 21, 21), tolerance=0.02)
    assert not worse.promote and "worse by more than the tolerance" in worse.reasons[0]
    broken_story = decide(current, Metrics(0.90, 0.90, 20, 21))
    assert not broken_story.promote and "fewer stories pass" in broken_story.reasons[-1]


def test_gate_checks_sentiment_when_both_models_were_scored():
    current = Metrics(0.80, 0.78, 21, 21, sentiment_accuracy=0.80, sentiment_macro_recall=0.79)
    worse_sentiment = decide(current, Metrics(0.85, 0.84, 21, 21, 0.70, 0.69))
    assert not worse_sentiment.promote
    assert any(r.startswith("sentiment accuracy") and "worse" in r for r in worse_sentiment.reasons)
    assert decide(current, Metrics(0.85, 0.84, 21, 21, 0.82, 0.80)).promote
    older_entry = Metrics(0.80, 0.78, 21, 21)  # registry entries from before sentiment was gated
    unscored = decide(older_entry, Metrics(0.85, 0.84, 21, 21, 0.10, 0.10))
    assert unscored.promote and not any("sentiment" in r for r in unscored.reasons)


def test_registry_records_and_serves(tmp_path):
    registry = Registry(tmp_path / "registry.json")
    registry.record(Entry(id="a", path="a.tar.gz", data_hash="h1", promoted=True))
    registry.record(Entry(id="b", path="b.tar.gz", data_hash="h2", promoted=False, reasons=["worse"]))
    assert [e.id for e in registry.entries()] == ["a", "b"]
    assert registry.current().id == "a"
    model = tmp_path / "candidate.tar.gz"
    model.write_bytes(b"model")
    serve(model, tmp_path / "parley.tar.gz")
    assert (tmp_path / "parley.tar.gz").read_bytes() == b"model"


def test_registry_remembers_what_a_model_scored_on_which_data(tmp_path):
    model = tmp_path / "candidate.tar.gz"
    model.write_bytes(b"model")
    stories = tmp_path / "stories"
    stories.mkdir()
    (stories / "a.yml").write_text("stories: []\n")
    heldout = tmp_path / "heldout.yml"
    heldout.write_text("nlu: []\n")
    data = content_hash(heldout, stories)
    registry = Registry(tmp_path / "registry.json")
    metrics = Metrics(0.9, 0.9, 21, 21, 0.8, 0.8).as_dict()
    registry.record(
        Entry(
            id="a", path=str(model), data_hash="d", metrics=metrics, model_sha256=file_sha256(model), heldout_hash=data
        )
    )
    serve(model, tmp_path / "parley.tar.gz")
    assert registry.evaluated(file_sha256(tmp_path / "parley.tar.gz"), data).id == "a"  # the served copy
    (stories / "b.yml").write_text("stories: []\n")  # new held-out data: the old figures do not count
    assert registry.evaluated(file_sha256(model), content_hash(heldout, stories)) is None
    other = tmp_path / "other.tar.gz"
    other.write_bytes(b"retrained by make train")
    assert registry.evaluated(file_sha256(other), data) is None
