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

from retrain.collect import Example

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


def file_examples(path: Path) -> dict[str, tuple[str, str]]:
    """Normalised text -> (intent, file name) for one NLU file (short or long example format)."""
    out: dict[str, tuple[str, str]] = {}
    if path.exists():
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            examples = block.get("examples")
            texts = (
                [line.strip()[2:] for line in examples.splitlines() if line.strip().startswith("- ")]
                if isinstance(examples, str)
                else [e.get("text", "") for e in examples or [] if isinstance(e, dict)]
            )
            for text in texts:
                out.setdefault(normalise(text), (block["intent"], path.name))
    return out


@dataclass
class Conflict:
    """A text with more than one label, and who gave which."""

    text: str
    labels: dict[str, str]


@dataclass
class MergeResult:
    """The examples to add, and what was left out and why."""

    added: list[Example] = field(default_factory=list)
    duplicates: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    unknown_intents: list[Example] = field(default_factory=list)


def merge(base: dict[str, tuple[str, str]], corrections: Iterable[Example], intents: Iterable[str]) -> MergeResult:
    """Decides, for each correction, whether it is new, a duplicate, a conflict, or unusable."""
    known = set(intents)
    result = MergeResult()
    by_text: dict[str, list[Example]] = {}
    for example in corrections:
        key = normalise(example.text)
        if not key:
            continue
        if example.intent not in known:
            result.unknown_intents.append(example)
            continue
        by_text.setdefault(key, []).append(example)
    for key, examples in by_text.items():
        labels = {e.intent for e in examples}
        existing = base.get(key)
        if existing is not None:
            labels.add(existing[0])
        if len(labels) > 1:
            sources = {e.source: e.intent for e in examples}
            if existing is not None:
                sources[f"training data ({existing[1]})"] = existing[0]
            result.conflicts.append(Conflict(examples[0].text, sources))
        elif existing is not None:
            result.duplicates += len(examples)
        else:
            result.added.append(examples[-1])
    return result


def write_reviewed(path: Path, examples: list[Example]) -> None:
    """Writes the reviewed examples in Rasa's long format, each with its source in `metadata`.

    `reviewed: true` lets the intent classifier weight them (its `reviewed_weight` setting).
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
                    {"text": " ".join(e.text.split()), "metadata": {"source": e.source, "reviewed": True}}
                    for e in sorted(items, key=lambda e: e.text.lower())
                ],
            }
            for intent, items in sorted(by_intent.items())
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Written by `make retrain` from managers' corrections (each example names its source).\n"
    path.write_text(header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000), "utf-8")
