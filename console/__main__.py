"""`python -m console <command>`: the review console.

Commands:
    serve                 Start the console (http://127.0.0.1:5010 by default; PARLEY_CONSOLE_HOST/PORT) and,
                          with a TELEGRAM_BOT_TOKEN, the broadcast job beside it (`python -m broadcasts worker`).
    create-manager EMAIL  Create a manager account, or reset its password (asked twice; or --password-stdin).
    seed                  Talk to the running bot with scripted customer conversations (demo data).
    resume CONVERSATION   Hand a paused conversation back to the bot (`make resume`; the console's "Hand back").
"""

from __future__ import annotations

import argparse
import getpass
import logging
import subprocess
import sys

from console.settings import ConsoleSettings


def start_broadcast_worker(settings: ConsoleSettings) -> subprocess.Popen | None:
    """The broadcast job beside the console (its own process), when there is a Telegram bot to send with."""
    if not settings.telegram_token:
        print("No TELEGRAM_BOT_TOKEN: broadcasts can be written but are not sent.", flush=True)
        return None
    print("Broadcast job started (python -m broadcasts worker)", flush=True)
    return subprocess.Popen([sys.executable, "-m", "broadcasts", "worker"])


def main(argv: list[str] | None = None) -> int:
    """Runs one command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m console", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="start the console")
    manager = commands.add_parser("create-manager", help="create a manager account or reset its password")
    manager.add_argument("email")
    manager.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    seeder = commands.add_parser("seed", help="play scripted conversations against the running bot")
    seeder.add_argument("--rasa-url", help="the bot (default: PARLEY_RASA_URL, else RASA_HOST:RASA_PORT)")
    resumer = commands.add_parser("resume", help="hand a paused conversation back to the bot")
    resumer.add_argument("conversation", help="the conversation id (the inbox shows it)")
    args = parser.parse_args(argv)
    settings = ConsoleSettings.from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if args.command == "serve":
        from console.app import create_app
        from store.migrate import upgrade

        upgrade(settings.db_url)
        app = create_app(settings)
        worker = start_broadcast_worker(settings)
        print(f"Parley console on http://{settings.host}:{settings.port} (Ctrl-C stops it)", flush=True)
        try:
            app.run(host=settings.host, port=settings.port, access_log=False, motd=False)
        finally:
            if worker is not None:
                worker.terminate()  # graceful: it finishes the messages in flight
                worker.wait(timeout=30)
    elif args.command == "create-manager":
        from store.db import Database
        from store.managers import AccountError, create_manager
        from store.migrate import upgrade

        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        elif sys.stdin.isatty():
            password = getpass.getpass("Password (12+ characters): ")
            if getpass.getpass("Again: ") != password:
                print("The passwords differ.", file=sys.stderr)
                return 2
        else:
            print("No terminal to ask for a password: use --password-stdin.", file=sys.stderr)
            return 2
        upgrade(settings.db_url)
        try:
            with Database(settings.db_url).session() as session:
                create_manager(session, args.email, password)
        except AccountError as error:
            print(f"Not created: {error}.", file=sys.stderr)
            return 2
        print(f"Manager {args.email.strip().lower()} can now log in to the console.")
    elif args.command == "seed":
        from console.seeding import seed

        url = args.rasa_url or settings.rasa_url
        print(f"Talking to the bot at {url}...")
        try:
            sent = seed(url)
        except OSError as error:
            print(f"Could not reach the bot at {url} ({error}). Start it with `make run`.", file=sys.stderr)
            return 1
        print(f"Sent {sent} messages; open the console to review them.")
    elif args.command == "resume":
        from core import handoff
        from core.rasa_api import BotUnreachable, RasaAPI

        if not settings.rasa_token:
            print(
                "The Rasa HTTP API is off. Set RASA_API_TOKEN in .env, restart `make run`, then try again.",
                file=sys.stderr,
            )
            return 2
        try:
            handoff.resume(RasaAPI(settings.rasa_url, settings.rasa_token), args.conversation)
        except BotUnreachable as error:
            print(f"Not handed back: {error}", file=sys.stderr)
            return 1
        print(f"Conversation {args.conversation} is handed back to the bot.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
