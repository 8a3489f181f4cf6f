"""`python -m store <command>`: manage Parley's database.

Commands:
    upgrade     Create or migrate the schema to the newest revision.
    current     Print the database's revision.
    revision    Autogenerate a new migration from changes to `store/schema.py` (developers).
    replay      Load turns spooled to disk while the database was unreachable.
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
    commands.add_parser("replay", help="load turns spooled while the database was down")
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
        from core.events import drain
        from core.settings import get_settings
        from core.spool import Spool
        from store.db import Database
        from store.events import StoreEventWriter

        loaded = drain(Spool(get_settings().spool_path), StoreEventWriter(Database(url)))
        print(f"Loaded {loaded} spooled event(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
