"""How many exposures an A/B test needs, and how often it cries wolf: simulations of `experiments.stats`.

    python -m benchmarks.experiments [--seed 7]

Two simulated arms with known click-through rates (control 10%, variant 12%; every exposure an independent
Bernoulli draw, seeded): for a range of exposures per arm, the share of 2,000 simulated tests that call the variant
the winner (power), against the closed-form sample size. Then 1,000 A/A tests (both arms 10%) at the planned sample
size: the share that declare a winner (false positives; it should be near the 5% the test promises), the share
the sample-ratio check flags (should be near its 0.1%), and the same A/A tests read after every 500 exposures per
arm and stopped at the first "significant" look (peeking), to show why the verdict waits for the planned sample.
Results: `benchmarks/results/experiments.json`.
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks.common import table, write_results
from experiments.stats import ArmResult, sample_ratio_p, sample_size_per_arm, verdict

CONTROL, VARIANT, ALPHA = 0.10, 0.12, 0.05


def called(rng: np.random.Generator, n: int, control: float, variant: float) -> str | None:
    """Simulates one test with n exposures per arm; returns the verdict's winner."""
    arms = [
        ArmResult("control", n, int(rng.binomial(n, control))),
        ArmResult("variant", n, int(rng.binomial(n, variant))),
    ]
    return verdict(arms, [0.5, 0.5], ALPHA).winner


def peeking_false_positive(rng: np.random.Generator, n: int, step: int) -> bool:
    """One A/A test read every `step` exposures per arm up to n, stopped at the first winner."""
    clicks = rng.random((2, n)) < CONTROL
    for seen in range(step, n + 1, step):
        arms = [
            ArmResult("control", seen, int(clicks[0, :seen].sum())),
            ArmResult("variant", seen, int(clicks[1, :seen].sum())),
        ]
        if verdict(arms, [0.5, 0.5], ALPHA).winner is not None:
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--power-runs", type=int, default=2000)
    parser.add_argument("--aa-runs", type=int, default=1000)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    planned = sample_size_per_arm(CONTROL, VARIANT, ALPHA, 0.8)
    rows = []
    for n in sorted({1000, 2000, 3000, planned, 5000, 6500, 8000}):
        wins = sum(called(rng, n, CONTROL, VARIANT) == "variant" for _ in range(args.power_runs))
        rows.append({"exposures_per_arm": n, "total_exposures": 2 * n, "power": wins / args.power_runs})
    print(f"Power: control {CONTROL:.0%}, variant {VARIANT:.0%}, two-sided alpha {ALPHA} ({args.power_runs} runs each)")
    print(table(rows, ["exposures_per_arm", "total_exposures", "power"]))
    print(f"closed form for 80% power: {planned} per arm ({2 * planned} in all)")

    false_positives = sum(called(rng, planned, CONTROL, CONTROL) is not None for _ in range(args.aa_runs))
    srm_flags = 0
    for _ in range(args.aa_runs):
        exposures = rng.binomial(2 * planned, 0.5)
        srm_flags += sample_ratio_p([int(exposures), 2 * planned - int(exposures)], [0.5, 0.5]) < 0.001
    peeking = sum(peeking_false_positive(rng, planned, 500) for _ in range(args.aa_runs))
    aa = {
        "runs": args.aa_runs,
        "exposures_per_arm": planned,
        "false_positive_rate": false_positives / args.aa_runs,
        "srm_false_alarm_rate": srm_flags / args.aa_runs,
        "false_positive_rate_peeking_every_500": peeking / args.aa_runs,
    }
    print(f"\nA/A ({args.aa_runs} runs, {planned} per arm):")
    print(f"  false positives {aa['false_positive_rate']:.1%} (the test promises {ALPHA:.0%})")
    print(f"  sample-ratio false alarms {aa['srm_false_alarm_rate']:.1%} (promised 0.1%)")
    print(
        f"  false positives when peeking every 500 and stopping early {aa['false_positive_rate_peeking_every_500']:.1%}"
    )
    write_results(
        "experiments",
        {
            "seed": args.seed,
            "control": CONTROL,
            "variant": VARIANT,
            "alpha": ALPHA,
            "planned_per_arm": planned,
            "power": rows,
            "aa": aa,
        },
    )


if __name__ == "__main__":
    main()
