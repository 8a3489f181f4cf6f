"""Which confidence score separates out-of-scope queries best? One fine-tuned model, several scoring rules.

    python -m benchmarks.oos_scores

Same held-out split as `intent_banking77.py` (15 of BANKING77's 77 intents, fixed seed). Trains Parley's intent
model once on the 62 kept intents (outside Rasa, same code), then scores the test set with each rule and reports
the best out-of-scope recall at a threshold keeping in-scope accuracy >= 93%.
Results: `benchmarks/results/oos_scores.json`.
"""

from __future__ import annotations

import numpy as np
import torch

from benchmarks.common import dataset, table, write_results
from benchmarks.intent_banking77 import HELD_OUT_FRACTION, IN_SCOPE_TARGET, SEED, read_split
from nlu.models.encoder import SplitEncoder, configure_torch_threads
from nlu.models.intent import IntentModel, IntentTrainingConfig, OodModel
from recommender.encoders import normalise as unit


def best_recall(score: np.ndarray, correct: np.ndarray, is_oos: np.ndarray) -> float:
    """Best out-of-scope recall over thresholds (higher score = more in scope) with in-scope accuracy >= target."""
    best = 0.0
    for threshold in np.unique(score):
        accuracy = (correct & (score >= threshold))[~is_oos].mean()
        recall = (score < threshold)[is_oos].mean()
        if accuracy >= IN_SCOPE_TARGET:
            best = max(best, float(recall))
    return best


def frozen_lr_probabilities(train_texts: list[str], labels: list[str], test_texts: list[str]) -> np.ndarray:
    """The reference baseline's test probabilities (columns: sorted labels).

    all-MiniLM-L6-v2 sentence embeddings (every layer, frozen, as sentence-transformers computes them) + logistic
    regression.
    """
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    from nlu.models.encoder import resolve_model_path

    encoder = SentenceTransformer(resolve_model_path("minilm"), device="cpu")
    train = encoder.encode(train_texts, batch_size=64, normalize_embeddings=True)
    test = encoder.encode(test_texts, batch_size=64, normalize_embeddings=True)
    return LogisticRegression(C=30, max_iter=3000).fit(train, labels).predict_proba(test)


def frozen_logistic_regression(
    train_texts: list[str], labels: list[str], test_texts: list[str], test_y: list[str], held_out: set[str]
) -> tuple[dict[str, float], np.ndarray]:
    """The reference baseline scored by the same rule as every other row, rejecting by its max probability.

    Also returns its test probabilities (columns: sorted intents).
    """
    probabilities = frozen_lr_probabilities(train_texts, labels, test_texts)
    predicted = np.array(sorted(set(labels)))[probabilities.argmax(1)]
    is_oos = np.array([y in held_out for y in test_y])
    correct = np.array([(y not in held_out) and y == p for y, p in zip(test_y, predicted, strict=True)])
    scores = {
        "in_scope_accuracy_no_rejection": float(correct[~is_oos].mean()),
        "oos_recall": best_recall(probabilities.max(1), correct, is_oos),
    }
    return scores, probabilities


def main() -> None:
    folder = dataset("banking77")
    configure_torch_threads()
    train_x, train_y = read_split(folder, "train")
    test_x, test_y = read_split(folder, "test")
    intents = sorted(set(train_y))
    rng = np.random.default_rng(SEED)
    held_out = set(rng.choice(intents, size=round(len(intents) * HELD_OUT_FRACTION), replace=False))
    keep = [i for i, y in enumerate(train_y) if y not in held_out]
    labels = [train_y[i] for i in keep]

    encoder = SplitEncoder("minilm", split=-2)
    train_states = encoder.bottom_batches([train_x[i] for i in keep])
    print(f"training on {len(keep)} queries of {len(intents) - len(held_out)} intents", flush=True)
    model = IntentModel.train_on_states(encoder, train_states, labels, IntentTrainingConfig(), progress=False)
    test_states = encoder.bottom_batches(test_x)
    features, train_features = model.features_from_states(test_states), model.features_from_states(train_states)
    with torch.inference_mode():
        logits = model.network.classifier(torch.from_numpy(features)).numpy()
    probabilities = np.exp(logits - logits.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)

    predicted = [model.labels[i] for i in probabilities.argmax(1)]
    is_oos = np.array([y in held_out for y in test_y])
    correct = np.array([(y not in held_out) and y == p for y, p in zip(test_y, predicted, strict=True)])
    y = np.array([model.labels.index(label) for label in labels])
    ood = OodModel.fit(train_features, y, len(model.labels), 99)  # what `ood_percentile: 99` would fit
    frozen_train = np.stack([a.mean(0) for a, _ in train_states])
    frozen_test = np.stack([a.mean(0) for a, _ in test_states])
    frozen_ood = OodModel.fit(frozen_train, y, len(model.labels), 99)
    knn = np.sort(unit(features) @ unit(train_features).T, axis=1)[:, -5:].mean(1)

    scores = {
        "softmax x Mahalanobis in-scope (ood_percentile 99)": probabilities.max(1) * ood.in_scope(features),
        "max softmax probability (default)": probabilities.max(1),
        "max logit": logits.max(1),
        "energy (log-sum-exp)": np.log(np.exp(logits).sum(1)),
        "cosine 5-NN, fine-tuned features": knn,
        "Mahalanobis, fine-tuned features": -ood.distances(features),
        "Mahalanobis, frozen features": -frozen_ood.distances(frozen_test),
    }
    reference, frozen = frozen_logistic_regression([train_x[i] for i in keep], labels, test_x, test_y, held_out)
    # Two views of the query: classify with the fine-tuned model, reject by how sure both models are together.
    scores["mean of fine-tuned and frozen-LR probabilities (max)"] = ((probabilities + frozen) / 2).max(1)
    scores["frozen-LR probability of the fine-tuned model's intent"] = frozen[
        np.arange(len(frozen)), probabilities.argmax(1)
    ]
    rows = [{"score": name, "oos_recall": best_recall(s, correct, is_oos)} for name, s in scores.items()]
    accuracy = float(correct[~is_oos].mean())
    print(f"\nin-scope accuracy before rejection: {accuracy:.4f}")
    print(table(rows, ["score", "oos_recall"]))
    print(f"reference, frozen MiniLM + logistic regression (max probability): {reference}")
    write_results(
        "oos_scores",
        {
            "in_scope_accuracy_no_rejection": accuracy,
            "scores": rows,
            "frozen_logistic_regression": reference,
            "held_out_intents": sorted(held_out),
        },
    )


if __name__ == "__main__":
    main()
