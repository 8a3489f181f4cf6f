"""`python -m store <command>`: manage Parley's database.

Commands:
    upgrade     Create or migrate the schema to the newest revision.
    current     Print the database's revision.
    revision    Autogenerate a new migration from changes to `store/schema.py` (developers).
    replay      Load turns spooled to disk while the database was unreachable (--dead-letters: retry the events
                set aside as bad, after a fix).
    dead-letters  List the events set aside as bad: conversation, kind and error (never the text).
    reconcile   Write the turns Rasa's SQL tracker store has and the log lacks (after a Rasa server was killed).
"""

from __future__ import annotations

import argparse
import logging
import sys

from store.db import database_url, redact


def main(argv: list[str] | None = None) -> int:
    """Runs one command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m store", description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="database URL (default: $PARLEY_DB_URL or var/parley.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="migrate the schema to the newest revision")
    commands.add_parser("current", help="print the database's revision")
    revision = commands.add_parser("revision", help="autogenerate a migration from schema changes")
    revision.add_argument("-m", "--message", required=True)
    replay = commands.add_parser("replay", help="load turns spooled while the database was down")
    replay.add_argument("--dead-letters", action="store_true", help="retry the events set aside as bad instead")
    commands.add_parser("dead-letters", help="list the events set aside as bad")
    reconcile = commands.add_parser("reconcile", help="write turns the tracker store has and the log lacks")
    reconcile.add_argument("--tracker-url", required=True, help="Rasa's SQL tracker store (a SQLAlchemy URL)")
    reconcile.add_argument("--hours", type=float, default=24.0, help="look at conversations active this recently")
    reconcile.add_argument("--older-than", type=float, default=60.0, help="skip turns younger than this (seconds)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    url = database_url(args.url)

    if args.command == "upgrade":
        from store.migrate import upgrade

        upgrade(url)
        print(f"Database {redact(url)} is at the newest schema.")
    elif args.command == "current":
        from store.migrate import current_revision, head_revision

        print(f"{current_revision(url) or '(empty)'} (newest: {head_revision()})")
    elif args.command == "revision":
        from alembic import command

        from store.migrate import alembic_config

        command.revision(alembic_config(url), message=args.message, autogenerate=True)
    elif args.command == "replay":
        from core.events import drain, retry_set_aside
        from core.settings import get_settings
        from core.spool import Spool
        from store.db import Database
        from store.events import StoreEventWriter

        settings, writer = get_settings(), StoreEventWriter(Database(url))
        if args.dead_letters:
            written, still_bad = retry_set_aside(Spool(settings.dead_letter_path), writer)
            print(f"Wrote {written} set-aside event(s); {still_bad} still cannot be stored.")
        else:
            loaded = drain(Spool(settings.spool_path), writer, Spool(settings.dead_letter_path))
            print(f"Loaded {loaded} spooled event(s).")
    elif args.command == "dead-letters":
        from core.settings import get_settings
        from core.spool import Spool

        letters = Spool(get_settings().dead_letter_path).read()
        for letter in letters:
            event = letter.get("event") or {}
            print(f"{event.get('sender_id')}\t{event.get('event')}\t{letter.get('error')}")
        print(f"{len(letters)} event(s) set aside in {get_settings().dead_letter_path}.")
    elif args.command == "reconcile":
        import time

        from sqlalchemy import create_engine

        from store.db import Database
        from store.reconcile import reconcile as rebuild

        # a plain engine: Rasa's file keeps its own settings (no WAL switch), and errors hide their parameters
        tracker = create_engine(args.tracker_url, future=True, hide_parameters=True)
        try:
            written = rebuild(tracker, Database(url), time.time() - args.hours * 3600, args.older_than)
        finally:
            tracker.dispose()
        print(f"Wrote {written} turn(s) the interaction log was missing.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
