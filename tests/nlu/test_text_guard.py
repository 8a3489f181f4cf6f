import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.text_guard import TextLengthGuard, truncate


def test_truncate_keeps_short_text_and_cuts_at_a_word():
    assert truncate("short", 100) == "short"
    assert truncate("alpha beta gamma delta", 13) == "alpha beta"
    assert truncate("x" * 50, 20) == "x" * 20


def create(tmp_path, **config):
    return TextLengthGuard.create(
        {**TextLengthGuard.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("guard"),
        ExecutionContext(graph_schema=None),
    )


def test_process_shortens_only_long_messages(tmp_path):
    guard = create(tmp_path, max_chars=20)
    long, short, empty = Message(data={"text": "word " * 100}), Message(data={"text": "hi"}), Message(data={"text": ""})
    guard.process([long, short, empty])
    assert len(long.get("text")) <= 20
    assert short.get("text") == "hi"
    assert empty.get("text") == ""


def test_training_data_gets_the_same_limit(tmp_path):
    data = TrainingData([Message(data={"text": "word " * 100, "intent": "greet"})])
    create(tmp_path, max_chars=30).process_training_data(data)
    assert len(data.training_examples[0].get("text")) <= 30


@pytest.mark.parametrize("bad", [0, 5, "1000", None, True])
def test_bad_config_fails_loudly(tmp_path, bad):
    with pytest.raises(InvalidConfigException, match="max_chars"):
        create(tmp_path, max_chars=bad)
