import yaml

from retrain.gate import Metrics, decide
from retrain.registry import Entry, Registry, content_hash, file_sha256, serve
from store.identity import Identity
from store.interactions import record_user_turn
from store.reviews import relabel
from training.collect import Example, collect
from training.merge import file_examples, merge, normalise, reviewed_labels, training_examples, write_reviewed


def test_normalise_strips_markup_case_and_spacing():
    assert normalise("Do you sell  [Tents](product_type)?") == "do you sell tents?"
    assert normalise('[tents]{"entity": "product_type", "value": "tent"} please') == "tents please"


def test_merge_dedupes_reports_conflicts_and_keeps_sources(tmp_path):
    nlu = tmp_path / "nlu"
    nlu.mkdir()
    (nlu / "core.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello there\n    - hi\n')
    base = training_examples(nlu)
    corrections = [
        Example("Hi", "greet", "correction 1"),  # duplicate of training data
        Example("hello there", "goodbye", "correction 2"),  # conflicts with training data
        Example("where's my stuff", "order_status", "correction 3"),
        Example("where's my stuff", "complaint", "correction 4"),  # managers disagree
        Example("parcel never came", "order_status", "correction 5"),
        Example("sing me a song", "karaoke", "correction 6"),  # not an intent of this bot
    ]
    result = merge(base, corrections, ["greet", "goodbye", "order_status", "complaint"])
    assert [e.text for e in result.added] == ["parcel never came"]
    assert result.duplicates == 1
    conflicts = {c.text: c.labels for c in result.conflicts}
    assert conflicts["hello there"] == {"correction 2": "goodbye", "training data (core.yml)": "greet"}
    assert set(conflicts["where's my stuff"].values()) == {"order_status", "complaint"}
    assert [e.intent for e in result.unknown_intents] == ["karaoke"]

    write_reviewed(nlu / "reviewed.yml", result.added)
    written = yaml.safe_load((nlu / "reviewed.yml").read_text())
    assert written["nlu"][0]["examples"][0] == {
        "text": "parcel never came",
        "metadata": {"source": "correction 5", "reviewed": True},
    }
    assert file_examples(nlu / "reviewed.yml") == {"parcel never came": ("order_status", "reviewed.yml")}
    assert "parcel never came" not in training_examples(nlu)  # the reviewed file is regenerated, never merged twice


def test_sentiment_labels_ride_on_examples_without_overriding_intents(tmp_path):
    nlu = tmp_path / "nlu"
    nlu.mkdir()
    (nlu / "core.yml").write_text('version: "3.1"\nnlu:\n- intent: praise\n  examples: |\n    - the tent is sick\n')
    base = training_examples(nlu)
    corrections = [
        # only the sentiment was corrected; the bot misread the intent, but the training data knows it
        Example("The tent is sick", "complaint", "s1", "positive", intent_reviewed=False),
        Example("bombproof jacket", "praise", "s2", "positive", intent_reviewed=False),
        Example("it's fine I suppose", "praise", "s3", "neutral", intent_reviewed=False),
        Example("it's fine I suppose", "praise", "s4", "negative", intent_reviewed=False),  # managers disagree
        Example("asdfgh", "nlu_fallback", "s5", "neutral", intent_reviewed=False),  # no intent to file it under
        Example("parcel never came", "order_status", "s6", "negative"),  # both fields corrected
        Example("The tent is SICK", "nlu_fallback", "s7", "positive", intent_reviewed=False),  # known text
    ]
    result = merge(base, corrections, ["praise", "complaint", "order_status"])
    added = {e.text: (e.intent, e.sentiment, e.intent_reviewed) for e in result.added}
    assert added == {
        "The tent is SICK": ("praise", "positive", False),  # grouped with the first; the newest text is kept
        "bombproof jacket": ("praise", "positive", False),
        "it's fine I suppose": ("praise", None, False),
        "parcel never came": ("order_status", "negative", True),
    }
    [conflict] = result.conflicts
    assert conflict.field == "sentiment" and conflict.labels == {"s3": "neutral", "s4": "negative"}
    assert [e.text for e in result.unknown_intents] == ["asdfgh"]

    write_reviewed(nlu / "reviewed.yml", result.added)
    assert reviewed_labels(nlu / "reviewed.yml") == {
        ("the tent is sick", "praise", "positive"),
        ("bombproof jacket", "praise", "positive"),
        ("it's fine i suppose", "praise", None),
        ("parcel never came", "order_status", "negative"),
    }
    written = yaml.safe_load((nlu / "reviewed.yml").read_text())
    by_text = {e["text"]: e["metadata"] for block in written["nlu"] for e in block["examples"]}
    assert by_text["parcel never came"] == {"source": "s6", "reviewed": True, "sentiment": "negative"}
    assert by_text["it's fine I suppose"] == {"source": "s4", "reviewed": False}


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


def test_collect_reads_the_newest_labels_per_message(sqlite_database, tmp_path):
    with sqlite_database.session() as session:
        turn = record_user_turn(session, "c", Identity("rest", "c"), "parcel never came", {"intent": {"name": "greet"}})
        relabel(session, turn.id, "intent", "complaint", "a@x.com")
        relabel(session, turn.id, "intent", "order_status", "b@x.com")
        relabel(session, turn.id, "sentiment", "negative", "b@x.com")
        other = record_user_turn(session, "c", Identity("rest", "c"), "sick tent", {"intent": {"name": "praise"}})
        relabel(session, other.id, "sentiment", "positive", "a@x.com")
    (tmp_path / "one.yml").write_text("stories: []\n")
    collected = collect(sqlite_database, tmp_path)
    assert [(e.text, e.intent, e.sentiment, e.intent_reviewed) for e in collected.examples] == [
        ("parcel never came", "order_status", "negative", True),
        ("sick tent", "praise", "positive", False),  # the bot's reading, left standing by the manager
    ]
    assert "b@x.com" in collected.examples[0].source
    assert collected.intent_corrections == 1 and collected.sentiment_corrections == 2
    assert len(collected.reviewed_stories) == 1
