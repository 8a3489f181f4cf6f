"""How an experiment's arms compare: rates with intervals, a two-proportion test, a sample-ratio check.

Which test, and why: a fixed-horizon two-sided two-proportion z-test (pooled), each arm against the control (the
first arm), Bonferroni-corrected when there are several. Its false-positive rate is the one the brand sets (5%)
when the sample size is fixed in advance (`sample_size_per_arm`) and the result is read once; the experiments
benchmark measures that rate over 1,000 A/A simulations. A Bayesian beta-binomial "probability to be best" reads
more naturally, but without a decision rule fixed in advance it invites stopping at the first good-looking day,
and a marketing team needs one number that means the same thing every time. Peeking is the failure this choice
guards against, so the verdict says "not yet" until the planned sample is reached.

The sample-ratio-mismatch check is a chi-square goodness-of-fit test of the exposures against the planned shares:
a tiny p-value means assignment or logging is broken, and then no result should be trusted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from scipy.stats import chi2

NORMAL = NormalDist()
SRM_ALPHA = 0.001


@dataclass(frozen=True)
class ArmResult:
    """Exposures of one arm and how many of them succeeded on the experiment's metric."""

    name: str
    exposures: int
    successes: int

    @property
    def rate(self) -> float:
        """Successes per exposure (0 with no exposures)."""
        return self.successes / self.exposures if self.exposures else 0.0

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """Wilson score interval for the rate (sound at small counts and near 0 or 1, unlike the normal one)."""
        if not self.exposures:
            return 0.0, 1.0
        z = NORMAL.inv_cdf(0.5 + confidence / 2)
        n, p = self.exposures, self.rate
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_test(control: ArmResult, treatment: ArmResult) -> tuple[float, float]:
    """(z, two-sided p-value) of the pooled two-proportion z-test; (0, 1) when there is nothing to compare."""
    n1, n2 = control.exposures, treatment.exposures
    if not n1 or not n2:
        return 0.0, 1.0
    pooled = (control.successes + treatment.successes) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 0.0, 1.0
    z = (treatment.rate - control.rate) / spread
    return z, 2 * (1 - NORMAL.cdf(abs(z)))


def sample_ratio_p(exposures: Sequence[int], shares: Sequence[float]) -> float:
    """p-value of the chi-square test that the exposures follow the planned shares (1 with no exposures)."""
    total = sum(exposures)
    if not total:
        return 1.0
    statistic = sum(
        (seen - total * share) ** 2 / (total * share) for seen, share in zip(exposures, shares, strict=True)
    )
    return float(chi2.sf(statistic, len(exposures) - 1))


def sample_size_per_arm(control_rate: float, treatment_rate: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Exposures each arm needs for the test to detect this difference with this power (normal approximation)."""
    z_alpha, z_power = NORMAL.inv_cdf(1 - alpha / 2), NORMAL.inv_cdf(power)
    mean = (control_rate + treatment_rate) / 2
    spread = z_alpha * math.sqrt(2 * mean * (1 - mean)) + z_power * math.sqrt(
        control_rate * (1 - control_rate) + treatment_rate * (1 - treatment_rate)
    )
    return math.ceil(spread**2 / (control_rate - treatment_rate) ** 2)


@dataclass(frozen=True)
class Verdict:
    """What the console shows under an experiment's table."""

    winner: str | None
    p_values: dict[str, float]
    srm_p: float
    message: str


def verdict(
    arms: Sequence[ArmResult], shares: Sequence[float], alpha: float = 0.05, planned: int | None = None
) -> Verdict:
    """Each treatment arm against the control (the first), Bonferroni-corrected, after the sample-ratio check.

    With `planned` (exposures per arm fixed in advance), no winner is called before every arm has them: reading a
    running test and stopping at the first good-looking day is what inflates false positives (the benchmark's
    peeking row).
    """
    srm_p = sample_ratio_p([arm.exposures for arm in arms], shares)
    control, treatments = arms[0], arms[1:]
    corrected = alpha / len(treatments)
    p_values = {arm.name: two_proportion_test(control, arm)[1] for arm in treatments}
    if srm_p < SRM_ALPHA:
        exposures = ", ".join(f"{arm.name} {arm.exposures}" for arm in arms)
        return Verdict(None, p_values, srm_p, f"Sample ratio mismatch (p = {srm_p:.2g}: {exposures}); do not trust it")
    fewest = min(arm.exposures for arm in arms)
    if planned is not None and fewest < planned:
        return Verdict(
            None, p_values, srm_p, f"Collecting: {fewest} of {planned} planned per arm; no verdict before the plan"
        )
    significant = [arm for arm in treatments if p_values[arm.name] < corrected]
    if not significant:
        best = min(p_values.values())
        return Verdict(None, p_values, srm_p, f"Not significant yet (smallest p = {best:.3f}, needs < {corrected:.3g})")
    best_arm = max([control, *significant], key=lambda arm: arm.rate)
    if best_arm is control:
        return Verdict(control.name, p_values, srm_p, f"{control.name} (control) is better than every variant")
    return Verdict(
        best_arm.name,
        p_values,
        srm_p,
        f"{best_arm.name} wins: {best_arm.rate:.1%} against {control.rate:.1%} (p = {p_values[best_arm.name]:.3g})",
    )
