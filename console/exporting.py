"""Turns a reviewed conversation into a test story (`tests/stories/reviewed/`) that passes `rasa data validate`.

Corrected messages become NLU training data through `training.merge`, the same merge `make retrain` uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from core.conversations import story_file_name
from core.events import BOOKKEEPING_ACTIONS

INTERNAL_SLOTS = {"session_started_metadata"}
_MARKUP = re.compile(r"[\[\]\(\)\{\}]")


def clean_text(text: str) -> str:
    """One line, trimmed: training examples and story steps are single lines."""
    return " ".join((text or "").split())


def annotate(text: str, entities: Sequence[Mapping[str, Any]]) -> str:
    """Rasa's inline entity markup, `[tent](product_type)` or `[tents]{"entity": ..., "value": ...}`.

    Texts that already contain markup characters are left unannotated (Rasa has no escaping for them).
    """
    spans = sorted(
        (e for e in entities if isinstance(e.get("start"), int) and isinstance(e.get("end"), int) and e.get("entity")),
        key=lambda e: e["start"],
    )
    if not spans or _MARKUP.search(text):
        return text
    out, position = [], 0
    for entity in spans:
        start, end = entity["start"], entity["end"]
        if start < position or end > len(text):
            return text
        surface = text[start:end]
        value = entity.get("value")
        if value is None or str(value) == surface:
            tag = f"[{surface}]({entity['entity']})"
        else:
            tag = f'[{surface}]{{"entity": "{entity["entity"]}", "value": "{value}"}}'
        out += [text[position:start], tag]
        position = end
    out.append(text[position:])
    return "".join(out)


def story_steps(events: Sequence[Mapping[str, Any]], corrected: Mapping[str, str] | None = None) -> list[dict]:
    """Test-story steps from a tracker's events; `corrected` maps message ids to manager intents."""
    corrected = corrected or {}
    steps: list[dict[str, Any]] = []
    started = False
    for event in events:
        kind = event.get("event")
        if kind != "user" and not started:
            continue  # session start-up: not part of what the customer and the bot said
        if kind == "user":
            started = True
            parse = event.get("parse_data") or {}
            intent = corrected.get(event.get("message_id") or "") or (parse.get("intent") or {}).get("name")
            text = clean_text(event.get("text") or "")
            if not intent:
                continue
            if not text:
                steps.append({"intent": intent})
            elif text.startswith("/"):
                steps.append({"user": text, "intent": intent})
            else:
                entities = [e for e in parse.get("entities") or [] if e.get("extractor")]
                step: dict[str, Any] = {"user": annotate(text, entities), "intent": intent}
                steps.append(step)
        elif kind == "action" and event.get("name") and event["name"] not in BOOKKEEPING_ACTIONS:
            steps.append({"action": event["name"]})
        elif kind == "active_loop":
            steps.append({"active_loop": event.get("name")})
        elif kind == "slot" and event.get("name") and event["name"] not in INTERNAL_SLOTS:
            steps.append({"slot_was_set": [{event["name"]: event.get("value")}]})
    return steps


def write_story(directory: Path, conversation_id: str, steps: list[dict]) -> Path:
    """Writes one reviewed conversation as a test story file; returns its path."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    document = {
        "version": "3.1",
        "stories": [{"story": f"reviewed conversation {conversation_id} ({stamp})", "steps": steps}],
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / story_file_name(conversation_id)
    header = "# Exported by the review console from a reviewed conversation: a dialogue regression test.\n"
    path.write_text(header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000), "utf-8")
    return path
