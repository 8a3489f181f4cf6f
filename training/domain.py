"""The bot's intents and responses, read from the domain.

Managers relabel only with labels the bot can learn, and experiment only on responses the bot has.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


@lru_cache(maxsize=4)
def domain_intents(domain_dir: Path) -> tuple[str, ...]:
    """Every intent declared in `domain_dir/*.yml` (or a single domain file), sorted."""
    files = sorted(domain_dir.glob("*.yml")) if domain_dir.is_dir() else [domain_dir]
    intents: set[str] = set()
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for intent in data.get("intents") or []:
            intents.add(next(iter(intent)) if isinstance(intent, dict) else str(intent))
    return tuple(sorted(intents))


@lru_cache(maxsize=4)
def domain_responses(domain_dir: Path) -> tuple[str, ...]:
    """Every response (`utter_...`) declared in `domain_dir/*.yml` (or a single domain file), sorted."""
    files = sorted(domain_dir.glob("*.yml")) if domain_dir.is_dir() else [domain_dir]
    names: set[str] = set()
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        names.update(str(name) for name in (data.get("responses") or {}))
    return tuple(sorted(names))
