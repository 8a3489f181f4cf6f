"""Moderation: precision and recall per category against a keyword list, and false alarms on the bot's own messages.

    python -m benchmarks.moderation

Test set: `benchmarks/moderation/messages.tsv`, 140 messages written for this benchmark (30 toxic, 30 spam, 30
self-promotion, 50 ordinary, half of those angry complaints, several with links, money or "free"), separate from
the spam model's training examples (`moderation/data/examples.tsv`). No public labelled moderation set ships in a
registry package we could find (checked: hatesonar, alt-profanity-check, toxic-comment-collection, toxigen,
detoxify, better-profanity, nlp-datasets: models, word lists or download scripts, no data), so the public part
is the toxicity model itself: alt-profanity-check's weights, trained on ~200k public labelled comments.

In-domain: the bot's held-out English test messages (`tests/nlu/heldout.yml`, complaints included; the served
model also learns "ordinary" from `data/nlu`, so those would not be a fair test) must almost never be flagged, and
no complaint may be hidden (the training complaints are checked too).

Baseline, same run: a keyword list. Toxicity from better-profanity's word list (installed for the run into
`.cache/better-profanity/`), spam and self-promotion from the phrases below.
Results: `benchmarks/results/moderation.json`.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import ROOT, table, write_results
from benchmarks.multilingual_intents import examples
from moderation.classifier import Moderator, read_examples
from moderation.policy import CATEGORIES, HIDE, Policy, judge

TEST = Path(__file__).parent / "moderation" / "messages.tsv"
CACHE = ROOT / ".cache" / "better-profanity"
SPAM_WORDS = (
    "free",
    "win",
    "won",
    "claim",
    "click",
    "earn",
    "bitcoin",
    "btc",
    "crypto",
    "loan",
    "whatsapp",
    "gift card",
    "giveaway",
    "$",
    "http",
    "www.",
    ".com",
    "prize",
    "voucher",
)
PROMO_WORDS = (
    "follow",
    "subscribe",
    "my channel",
    "my shop",
    "my blog",
    "link in bio",
    "check out my",
    "youtube",
    "instagram",
    "tiktok",
    "dm me",
    "my page",
    "my site",
)


class Keywords:
    """Flags a message when it contains a listed word or phrase; toxic first, then spam, then self-promotion."""

    def __init__(self) -> None:
        if not CACHE.exists():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "--no-deps",
                    "--target",
                    str(CACHE),
                    "better-profanity==0.7.0",
                ],
                check=True,
            )
        wordlist = CACHE / "better_profanity" / "profanity_wordlist.txt"
        self.profanity = {w.strip().lower() for w in wordlist.read_text().splitlines() if w.strip()}

    def category(self, text: str) -> str | None:
        """The first category whose words the message contains, or None."""
        lowered = text.lower()
        words = set(re.findall(r"[a-z*]+", lowered))
        if words & self.profanity:
            return "toxic"
        if any(k in lowered for k in SPAM_WORDS):
            return "spam"
        if any(k in lowered for k in PROMO_WORDS):
            return "self_promotion"
        return None


def scores_table(name: str, truth: list[str | None], predicted: list[str | None]) -> dict[str, object]:
    """Precision and recall per category and for "flagged at all"."""
    row: dict[str, object] = {"method": name}
    for category in (*CATEGORIES, "any"):

        def hit(label: str | None, category: str = category) -> bool:
            return label is not None if category == "any" else label == category

        tp = sum(hit(p) and hit(t) for p, t in zip(predicted, truth, strict=True))
        flagged = sum(hit(p) for p in predicted)
        actual = sum(hit(t) for t in truth)
        row[f"{category}_precision"] = tp / flagged if flagged else 0.0
        row[f"{category}_recall"] = tp / actual if actual else 0.0
    return row


def main() -> None:
    rows = read_examples(TEST)
    truth = [None if label == "none" else label for _, label in rows]
    texts = [text for text, _ in rows]
    training = [pair for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for pair in examples(path)]
    in_domain = examples(ROOT / "tests" / "nlu" / "heldout.yml")
    complaints = [text for text, intent in in_domain + training if intent == "complaint"]
    policy = Policy()
    # as served (bot.telegram.moderation): the bot's NLU examples are the spam model's ordinary messages
    moderator, keywords = Moderator(ordinary=[text for text, _ in training]), Keywords()
    moderator.warm_up()

    results, latency = [], {}
    for name, judge_all in (
        (
            "model (alt-profanity-check + Parley spam head)",
            lambda batch: [judge(policy, s, public=True) for s in moderator.scores(batch)],
        ),
        ("keyword list", None),
    ):
        if judge_all is None:
            predicted = [keywords.category(t) for t in texts]
            domain_flags = [keywords.category(t) for t, _ in in_domain]
            hidden = [c for c in domain_flags if c is not None and policy.outcome(c, public=True) == HIDE]
            complaint_hidden = sum(
                1 for t in complaints if (c := keywords.category(t)) and policy.outcome(c, True) == HIDE
            )
            timer = keywords.category
        else:
            verdicts = judge_all(texts)
            predicted = [v.category for v in verdicts]
            domain = judge_all([t for t, _ in in_domain])
            domain_flags = [v.category for v in domain]
            hidden = [v for v in domain if v.outcome == HIDE]
            complaint_hidden = sum(v.outcome == HIDE for v in judge_all(complaints))
            timer = lambda text: moderator.scores([text])  # noqa: E731
        times = []
        for text in texts[:100]:
            start = time.perf_counter()
            timer(text)
            times.append(time.perf_counter() - start)
        row = scores_table(name, truth, predicted)
        row["in_domain_flagged"] = sum(c is not None for c in domain_flags) / len(in_domain)
        row["in_domain_hidden"] = len(hidden)
        row["complaints_hidden"] = complaint_hidden
        row["ms_per_message"] = statistics.median(times) * 1000
        latency[name] = row["ms_per_message"]
        results.append(row)
        print(row, flush=True)
    # Sensitivity (not used to pick the defaults, which come from the training data): the self-promotion threshold.
    scored = moderator.scores(texts)
    sweep = []
    for threshold in (0.5, 0.6, 0.7):
        swept = Policy(thresholds={**policy.thresholds, "self_promotion": threshold})
        predicted = [judge(swept, s, public=True).category for s in scored]
        domain = [judge(swept, s, public=True) for s in moderator.scores([t for t, _ in in_domain])]
        row = scores_table(f"self_promotion at {threshold}", truth, predicted)
        row["in_domain_flagged"] = sum(v.category is not None for v in domain) / len(in_domain)
        sweep.append(row)
    print(
        table(
            sweep,
            [
                "method",
                "self_promotion_precision",
                "self_promotion_recall",
                "any_precision",
                "any_recall",
                "in_domain_flagged",
            ],
        )
    )
    columns = ["method"] + [f"{c}_{m}" for c in (*CATEGORIES, "any") for m in ("precision", "recall")]
    print(table(results, columns))
    print(table(results, ["method", "in_domain_flagged", "in_domain_hidden", "complaints_hidden", "ms_per_message"]))
    write_results(
        "moderation",
        {
            "test": len(rows),
            "in_domain": len(in_domain),
            "complaints": len(complaints),
            "rows": results,
            "self_promotion_sweep": sweep,
        },
    )


if __name__ == "__main__":
    main()
