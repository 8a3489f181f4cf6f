"""Merges corrections into the NLU training data: deduplicated, conflicts reported, every example sourced.

A correction whose text is already a training example with the same intent adds nothing (a duplicate). One whose
text is a training example with another intent, or that managers labelled two ways, is a conflict: it is left out
and reported, because picking one silently would teach the model whichever label happened to win.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from training.collect import Example

REVIEWED_FILE = "reviewed.yml"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]+\})")


def normalise(text: str) -> str:
    """The comparison key of an example: entity markup removed, case and spacing folded."""
    return " ".join(_ANNOTATION.sub(r"\1", text).lower().split())


def training_examples(nlu_dir: Path, skip: str = REVIEWED_FILE) -> dict[str, tuple[str, str]]:
    """Normalised text -> (intent, file) for every example under `nlu_dir` (except the reviewed file)."""
    out: dict[str, tuple[str, str]] = {}
    for path in sorted(nlu_dir.rglob("*.yml")):
        if path.name != skip:
            out.update({k: v for k, v in file_examples(path).items() if k not in out})
    return out


def _read_examples(path: Path) -> list[tuple[str, str, dict]]:
    """(text, intent, metadata) of every intent example in one NLU file (short or long example format)."""
    out: list[tuple[str, str, dict]] = []
    if not path.exists():
        return out
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        if "intent" not in block:
            continue
        examples = block.get("examples")
        if isinstance(examples, str):
            out += [
                (line.strip()[2:], block["intent"], {}) for line in examples.splitlines() if line.strip()[:2] == "- "
            ]
        else:
            out += [
                (e.get("text", ""), block["intent"], e.get("metadata") or {})
                for e in examples or []
                if isinstance(e, dict)
            ]
    return out


def file_examples(path: Path) -> dict[str, tuple[str, str]]:
    """Normalised text -> (intent, file name) for one NLU file."""
    out: dict[str, tuple[str, str]] = {}
    for text, intent, _ in _read_examples(path):
        out.setdefault(normalise(text), (intent, path.name))
    return out


@dataclass
class Conflict:
    """A text with more than one label for one field (`intent` or `sentiment`), and who gave which."""

    text: str
    labels: dict[str, str]
    field: str = "intent"


@dataclass
class MergeResult:
    """The examples to add, and what was left out and why."""

    added: list[Example] = field(default_factory=list)
    duplicates: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    unknown_intents: list[Example] = field(default_factory=list)


def _intent(examples: list[Example], existing: tuple[str, str] | None, result: MergeResult) -> tuple[str, bool] | None:
    """The group's intent and whether a manager gave it, or None (conflict recorded) when it is ambiguous."""
    reviewed = [e for e in examples if e.intent_reviewed]
    if not reviewed:  # only sentiment was corrected: the training data's label, else what the bot understood
        return (existing[0], False) if existing is not None else (examples[-1].intent, False)
    labels = {e.intent for e in reviewed} | ({existing[0]} if existing is not None else set())
    if len(labels) == 1:
        return reviewed[-1].intent, True
    sources = {e.source: e.intent for e in reviewed}
    if existing is not None:
        sources[f"training data ({existing[1]})"] = existing[0]
    result.conflicts.append(Conflict(examples[0].text, sources))
    return None


def _sentiment(examples: list[Example], result: MergeResult) -> str | None:
    """The group's sentiment label, or None when none was given or managers disagree (conflict recorded)."""
    given = {e.source: e.sentiment for e in examples if e.sentiment is not None}
    if len(set(given.values())) > 1:
        result.conflicts.append(Conflict(examples[0].text, given, "sentiment"))
        return None
    return next(iter(given.values()), None)


def merge(base: dict[str, tuple[str, str]], corrections: Iterable[Example], intents: Iterable[str]) -> MergeResult:
    """Decides, for each corrected text, whether it is new, a duplicate, a conflict, or unusable.

    A sentiment label is kept even for a text the training data already has (the example then carries it for the
    sentiment head); intent conflicts leave the text out entirely, sentiment conflicts leave out only the sentiment.
    """
    known = set(intents)
    result = MergeResult()
    by_text: dict[str, list[Example]] = {}
    for example in corrections:
        key = normalise(example.text)
        if not key:
            continue
        if example.intent_reviewed and example.intent not in known:
            result.unknown_intents.append(example)
            continue
        by_text.setdefault(key, []).append(example)
    for key, examples in by_text.items():
        existing = base.get(key)
        chosen = _intent(examples, existing, result)
        if chosen is None:
            continue
        intent, reviewed = chosen
        if intent not in known:  # only the sentiment was corrected, and the bot understood no intent of the domain
            result.unknown_intents += examples
            continue
        sentiment = _sentiment(examples, result)
        if existing is not None and sentiment is None:
            result.duplicates += len(examples)
            continue
        last = examples[-1]
        result.added.append(
            Example(last.text, intent, last.source, sentiment, intent_reviewed=reviewed and existing is None)
        )
    return result


def reviewed_labels(path: Path) -> set[tuple[str, str, str | None]]:
    """(normalised text, intent, sentiment) of every example in a file written by `write_reviewed`."""
    return {(normalise(text), intent, metadata.get("sentiment")) for text, intent, metadata in _read_examples(path)}


def _metadata(example: Example) -> dict[str, object]:
    metadata: dict[str, object] = {"source": example.source, "reviewed": example.intent_reviewed}
    if example.sentiment is not None:
        metadata["sentiment"] = example.sentiment
    return metadata


def write_reviewed(path: Path, examples: list[Example]) -> None:
    """Writes the reviewed examples in Rasa's long format, each with its source in `metadata`.

    `reviewed: true` (a manager corrected the intent) lets the intent classifier weight them (its `reviewed_weight`
    setting); `sentiment` is a manager's sentiment label, which the sentiment analyzer adapts its head to.
    """
    by_intent: dict[str, list[Example]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, []).append(example)
    document = {
        "version": "3.1",
        "nlu": [
            {
                "intent": intent,
                "examples": [
                    {"text": " ".join(e.text.split()), "metadata": _metadata(e)}
                    for e in sorted(items, key=lambda e: e.text.lower())
                ],
            }
            for intent, items in sorted(by_intent.items())
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Written by `make retrain` from managers' corrections (each example names its source).\n"
    path.write_text(header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000), "utf-8")
