"""The bot's intents and responses, read from the domain.

Managers relabel only with labels the bot can learn, and experiment only on responses the bot has.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


def _sections(domain_dir: Path, key: str) -> list:
    """The entries under `key` in every file of the domain (a folder of `*.yml`, or a single domain file)."""
    files = sorted(domain_dir.glob("*.yml")) if domain_dir.is_dir() else [domain_dir]
    entries: list = []
    for file in files:
        entries.extend((yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get(key) or [])
    return entries


@lru_cache(maxsize=4)
def domain_intents(domain_dir: Path) -> tuple[str, ...]:
    """Every intent declared in the domain, sorted."""
    return tuple(sorted({next(iter(i)) if isinstance(i, dict) else str(i) for i in _sections(domain_dir, "intents")}))


@lru_cache(maxsize=4)
def domain_responses(domain_dir: Path) -> tuple[str, ...]:
    """Every response (`utter_...`) declared in the domain, sorted."""
    return tuple(sorted({str(name) for name in _sections(domain_dir, "responses")}))
