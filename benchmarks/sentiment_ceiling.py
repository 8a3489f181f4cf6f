"""Is Parley's sentiment head held back by its training data or by its encoder? TweetEval test split.

    python -m benchmarks.sentiment_ceiling

The head (`nlu/train_sentiment.py`) is a logistic regression over a frozen MiniLM sentence vector plus VADER's
scores, trained on TweetEval's 2,000 validation tweets and the repository's 120 customer-service examples. Two
questions decide what could lift its macro-recall towards 0.70:

1. Data: the same recipe on fewer validation tweets (250 to 2,000, three random draws each, the 120 examples always
   in). A flat curve means more tweets of the same kind, bought or written, would add little.
2. Features: the mean-pooled output of each of MiniLM's six layers (the head reads layer 4, the shared bottom of
   `split: -2`), and several layers side by side.

Never trains on the test split. Needs `../shared/data/tweeteval-sentiment` (skips cleanly without it).
Results: `benchmarks/results/sentiment_ceiling.json`.
"""

from __future__ import annotations

import numpy as np
import torch

from benchmarks.common import dataset, table, write_results
from nlu.models.encoder import SplitEncoder, configure_torch_threads, mean_pool, run_layers
from nlu.models.sentiment import LABELS, lexicon_features, read_examples, sentiment_scores
from nlu.train_sentiment import LEXICON_WEIGHT, build_training_set, fit_classifier, read_tweeteval
from recommender.encoders import normalise as unit

SHIPPED_LAYER = 4  # split -2 of six layers: what the head reads in the pipeline
CURVE_SIZES = (250, 500, 1000, 1500, 2000)
DRAWS = 3
LAYER_SETS = ((1,), (2,), (3,), (4,), (5,), (6,), (4, 6), (3, 4, 5, 6), (1, 2, 3, 4, 5, 6))


def layer_vectors(texts: list[str], batch_size: int = 64) -> dict[int, np.ndarray]:
    """Layer number (1-6) -> each text's mean-pooled output of that MiniLM layer, from one pass per text.

    The pipeline's `pool_states` over a split encoder's bottom gives the same vectors for one layer; this keeps all
    six from a single pass instead of re-running the lower layers for every depth.
    """
    encoder = SplitEncoder("minilm", split=0)  # the bottom is the embeddings; every layer is above the split
    layers = encoder.top_layers()
    out = np.zeros((len(layers), len(texts), encoder.hidden_size), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad little
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            hidden, mask = encoder.bottom([texts[i] for i in rows])
            for depth, layer in enumerate(layers):
                hidden = run_layers([layer], hidden, mask)
                out[depth, rows] = mean_pool(hidden, mask).numpy()
    return {depth + 1: vectors for depth, vectors in enumerate(out)}


def features(layers: dict[int, np.ndarray], chosen: tuple[int, ...], lexicon: np.ndarray) -> np.ndarray:
    """Each chosen layer's unit sentence vector side by side, then the weighted VADER scores (the head's recipe)."""
    return np.hstack([unit(layers[k]) for k in chosen] + [LEXICON_WEIGHT * lexicon])


def score(train: np.ndarray, labels: list[str], weights: np.ndarray, test: np.ndarray, gold: list[str]) -> dict:
    """Fits the head's classifier and scores it on the test tweets."""
    predicted = [LABELS[i] for i in fit_classifier(train, labels, weights).predict(test)]
    return sentiment_scores(gold, predicted)


def main() -> None:
    folder = dataset("tweeteval-sentiment")
    configure_torch_threads()
    train_x, train_y, weights, _ = build_training_set(folder)
    test_x, test_y = read_tweeteval(folder, "test")
    written = len(read_examples()[0])  # build_training_set puts the repository's examples first

    print(f"Encoding {len(train_x) + len(test_x)} texts, keeping every layer's sentence vector", flush=True)
    train_layers, test_layers = layer_vectors(train_x), layer_vectors(test_x)
    train_lexicon, test_lexicon = lexicon_features(train_x), lexicon_features(test_x)

    results: dict = {"layers": {}, "learning_curve": {}}
    for chosen in LAYER_SETS:
        name = "+".join(map(str, chosen))
        results["layers"][name] = score(
            features(train_layers, chosen, train_lexicon),
            train_y,
            weights,
            features(test_layers, chosen, test_lexicon),
            test_y,
        )
        print(f"layers {name}: {results['layers'][name]}", flush=True)

    rng = np.random.default_rng(0)
    train_all = features(train_layers, (SHIPPED_LAYER,), train_lexicon)
    test_all = features(test_layers, (SHIPPED_LAYER,), test_lexicon)
    examples, tweets = np.arange(written), np.arange(written, len(train_x))
    for size in CURVE_SIZES:
        draws = []
        for _ in range(DRAWS if size < len(tweets) else 1):
            rows = np.concatenate([examples, rng.choice(tweets, size=size, replace=False)])
            labels = [train_y[i] for i in rows]
            draws.append(score(train_all[rows], labels, weights[rows], test_all, test_y)["macro_recall"])
        results["learning_curve"][size] = {"macro_recall_mean": float(np.mean(draws)), "draws": draws}
        print(f"{size} tweets: macro-recall {np.mean(draws):.4f} {np.round(draws, 4).tolist()}", flush=True)

    print("\nTweetEval test split, one feature set per row (head recipe, 2,000 tweets + 120 examples)")
    print(
        table(
            [{"layers": k, **v} for k, v in results["layers"].items()],
            ["layers", "macro_recall", "macro_f1", "accuracy"],
        )
    )
    print(f"\nLearning curve, layer {SHIPPED_LAYER} (validation tweets used; mean of {DRAWS} draws)")
    print(table([{"tweets": k, **v} for k, v in results["learning_curve"].items()], ["tweets", "macro_recall_mean"]))
    write_results("sentiment_ceiling", results)


if __name__ == "__main__":
    main()
