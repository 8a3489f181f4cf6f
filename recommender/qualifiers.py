"""The request's qualifiers ("wide feet", "deep cold", "ultralight"), matched to the catalog tags that meet them.

Text similarity alone ranks a wood stove first for "winter camping above 3000m" (the words are close) and a
wide-brim hat for "wide feet". The brand knows better: `brand/attributes.yml` says which words name a need and which
tags provide it. The engine boosts items carrying those tags, narrows to them when the range has any, and names the
matched attribute in the explanation ("rated for -18 °C") instead of echoing the customer's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Qualifier:
    """One need: the phrases that name it and the catalog tags that meet it (best first).

    `unless` lists phrases in which the need's words mean something else: "warm" asks for warmth, "warm nights"
    describes the weather; "heavy" complains about weight, "a heavy pack" describes the load.
    """

    words: tuple[str, ...]
    tags: tuple[str, ...]
    unless: tuple[str, ...] = ()

    @property
    def pattern(self) -> re.Pattern[str]:
        """Any of the phrases as whole words, longest first."""
        return _phrases(self.words)

    def named_in(self, text: str) -> bool:
        """Whether the text names this need, outside the `unless` phrases."""
        if self.unless:
            text = _phrases(self.unless).sub(" ", text)
        return bool(self.pattern.search(text))


def _phrases(words: Iterable[str]) -> re.Pattern[str]:
    phrases = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class Attributes:
    """The brand's qualifiers and how explanations name each tag."""

    qualifiers: tuple[Qualifier, ...] = ()
    says: Mapping[str, str] = field(default_factory=dict)

    def find(self, text: str) -> tuple[tuple[str, ...], ...]:
        """The tag groups the text asks for, one per qualifier it mentions, in the brand file's order."""
        return tuple(q.tags for q in self.qualifiers if q.named_in(text or ""))

    def describe(self, tag: str) -> str:
        """How an explanation names a tag ("rated for -18 °C"); the tag in words when the brand gave none."""
        return self.says.get(tag) or tag.replace("-", " ")


def matched_tags(item_tags: Iterable[str], wants: Iterable[tuple[str, ...]]) -> list[str]:
    """For each wanted group the item meets, the group's best tag the item carries."""
    have = set(item_tags)
    return [next(t for t in group if t in have) for group in wants if have.intersection(group)]


def load_attributes(path: str | Path) -> Attributes:
    """Reads `attributes.yml`; a missing file means no qualifiers (ranking by similarity alone).

    Raises:
        ValueError: when a qualifier has no words or no tags.
    """
    path = Path(path)
    if not path.exists():
        return Attributes()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    qualifiers = []
    for position, entry in enumerate(raw.get("qualifiers") or [], start=1):
        words = tuple(str(w) for w in entry.get("words") or [])
        tags = tuple(str(t) for t in entry.get("tags") or [])
        if not words or not tags:
            raise ValueError(f"{path}: qualifier #{position} needs both 'words' and 'tags'")
        unless = tuple(str(w) for w in entry.get("unless") or [])
        qualifiers.append(Qualifier(words, tags, unless))
    return Attributes(tuple(qualifiers), {str(k): str(v) for k, v in (raw.get("says") or {}).items()})
