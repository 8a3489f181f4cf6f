"""Erases a customer from the training files the console and retrain write: exported stories and NLU examples.

The console exports reviewed conversations as test stories (one file per conversation, `story_file_name`) and
managers' corrections as NLU examples (`reviewed.yml`, each with its source message); retrain copies the latter
into every candidate it trains (`models/candidates/<id>/data/`). A customer's erasure must reach all of them. An
example goes when its source names one of the customer's messages or its text is one the customer wrote (the text
is then the personal data, whoever's correction it was). A candidate trained on an erased example loses its
trained model too: the model may reproduce what it was trained on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.conversations import story_file_name
from training.merge import REVIEWED_FILE, normalise

_SOURCE_MESSAGE = re.compile(r"correction of message (\d+)\b")


@dataclass
class ErasedFiles:
    """What `erase_from_training_files` removed."""

    stories: list[Path] = field(default_factory=list)
    examples: int = 0
    models: list[Path] = field(default_factory=list)


def _is_theirs(example: object, texts: set[str], message_ids: set[str]) -> bool:
    if isinstance(example, str):
        return normalise(example) in texts
    if not isinstance(example, dict):
        return False
    source = str((example.get("metadata") or {}).get("source") or "")
    found = _SOURCE_MESSAGE.search(source)
    return normalise(str(example.get("text") or "")) in texts or bool(found and found.group(1) in message_ids)


def erase_examples(path: Path, texts: Iterable[str], message_ids: Iterable[int | str]) -> int:
    """Rewrites one NLU file without the customer's examples; returns how many went."""
    if not path.exists():
        return 0
    header = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True) if line[:1] == "#")
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    wanted, ids = {normalise(t) for t in texts}, {str(i) for i in message_ids}
    removed = 0
    for block in document.get("nlu") or []:
        examples = block.get("examples")
        if isinstance(examples, str):
            lines = examples.splitlines()
            kept = [
                line for line in lines if not (line.strip()[:2] == "- " and _is_theirs(line.strip()[2:], wanted, ids))
            ]
            removed += len(lines) - len(kept)
            block["examples"] = "\n".join(kept) + ("\n" if kept else "")
        elif isinstance(examples, list):
            kept_examples = [e for e in examples if not _is_theirs(e, wanted, ids)]
            removed += len(examples) - len(kept_examples)
            block["examples"] = kept_examples
    if removed:
        document["nlu"] = [b for b in document.get("nlu") or [] if b.get("examples")]
        tmp = path.with_name(path.name + ".tmp")
        dumped = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000)
        tmp.write_text(header + dumped, encoding="utf-8")
        tmp.replace(path)
    return removed


def erase_from_training_files(
    conversations: Iterable[str],
    texts: Iterable[str],
    message_ids: Iterable[int | str],
    nlu_export: Path,
    stories_dir: Path,
    candidates_dir: Path,
) -> ErasedFiles:
    """Deletes the customer's exported stories and NLU examples, in the export and in every retrain candidate."""
    erased = ErasedFiles()
    texts, message_ids = list(texts), list(message_ids)
    for conversation_id in set(conversations):
        story = stories_dir / story_file_name(conversation_id)
        if story.exists():
            story.unlink()
            erased.stories.append(story)
    erased.examples += erase_examples(nlu_export, texts, message_ids)
    if candidates_dir.is_dir():
        for candidate in sorted(p for p in candidates_dir.iterdir() if p.is_dir()):
            removed = erase_examples(candidate / "data" / "nlu" / REVIEWED_FILE, texts, message_ids)
            if removed:
                erased.examples += removed
                for model in candidate.glob("*.tar.gz"):
                    model.unlink()
                    erased.models.append(model)
    return erased
