"""The statistics behind a verdict, checked against values computed independently (scipy, textbook formulas)."""

from __future__ import annotations

import pytest
from scipy.stats import chisquare, norm

from experiments.stats import ArmResult, sample_ratio_p, sample_size_per_arm, two_proportion_test, verdict


def test_the_two_proportion_test_matches_the_textbook():
    control, treatment = ArmResult("control", 1000, 100), ArmResult("warm", 1000, 130)
    z, p = two_proportion_test(control, treatment)
    pooled = 230 / 2000
    expected_z = 0.03 / (pooled * (1 - pooled) * (2 / 1000)) ** 0.5
    assert z == pytest.approx(expected_z) and z == pytest.approx(2.1027, abs=1e-4)
    assert p == pytest.approx(2 * norm.sf(expected_z))


def test_the_wilson_interval_of_10_in_100():
    low, high = ArmResult("a", 100, 10).interval()
    assert (round(low, 4), round(high, 4)) == (0.0552, 0.1744)


def test_the_sample_ratio_check_matches_scipys_chi_square():
    assert sample_ratio_p([5200, 4800], [0.5, 0.5]) == pytest.approx(chisquare([5200, 4800]).pvalue)
    assert sample_ratio_p([0, 0], [0.5, 0.5]) == 1.0


def test_sample_size_for_10_against_12_percent():
    """The usual figure for a two-point lift on 10% at 95% / 80%: about 3,800 per arm."""
    assert sample_size_per_arm(0.10, 0.12) == 3841


def test_verdicts():
    shares = [0.5, 0.5]
    assert verdict([ArmResult("control", 4000, 400), ArmResult("warm", 4000, 480)], shares).winner == "warm"
    quiet = verdict([ArmResult("control", 400, 40), ArmResult("warm", 400, 44)], shares)
    assert quiet.winner is None and quiet.message.startswith("Not significant yet")
    broken = verdict([ArmResult("control", 5500, 550), ArmResult("warm", 4500, 600)], shares)
    assert broken.winner is None and broken.message.startswith("Sample ratio mismatch")


def test_no_verdict_before_the_planned_sample():
    from experiments.stats import ArmResult, verdict

    arms = [ArmResult("control", 3000, 300), ArmResult("variant", 3000, 400)]
    early = verdict(arms, [0.5, 0.5], planned=3841)
    assert (early.winner, early.message) == (
        None,
        "Collecting: 3000 of 3841 planned per arm; no verdict before the plan",
    )
    assert verdict(arms, [0.5, 0.5]).winner == "variant"
