"""Trains Parley's default sentiment head and writes `nlu/resources/sentiment_head.json`.

    python -m nlu.train_sentiment [--tweeteval ../shared/data/tweeteval-sentiment] [--out PATH]

Training data, all of it reproducible: the customer-service examples in `nlu/resources/sentiment_examples.tsv`
(in this repository), plus TweetEval's 2,000-tweet validation split when its folder is given or found at
`../shared/data/tweeteval-sentiment`. TweetEval's test split is never used here: it is the benchmark.
The features are those the Rasa pipeline computes at run time (the shared encoder's sentence vector and VADER), so
the head is valid only with the same encoder and split; both are recorded in the JSON and checked when loading.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.settings import PROJECT_ROOT
from nlu.models.encoder import DEFAULT_ENCODER, SplitEncoder, configure_torch_threads
from nlu.models.sentiment import DEFAULT_HEAD_PATH, LABELS, SentimentHead, head_features, read_examples

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

ROOT = PROJECT_ROOT
TWEETEVAL = ROOT.parent / "shared" / "data" / "tweeteval-sentiment"
LEXICON_WEIGHT = 2.0
REGULARISATION_C = 2.0
# The brand's own examples are few; weighting them up keeps the head tuned to customer messages, not only tweets.
EXAMPLE_WEIGHT = 5.0


def read_tweeteval(folder: Path, split: str) -> tuple[list[str], list[str]]:
    """TweetEval sentiment texts and labels (0 negative, 1 neutral, 2 positive) for one split."""
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [LABELS[int(x)] for x in (folder / f"{split}_labels.txt").read_text().split()]
    if len(texts) != len(labels):
        raise ValueError(f"{folder}: {split} has {len(texts)} texts but {len(labels)} labels")
    return texts, labels


def fit_classifier(features: np.ndarray, labels: list[str], weights: np.ndarray) -> LogisticRegression:
    """The head's logistic regression, fitted on ready features (the benchmarks fit their reference heads with it).

    `class_weight="balanced"` because the headline metric is macro-recall and label shares differ between sources
    (TweetEval's validation split is 41% positive, its test split 19%).
    """
    from sklearn.linear_model import LogisticRegression

    y = np.array([LABELS.index(label) for label in labels])
    classifier = LogisticRegression(C=REGULARISATION_C, max_iter=2000, class_weight="balanced")
    return classifier.fit(features, y, sample_weight=weights)


def train_head(
    encoder: SplitEncoder, texts: list[str], labels: list[str], weights: np.ndarray, metadata: dict
) -> SentimentHead:
    """Fits the logistic regression on encoder + lexicon features."""
    features = head_features(encoder.sentence_vectors(texts), texts, LEXICON_WEIGHT)
    classifier = fit_classifier(features, labels, weights)
    return SentimentHead(
        classifier.coef_.astype(np.float32),
        classifier.intercept_.astype(np.float32),
        LEXICON_WEIGHT,
        encoder.name_or_path,
        encoder.split,
        metadata,
    )


def build_training_set(tweeteval: Path | None) -> tuple[list[str], list[str], np.ndarray, dict]:
    """The repository's examples, plus TweetEval's validation split when available."""
    texts, labels = read_examples()
    weights = [EXAMPLE_WEIGHT] * len(texts)
    sources = {"nlu/resources/sentiment_examples.tsv": len(texts)}
    if tweeteval is not None:
        tweet_texts, tweet_labels = read_tweeteval(tweeteval, "val")
        texts, labels = texts + tweet_texts, labels + tweet_labels
        weights += [1.0] * len(tweet_texts)
        sources["tweeteval-sentiment/val"] = len(tweet_texts)
    return texts, labels, np.array(weights), {"sources": sources}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweeteval", type=Path, default=TWEETEVAL if TWEETEVAL.exists() else None)
    parser.add_argument("--no-tweeteval", action="store_true", help="train on the repository's examples only")
    parser.add_argument("--encoder", default=DEFAULT_ENCODER)
    parser.add_argument("--split", type=int, default=-2)
    parser.add_argument("--out", type=Path, default=DEFAULT_HEAD_PATH)
    args = parser.parse_args(argv)

    configure_torch_threads()
    tweeteval = None if args.no_tweeteval else args.tweeteval
    texts, labels, weights, metadata = build_training_set(tweeteval)
    metadata["trained"] = datetime.date.today().isoformat()
    print(f"Training the sentiment head on {len(texts)} texts: {metadata['sources']}", file=sys.stderr)
    head = train_head(SplitEncoder(args.encoder, split=args.split), texts, labels, weights, metadata)
    head.save(args.out)
    print(f"Wrote {args.out} ({args.out.stat().st_size / 1024:.0f} kB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
