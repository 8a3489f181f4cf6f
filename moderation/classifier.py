"""Scores a message for each moderation category: toxic, spam (scams and link bait), self-promotion.

- Toxicity and insults: `alt-profanity-check`'s model (a linear SVM over word n-grams, trained on about 200,000
  human-labelled comments from the Davidson et al. hate-speech set and Wikipedia's toxic-comment set; it ships on
  PyPI with its weights, loads offline in about a second and scores a message in well under a millisecond). It
  tells insults from complaints: "ur tents r trash, worst company ever" scores 0.44, "you're a fucking idiot" 1.0.
- Spam and self-promotion: no model for them ships in a registry package, so Parley trains its own at first use
  (a fraction of a second): logistic regression over word and character n-grams of the message with its links
  reduced to their shape ("a link to a shortener", "a link to a .xyz site"), on the labelled examples in
  `moderation/data/examples.tsv` (complaints and ordinary questions included as the negative class, so "the link
  in your email doesn't work" is not spam), plus the bot's own NLU examples as ordinary messages ("show my
  profile" is not self-promotion). A brand adds its own examples to that file.

`benchmarks/moderation.py` measures both against a keyword list, and the false-positive rate on the bot's own
in-domain messages, complaints included.
"""

from __future__ import annotations

import csv
import functools
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parent / "data" / "examples.tsv"
_URL = re.compile(r"(?i)\b(?:https?://|www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.([a-z]{2,10}))(/\S*)?")
_HANDLE = re.compile(r"(?<!\w)@\w{3,}")
_MONEY = re.compile(r"[$€£]\s?\d[\d,.]*|\d[\d,.]*\s?(?:usd|eur|btc|eth)\b", re.IGNORECASE)
_PHONE = re.compile(r"\+?\d[\d\s-]{7,}\d")
SHORTENERS = {"bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "cutt.ly", "t.me", "rb.gy"}


def link_shape(text: str) -> str:
    """The message with links, handles, sums of money and phone numbers replaced by tokens saying what they are.

    A classifier then learns "a link to a shortener" or "a .xyz site" rather than one scam's address.
    """

    def link(match: re.Match[str]) -> str:
        host, tld = match.group(1).lower(), match.group(2).lower()
        if host.endswith("kestrel-outdoor.example"):
            return " brandlink "
        kind = "shortlink" if host in SHORTENERS else f"link tld{tld}"
        return f" {kind} "

    text = _URL.sub(link, text)
    text = _HANDLE.sub(" somehandle ", text)
    text = _MONEY.sub(" somemoney ", text)
    return _PHONE.sub(" somephone ", text)


def _shaped(text: str) -> str:
    return link_shape(text).lower()


def read_examples(path: Path = EXAMPLES) -> list[tuple[str, str]]:
    """(text, label) rows of a tab-separated examples file with a `label` and a `text` column."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["label"]) for row in csv.DictReader(handle, delimiter="\t") if row.get("text")]


@functools.cache
def shared_moderator(ordinary: tuple[str, ...] = ()) -> Moderator:
    """One moderator per process (and per set of ordinary messages): its models load and train once."""
    return Moderator(ordinary=ordinary)


class Moderator:
    """Scores messages for toxicity (alt-profanity-check) and spam / self-promotion (trained at first use).

    `ordinary` are messages known to be neither (the bot's NLU examples): the customers' own way of writing.
    """

    def __init__(self, examples: Path = EXAMPLES, ordinary: Sequence[str] = ()) -> None:
        self.examples = examples
        self.ordinary = [(text, "none") for text in ordinary]
        self.corrections: list[tuple[str, str]] = []
        self._pipeline: Any = None
        self._labels: list[str] = []
        self._lock = threading.Lock()

    def _trained(self) -> Any:
        with self._lock:
            if self._pipeline is None:
                from sklearn.feature_extraction.text import TfidfVectorizer
                from sklearn.linear_model import LogisticRegression
                from sklearn.pipeline import make_pipeline, make_union

                rows = read_examples(self.examples) + self.ordinary + self.corrections
                features = make_union(
                    TfidfVectorizer(
                        preprocessor=lambda t: link_shape(t).lower(), ngram_range=(1, 2), sublinear_tf=True
                    ),
                    TfidfVectorizer(
                        preprocessor=lambda t: link_shape(t).lower(), analyzer="char_wb", ngram_range=(3, 5)
                    ),
                )
                pipeline = make_pipeline(features, LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced"))
                pipeline.fit([text for text, _ in rows], [label for _, label in rows])
                self._labels = [str(label) for label in pipeline.classes_]
                self._pipeline = pipeline
            return self._pipeline

    def scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """For each text, a score in [0, 1] per category (`toxic`, `spam`, `self_promotion`)."""
        if not texts:
            return []
        from profanity_check import predict_prob

        toxic = predict_prob(list(texts))
        pipeline = self._trained()
        probabilities = pipeline.predict_proba(list(texts))
        out = []
        for row, toxicity in zip(probabilities, toxic, strict=True):
            by_label = dict(zip(self._labels, (float(p) for p in row), strict=True))
            out.append(
                {
                    "toxic": float(toxicity),
                    "spam": by_label.get("spam", 0.0),
                    "self_promotion": by_label.get("self_promotion", 0.0),
                }
            )
        return out

    def learn(self, corrections: Sequence[tuple[str, str]]) -> None:
        """Retrains the spam and self-promotion model with managers' corrections on top of the shipped examples.

        `corrections` are (text, label) pairs, `none` for a restored false positive. The toxicity model is a
        fixed, shipped one: a restored toxic message is kept as data but does not change it.
        """
        learnt = [(text, label if label in ("spam", "self_promotion") else "none") for text, label in corrections]
        with self._lock:
            if learnt == self.corrections:
                return  # nothing new: keep the trained model
            trained = self._pipeline is not None
            self.corrections = learnt
            self._pipeline = None
        if trained:
            self._trained()

    def warm_up(self) -> None:
        """Loads and trains now, so the first customer does not wait."""
        self.scores(["hello"])
