"""`python -m recommender segments [-k N]` (`make segments`): recompute customer segments and print them."""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    """Runs one command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m recommender", description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="database URL (default: $PARLEY_DB_URL or var/parley.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    segments = commands.add_parser("segments", help="recompute user segments")
    segments.add_argument("-k", type=int, default=None, help="number of segments (default: chosen from the data)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from recommender.segments import compute_segments
    from store.db import Database

    with Database(args.url).session() as session:
        found = compute_segments(session, k=args.k)
    for segment in found:
        print(f"{segment.size:6d}  {segment.name}")
    if not found:
        print("Not enough users with interests to form segments yet.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
