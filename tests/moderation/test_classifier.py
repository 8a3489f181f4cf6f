"""The moderation models on real messages: insults, scams, self-promotion, and complaints that are not abuse."""

from __future__ import annotations

import pytest

from moderation.classifier import Moderator, link_shape
from moderation.policy import Policy, judge


@pytest.fixture(scope="module")
def moderator() -> Moderator:
    return Moderator()


def test_links_are_reduced_to_their_shape():
    assert link_shape("claim at http://bit.ly/3xY now").split() == ["claim", "at", "shortlink", "now"]
    assert link_shape("see www.deals.xyz/promo").split() == ["see", "link", "tldxyz"]
    assert link_shape("track it at https://kestrel-outdoor.example/orders/KO-1").split() == [
        "track",
        "it",
        "at",
        "brandlink",
    ]
    assert "somehandle" in link_shape("follow @trail_sam")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("you are a bunch of fucking idiots", "toxic"),
        ("shut up you stupid bot", "toxic"),
        ("Win a free $500 voucher today only, claim at http://bit.ly/v0uch3r", "spam"),
        ("I earn $400 a day from home with crypto, whatsapp me for the secret", "spam"),
        ("Follow my Instagram @peak_bagger_tom for daily hiking photos!", "self_promotion"),
        ("ur tents r trash, worst company ever", None),
        ("my order is three weeks late and nobody answers, this is unacceptable", None),
        ("the link in your confirmation email is broken", None),
        ("where is my order KO-123456?", None),
    ],
)
def test_categories_at_the_default_thresholds(moderator, text, category):
    [scores] = moderator.scores([text])
    assert judge(Policy(), scores, public=True).category == category


def test_a_restored_false_positive_is_learnt(tmp_path):
    examples = tmp_path / "examples.tsv"
    rows = [("spam", f"win free money now at bit.ly/{i} claim prize") for i in range(6)]
    rows += [("none", f"where is my order number {i}") for i in range(6)]
    rows += [("self_promotion", f"follow my channel {i} for videos") for i in range(6)]
    examples.write_text("label\ttext\n" + "".join(f"{label}\t{text}\n" for label, text in rows))
    moderator = Moderator(examples)
    message = "free tent raffle for our club members, claim your ticket"
    before = moderator.scores([message])[0]["spam"]
    moderator.learn([(message, "none")] * 3)
    after = moderator.scores([message])[0]["spam"]
    assert after < before - 0.2
