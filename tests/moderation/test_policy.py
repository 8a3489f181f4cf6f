"""The brand's moderation policy: parsing, defaults, outcomes per surface, and the verdict."""

from __future__ import annotations

import pytest

from moderation.policy import CALM, HIDE, IGNORE, REPLY, Policy, PolicyError, judge


def test_defaults_never_hide_a_toxic_comment_and_never_hide_in_private():
    policy = Policy()
    assert policy.outcome("toxic", public=True) == CALM
    assert policy.outcome("spam", public=True) == HIDE
    assert policy.outcome("spam", public=False) == IGNORE
    assert policy.outcome(None, public=True) == REPLY


def test_the_file_overrides_what_it_names(tmp_path):
    path = tmp_path / "moderation.yml"
    path.write_text("public: {toxic: hide}\nprivate: {spam: hide}\nthresholds: {spam: 0.9}\ncalm_reply: Noted.\n")
    policy = Policy.load(path)
    assert policy.outcome("toxic", public=True) == HIDE
    assert policy.outcome("spam", public=False) == IGNORE  # nothing to hide in a DM
    assert policy.outcome("self_promotion", public=True) == HIDE  # default kept
    assert (policy.thresholds["spam"], policy.thresholds["toxic"], policy.calm_reply) == (0.9, 0.8, "Noted.")
    assert Policy.load(tmp_path / "absent.yml") == Policy()


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"public": {"toxic": "delete"}}, "moderation.public.toxic"),
        ({"public": {"rude": "hide"}}, "moderation.public.rude"),
        ({"thresholds": {"spam": 1.5}}, "moderation.thresholds.spam"),
        ({"calm_reply": ""}, "moderation.calm_reply"),
        ({"private": ["spam"]}, "moderation.private"),
    ],
)
def test_bad_files_name_the_field(raw, field):
    with pytest.raises(PolicyError, match=field.replace(".", r"\.")):
        Policy.parse(raw)


def test_the_verdict_takes_the_category_furthest_past_its_threshold():
    policy = Policy()
    verdict = judge(policy, {"toxic": 0.85, "spam": 0.95, "self_promotion": 0.1}, public=True)
    assert (verdict.category, verdict.score, verdict.outcome) == ("spam", 0.95, HIDE)
    calm = judge(policy, {"toxic": 0.5, "spam": 0.2, "self_promotion": 0.69}, public=True)
    assert (calm.category, calm.outcome) == (None, REPLY)
    assert calm.as_dict() == {"category": None, "score": 0.69, "action": REPLY}
