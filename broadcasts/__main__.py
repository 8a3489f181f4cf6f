"""`python -m broadcasts`: send queued broadcasts.

    python -m broadcasts run [--id N]      deliver everything due now, then exit (deferred recipients wait)
    python -m broadcasts worker            keep delivering: new broadcasts, and deferred recipients when due

SIGTERM or Ctrl-C stops it gracefully: the messages in flight are finished and recorded first. A run killed any
other way is resumed by the next one (see `store.broadcasts`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING

import yaml
from sqlalchemy import select

if TYPE_CHECKING:
    from broadcasts.job import Resources

logger = logging.getLogger("broadcasts")


def build_resources() -> Resources:
    """The recommender (catalog, encoder, feedback log), the click model and the brand's words."""
    from broadcasts.job import Resources
    from core.settings import get_settings
    from recommender.catalog import load_catalog
    from recommender.clicks import ClickModel
    from recommender.encoders import encoder_named
    from recommender.engine import Recommender
    from recommender.qualifiers import load_attributes
    from store.db import Database
    from store.feedback import feedback_log

    settings = get_settings()
    brand = yaml.safe_load((settings.brand_dir / "brand.yml").read_text(encoding="utf-8"))
    catalog = load_catalog(settings.brand_dir / "catalog.yml")
    with Database(settings.db_url or None).session() as session:
        feedback = feedback_log(session)
    recommender = Recommender.build(
        list(catalog),
        encoder_named(settings.recommender_model),
        feedback,
        attributes=load_attributes(settings.brand_dir / "attributes.yml"),
        currency_symbol=str(brand["currency_symbol"]),
    )
    click_model = None
    if settings.click_model.exists():
        try:
            click_model = ClickModel.load(settings.click_model)
        except ValueError:
            logger.exception("Click model unreadable; broadcasts rank with the blend")
    return Resources(recommender, catalog, click_model, str(brand["name"]), str(brand["currency_symbol"]))


async def deliver(ids: list[int] | None, rate: float, concurrency: int, follow: bool, poll_s: float) -> int:
    """Runs the job over queued and sending broadcasts (or `ids`), once or until stopped; returns the exit status."""
    from broadcasts.job import BroadcastJob, TelegramSender
    from channels.outreach import load_policy
    from channels.telegram import make_bot
    from core.settings import get_settings
    from store.db import Database
    from store.schema import Broadcast

    settings = get_settings()
    if not settings.telegram_token:
        print("TELEGRAM_BOT_TOKEN is not set: broadcasts go out through Telegram.", file=sys.stderr)
        return 2
    database = Database(settings.db_url or None)
    policy = load_policy(settings.brand_dir / "brand.yml")
    bot = make_bot(settings.telegram_token, settings.telegram_api_base, overall_rate=rate)
    job = BroadcastJob(database, TelegramSender(bot), build_resources(), policy, concurrency=concurrency)
    loop = asyncio.get_running_loop()
    for stop in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop, job.stopping.set)
    await bot.initialize()
    try:
        while not job.stopping.is_set():
            with database.session() as session:
                query = select(Broadcast.id).where(Broadcast.status.in_(("queued", "sending"))).order_by(Broadcast.id)
                pending = [i for i in session.execute(query).scalars() if ids is None or i in ids]
            for broadcast_id in pending:
                outcome = await job.run(broadcast_id)
                print(f"broadcast {broadcast_id}: {outcome.statuses}", flush=True)
            if not follow:
                break
            try:
                await asyncio.wait_for(job.stopping.wait(), timeout=poll_s)
            except asyncio.TimeoutError:
                pass
    finally:
        await bot.shutdown()
        database.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m broadcasts", description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=25.0, help="messages per second overall (Telegram: about 30)")
    parser.add_argument("--concurrency", type=int, default=4, help="messages in flight at once")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="deliver what is due now, then exit")
    run.add_argument("--id", type=int, action="append", help="only this broadcast (repeatable)")
    worker = commands.add_parser("worker", help="keep delivering until stopped")
    worker.add_argument("--poll", type=float, default=5.0, help="seconds between looks for new work")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from core.weights import configure_torch_threads

    configure_torch_threads()
    follow = args.command == "worker"
    return asyncio.run(
        deliver(getattr(args, "id", None), args.rate, args.concurrency, follow, getattr(args, "poll", 5.0))
    )


if __name__ == "__main__":
    sys.exit(main())
