"""The broadcast job as its own process, stopped halfway and started again: nobody gets it twice.

`python -m broadcasts run` sends through the fake Bot API served over HTTP. Killed with SIGKILL halfway, at most
the messages in flight are left unconfirmed (never resent); stopped with SIGTERM, it finishes those first, and
the second run delivers exactly once to everyone. Counted in the fake Bot API.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import select

from core.settings import PROJECT_ROOT
from store.schema import BroadcastDelivery
from tests.bot.telegram_fake import FakeBotApi, serve

RECIPIENTS = 300
CONCURRENCY = 4


@pytest.fixture
def stage(shop, tmp_path):
    brand = tmp_path / "brand"
    shutil.copytree(PROJECT_ROOT / "brand", brand)
    text = (brand / "brand.yml").read_text()
    (brand / "brand.yml").write_text(text.replace('quiet_hours: "21:00-08:00"', 'quiet_hours: "00:00-00:00"'))
    for n in range(RECIPIENTS):
        shop.customer(900_000 + n)
    broadcast_id = shop.broadcast("Our winter range is in.")
    api = FakeBotApi()
    server, base_url = serve(api)
    env = {
        **os.environ,
        "PARLEY_DB_URL": str(shop.database.engine.url),
        "PARLEY_BRAND_DIR": str(brand),
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_API_BASE": base_url,
        "PARLEY_RECOMMENDER_MODEL": "hashing",
        "PARLEY_EMBEDDING_CACHE": str(tmp_path / "embeddings"),
        "PARLEY_CLICK_MODEL": str(tmp_path / "no-click-model.pkl"),
    }
    yield shop, api, env, broadcast_id
    server.shutdown()


def start(env, log):
    command = [sys.executable, "-m", "broadcasts", "--rate", "150", "--concurrency", str(CONCURRENCY), "run"]
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop_halfway(process, api, how: int) -> None:
    deadline = time.monotonic() + 120
    while len(api.sent()) < RECIPIENTS // 3:
        assert process.poll() is None, "the job ended before it was stopped"
        assert time.monotonic() < deadline, "the job sent too little in two minutes"
        time.sleep(0.01)
    process.send_signal(how)
    process.wait(timeout=60)


def statuses(shop, broadcast_id) -> dict[str, str]:
    with shop.database.session() as session:
        rows = session.execute(
            select(BroadcastDelivery.chat_id, BroadcastDelivery.status).where(
                BroadcastDelivery.broadcast_id == broadcast_id
            )
        ).all()
    return dict(rows)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["terminated", "killed"])
def test_a_job_stopped_halfway_and_restarted_sends_nobody_twice(stage, tmp_path, how):
    shop, api, env, broadcast_id = stage
    with (tmp_path / "first.log").open("w") as log:
        stop_halfway(start(env, log), api, how)
    sent_first = len(api.sent())
    assert sent_first < RECIPIENTS
    with (tmp_path / "second.log").open("w") as log:
        assert start(env, log).wait(timeout=120) == 0, (tmp_path / "second.log").read_text()
    received = Counter(str(call.params["chat_id"]) for call in api.sent())
    final = statuses(shop, broadcast_id)
    assert len(final) == RECIPIENTS
    assert max(received.values()) == 1  # nobody twice
    unconfirmed = {chat for chat, status in final.items() if status == "unconfirmed"}
    assert {chat for chat, status in final.items() if status == "sent"} == set(received) - unconfirmed
    if how == signal.SIGTERM:
        assert unconfirmed == set() and set(received) == set(final)  # exactly once, everyone
    else:
        assert len(unconfirmed) <= CONCURRENCY  # only what was in flight; never resent
        assert set(received) | unconfirmed == set(final)  # nobody else skipped
