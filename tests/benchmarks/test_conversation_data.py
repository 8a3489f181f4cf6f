"""The held-out conversation benchmark stays held out, and its data is what the benchmark expects."""

from __future__ import annotations

import yaml

from benchmarks.conversation_data import read_conversations, read_messages, split_of
from core.settings import PROJECT_ROOT
from training.merge import normalise, training_examples

ROOT = PROJECT_ROOT
DATA = ROOT / "data"
DOMAIN = ROOT / "domain"


def domain_intents() -> set[str]:
    intents: set[str] = set()
    for path in DOMAIN.glob("*.yml"):
        intents |= set((yaml.safe_load(path.read_text()) or {}).get("intents") or [])
    return intents


def domain_actions() -> set[str]:
    names: set[str] = set()
    for path in DOMAIN.glob("*.yml"):
        raw = yaml.safe_load(path.read_text()) or {}
        names |= set(raw.get("actions") or []) | set(raw.get("responses") or {}) | set(raw.get("forms") or {})
    return names


def test_no_benchmark_text_is_training_data() -> None:
    trained = set(training_examples(DATA / "nlu", skip=""))
    texts = [m.text for m in read_messages()] + [t.user for c in read_conversations() for t in c.turns]
    leaked = [text for text in texts if normalise(text) in trained]
    assert leaked == []


def test_no_benchmark_text_appears_anywhere_under_data() -> None:
    corpus = " ".join(normalise(p.read_text(encoding="utf-8")) for p in DATA.rglob("*") if p.is_file())
    texts = [m.text for m in read_messages()] + [t.user for c in read_conversations() for t in c.turns]
    # Very short texts ("hi", "no") are bound to occur inside longer examples; they are checked exactly above.
    found = [text for text in texts if len(normalise(text)) >= 15 and normalise(text) in corpus]
    assert found == []


def test_the_benchmark_is_as_large_as_promised() -> None:
    messages, conversations = read_messages(), read_conversations()
    assert len(messages) >= 400
    assert len({normalise(m.text) for m in messages}) == len(messages)
    assert len(conversations) >= 40
    assert all(len(c.turns) >= 1 for c in conversations)
    assert sum(len(c.turns) >= 2 for c in conversations) >= 30


def test_every_label_and_expected_action_exists_in_the_domain() -> None:
    intents = domain_intents() | {"nlu_fallback"}
    assert {m.intent for m in read_messages()} - intents == set()
    known = domain_actions() | {"action_handoff"}
    expected = {name for c in read_conversations() for t in c.turns for name in t.expect}
    assert expected - known == set()


def test_the_dev_split_is_about_a_third_and_fixed() -> None:
    messages = read_messages()
    dev = [m for m in messages if m.split == "dev"]
    assert 0.25 < len(dev) / len(messages) < 0.42
    assert split_of("thanks so much for the help") == split_of("thanks so much for the help")
