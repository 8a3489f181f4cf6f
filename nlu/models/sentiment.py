"""Sentiment (negative / neutral / positive) for customer messages.

Two implementations behind one `predict(texts) -> list[Sentiment]` shape:

- `SentimentHead`, Parley's default: a multinomial logistic regression over the shared encoder's sentence vector
  plus VADER's four lexicon scores. The embedding knows context ("the zip broke after a week"), the lexicon knows
  strong words and emoji; together they beat either alone (see `benchmarks/README.md`). The head is a few thousand
  numbers, committed as JSON and rebuilt by `python -m nlu.train_sentiment`.
- `TransformerSentiment`: any Hugging Face sequence-classification model by name or path, for users who can point
  Parley at a dedicated sentiment model. It runs its own encoder pass.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.settings import PROJECT_ROOT

LABELS = ("negative", "neutral", "positive")
DEFAULT_HEAD_PATH = PROJECT_ROOT / "nlu" / "resources" / "sentiment_head.json"
# Customer-service examples the shipped head is trained on; adapting to corrections rehearses them too.
SHIPPED_EXAMPLES_PATH = PROJECT_ROOT / "nlu" / "resources" / "sentiment_examples.tsv"


def read_examples(path: Path = SHIPPED_EXAMPLES_PATH) -> tuple[list[str], list[str]]:
    """(texts, labels) from a TSV with `label` and `text` columns."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [row["text"] for row in rows], [row["label"] for row in rows]


def sentiment_scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    """Macro-recall (TweetEval's headline metric: every label counts equally), macro-F1 and accuracy.

    Averaged over the labels in `gold`, so a prediction outside them (a model that gave none) counts as an error
    without adding a label of its own to the average.
    """
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    labels = sorted(set(gold))
    return {
        "macro_recall": float(recall_score(gold, predicted, labels=labels, average="macro", zero_division=0)),
        "macro_f1": float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, predicted)),
    }


@dataclass(frozen=True)
class Sentiment:
    """A message's sentiment: the label, its probability, and the probability of every label."""

    label: str
    score: float
    scores: dict[str, float]

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form, as stored on Rasa messages."""
        return {
            "label": self.label,
            "score": round(self.score, 4),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
        }


def from_probabilities(probabilities: np.ndarray, labels: tuple[str, ...] = LABELS) -> list[Sentiment]:
    """Turns a (texts x labels) probability matrix into `Sentiment`s."""
    out = []
    for row in probabilities:
        best = int(np.argmax(row))
        out.append(
            Sentiment(labels[best], float(row[best]), {label: float(p) for label, p in zip(labels, row, strict=True)})
        )
    return out


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def lexicon_features(texts: list[str]) -> np.ndarray:
    """VADER's neg, neu, pos and compound scores per text (texts x 4)."""
    analyzer = _vader()
    rows = []
    for text in texts:
        scores = analyzer.polarity_scores(text)
        rows.append([scores["neg"], scores["neu"], scores["pos"], scores["compound"]])
    return np.array(rows, dtype=np.float32).reshape(len(texts), 4)


def head_features(embeddings: np.ndarray, texts: list[str], lexicon_weight: float) -> np.ndarray:
    """What the head reads: the L2-normalised sentence embedding next to the weighted lexicon scores."""
    norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
    unit = embeddings / np.maximum(norms, 1e-9)
    return np.hstack([unit, lexicon_weight * lexicon_features(texts)])


@dataclass
class SentimentHead:
    """Logistic regression weights over `head_features`."""

    weights: np.ndarray  # (labels, features)
    bias: np.ndarray  # (labels,)
    lexicon_weight: float
    encoder: str
    split: int
    metadata: dict

    def predict_from_embeddings(self, embeddings: np.ndarray, texts: list[str]) -> list[Sentiment]:
        """Sentiment of each text given its sentence embedding from the shared encoder."""
        if len(texts) == 0:
            return []
        logits = head_features(embeddings, texts, self.lexicon_weight) @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        return from_probabilities(probabilities)

    def adapted(
        self,
        embeddings: np.ndarray,
        texts: list[str],
        labels: list[str],
        strength: float,
        metadata: dict,
        weights: np.ndarray | None = None,
    ) -> SentimentHead:
        """A copy of the head re-fitted to managers' corrections, staying close to the current weights.

        Why not retrain from scratch: the head's original training data (TweetEval's validation split) need not be
        on the machine that learns from its corrections. Instead this is a maximum a posteriori fit with a Gaussian
        prior centred on the current weights: the corrections' cross-entropy plus `strength / 2` times the squared
        distance from the current weights. A few corrections move the head towards them (and towards similar
        messages) without undoing what it learnt before; larger `strength` moves it less. Deterministic (L-BFGS).
        """
        from scipy.optimize import minimize

        if len(texts) == 0:
            return self
        x = head_features(embeddings, texts, self.lexicon_weight).astype(np.float64)
        x = np.hstack([x, np.ones((len(x), 1))])
        target = np.eye(len(LABELS))[[LABELS.index(label) for label in labels]]
        weight = np.ones(len(texts)) if weights is None else np.asarray(weights, dtype=np.float64)
        start = np.hstack([self.weights, self.bias[:, None]]).astype(np.float64)

        def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
            w = flat.reshape(start.shape)
            logits = x @ w.T
            logits -= logits.max(axis=1, keepdims=True)
            log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
            drift = w - start
            loss = -(weight[:, None] * target * log_p).sum() + 0.5 * strength * (drift**2).sum()
            gradient = (weight[:, None] * (np.exp(log_p) - target)).T @ x + strength * drift
            return float(loss), gradient.ravel()

        fitted = minimize(objective, start.ravel(), jac=True, method="L-BFGS-B", options={"maxiter": 1000}).x
        w = fitted.reshape(start.shape).astype(np.float32)
        return SentimentHead(w[:, :-1], w[:, -1], self.lexicon_weight, self.encoder, self.split, metadata)

    def save(self, path: Path) -> None:
        """Writes the head as JSON (small, diffable, no pickle)."""
        path.write_text(
            json.dumps(
                {
                    "labels": list(LABELS),
                    "weights": np.round(self.weights, 6).tolist(),
                    "bias": np.round(self.bias, 6).tolist(),
                    "lexicon_weight": self.lexicon_weight,
                    "encoder": self.encoder,
                    "split": self.split,
                    "metadata": self.metadata,
                }
            )
        )

    @classmethod
    def load(cls, path: Path = DEFAULT_HEAD_PATH) -> SentimentHead:
        """Reads a head written by `save`."""
        raw = json.loads(Path(path).read_text())
        if tuple(raw["labels"]) != LABELS:
            raise ValueError(f"{path}: expected labels {LABELS}, found {raw['labels']}")
        return cls(
            np.array(raw["weights"], dtype=np.float32),
            np.array(raw["bias"], dtype=np.float32),
            float(raw["lexicon_weight"]),
            raw["encoder"],
            int(raw["split"]),
            raw.get("metadata", {}),
        )


class TransformerSentiment:
    """A Hugging Face sequence-classification model whose labels name negative/neutral/positive."""

    def __init__(self, name_or_path: str, max_length: int = 128) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from nlu.models.encoder import resolve_model_path

        path = resolve_model_path(name_or_path)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForSequenceClassification.from_pretrained(path).eval()
        self.max_length = max_length
        self.columns = self._label_columns(self.model.config.id2label)

    @staticmethod
    def _label_columns(id2label: dict[int, str]) -> list[int]:
        """Model output column for each of LABELS, matched by name (e.g. "NEGATIVE", "LABEL_0" is rejected)."""
        columns = []
        for wanted in LABELS:
            matches = [i for i, name in id2label.items() if name.lower().startswith(wanted[:3])]
            if len(matches) != 1:
                raise ValueError(
                    f"sentiment model labels {sorted(id2label.values())} do not name '{wanted}' exactly once"
                )
            columns.append(int(matches[0]))
        return columns

    def predict(self, texts: list[str]) -> list[Sentiment]:
        """Sentiment of each text."""
        import torch

        if not texts:
            return []
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")
        with torch.inference_mode():
            probabilities = torch.softmax(self.model(**batch).logits, dim=-1).numpy()
        return from_probabilities(probabilities[:, self.columns])
