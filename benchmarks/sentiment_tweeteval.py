"""Sentiment on TweetEval (test split, 12,284 tweets): Parley's head vs VADER, in the same run.

    python -m benchmarks.sentiment_tweeteval

Parley's shipped head (`nlu/resources/sentiment_head.json`) was trained on TweetEval's validation split and the
repository's customer-service examples, never on the test split. For reference the run also fits an
embedding-only head on the same data, to show what the VADER features add. Per-message time is measured one
message at a time, as in the Rasa server: the shared encoder's bottom layers plus the head (plus VADER).

Needs `../shared/data/tweeteval-sentiment` (skips cleanly without it). Results:
`benchmarks/results/sentiment_tweeteval.json`.
"""

from __future__ import annotations

import time

from benchmarks.common import dataset, table, write_results
from nlu.models.encoder import SplitEncoder, configure_torch_threads
from nlu.models.sentiment import LABELS, SentimentHead, lexicon_features
from nlu.models.sentiment import sentiment_scores as scores
from nlu.train_sentiment import build_training_set, fit_classifier, read_tweeteval
from recommender.encoders import normalise as unit


def vader_labels(texts: list[str]) -> list[str]:
    """VADER's recommended thresholds on the compound score."""
    compound = lexicon_features(texts)[:, 3]
    return ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in compound]


def main() -> None:
    folder = dataset("tweeteval-sentiment")
    configure_torch_threads()
    test_x, test_y = read_tweeteval(folder, "test")
    head = SentimentHead.load()
    encoder = SplitEncoder(head.encoder, split=head.split)

    print(f"Encoding {len(test_x)} test tweets", flush=True)
    test_emb = encoder.sentence_vectors(test_x)
    results: dict = {"systems": {}}

    start = time.perf_counter()
    results["systems"]["vader"] = scores(test_y, vader_labels(test_x))
    results["systems"]["vader"]["ms_per_message"] = (time.perf_counter() - start) * 1000 / len(test_x)

    parley = [s.label for s in head.predict_from_embeddings(test_emb, test_x)]
    results["systems"]["parley_head"] = scores(test_y, parley)

    # Reference: the same training data and classifier without the lexicon features.
    train_x, train_y, weights, _ = build_training_set(folder)
    plain = fit_classifier(unit(encoder.sentence_vectors(train_x)), train_y, weights)
    embedding_only = [LABELS[i] for i in plain.predict(unit(test_emb))]
    results["systems"]["embedding_only_head"] = scores(test_y, embedding_only)

    # Time per message, one at a time: the head alone (its cost in the pipeline, where the encoder pass is shared
    # with the intent classifier) and with the shared encoder pass included.
    sample = test_x[:300]
    encoder.sentence_vectors([sample[0]])  # warm-up
    head_only = encoder_too = 0.0
    for text in sample:
        start = time.perf_counter()
        vector = encoder.sentence_vectors([text])
        middle = time.perf_counter()
        head.predict_from_embeddings(vector, [text])
        end = time.perf_counter()
        head_only += end - middle
        encoder_too += end - start
    results["systems"]["parley_head"]["ms_per_message"] = head_only * 1000 / len(sample)
    results["systems"]["parley_head"]["ms_per_message_with_encoder"] = encoder_too * 1000 / len(sample)
    results["training_data"] = head.metadata
    results["labels"] = list(LABELS)

    rows = [{"system": k, **v} for k, v in results["systems"].items()]
    print("\nTweetEval sentiment, test split")
    print(
        table(rows, ["system", "macro_recall", "macro_f1", "accuracy", "ms_per_message", "ms_per_message_with_encoder"])
    )
    write_results("sentiment_tweeteval", results)


if __name__ == "__main__":
    main()
