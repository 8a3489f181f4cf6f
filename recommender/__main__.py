"""`python -m recommender`: recompute customer segments (`segments`, `make segments`) or retrain the click model.

python -m recommender segments [-k N]
python -m recommender train-clicks [--model models/click_model.pkl]   (also run by `make retrain`)
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Runs one command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m recommender", description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="database URL (default: $PARLEY_DB_URL or var/parley.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    segments = commands.add_parser("segments", help="recompute user segments")
    segments.add_argument("-k", type=int, default=None, help="number of segments (default: chosen from the data)")
    clicks = commands.add_parser("train-clicks", help="retrain the click model from the impression log (gated)")
    clicks.add_argument("--model", type=Path, help="the served model (default: $PARLEY_CLICK_MODEL)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from store.db import Database

    if args.command == "train-clicks":
        from core.settings import get_settings
        from recommender.click_training import retrain_click_model
        from store.impressions import impression_log

        with Database(args.url).session() as session:
            log = impression_log(session)
        outcome = retrain_click_model(log, args.model or get_settings().click_model)
        print(outcome.message)
        return 0

    from recommender.segments import compute_segments

    with Database(args.url).session() as session:
        found = compute_segments(session, k=args.k)
    for segment in found:
        print(f"{segment.size:6d}  {segment.name}")
    if not found:
        print("Not enough users with interests to form segments yet.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
