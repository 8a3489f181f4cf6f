import yaml

from core.identity import Identity
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
