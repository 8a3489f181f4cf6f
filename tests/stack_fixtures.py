"""A real Parley stack for integration tests (see `bot.launcher`), shared by the session: it takes ~45 s to start.

Its Telegram channel talks to a fake Bot API server (tests/bot/telegram_fake.py), never to Telegram. The bot
and console tests share this one stack.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.launcher import Stack, start_stack
from core.settings import PROJECT_ROOT as ROOT
from tests.bot.telegram_fake import FakeBotApi, serve

MODEL = ROOT / "models" / "parley.tar.gz"
API_TOKEN = "integration-test-token"
TELEGRAM_SECRET = "integration-webhook-secret"


@pytest.fixture(scope="session")
def telegram_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi()
    server, base_url = serve(api)
    api.base_url = base_url
    yield api
    server.shutdown()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, telegram_api) -> Iterator[Stack]:
    if not MODEL.exists():
        if os.environ.get("PARLEY_REQUIRE_MODEL"):
            pytest.fail(f"{MODEL} is missing: `make train` should have produced it")
        pytest.skip(f"no trained model at {MODEL}; run `make train` (make test does)")
    telegram = {
        "TELEGRAM_BOT_TOKEN": "123456:INTEGRATION",
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE": telegram_api.base_url,
        "TELEGRAM_MODE": "webhook",
    }
    workdir = Path(tmp_path_factory.mktemp("stack"))
    # the stack's own experiments file (absent until a test writes it; both servers re-read it when it changes)
    extra = {**telegram, "PARLEY_EXPERIMENTS": str(workdir / "experiments.yml")}
    running = start_stack(MODEL, workdir, api_token=API_TOKEN, extra_env=extra)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def seeded(stack) -> int:
    """The bot's own conversations (console/seeding.py), played once per session."""
    from console.seeding import seed

    sent = seed(stack.rasa_url, progress=lambda _line: None)
    stack.settle()
    return sent


@pytest.fixture(scope="session")
def replicated(tmp_path_factory, telegram_api):
    """The replicated profile: two Rasa servers and two action servers behind nginx, on PostgreSQL and Redis."""
    from bot.replicas import start_replicated
    from tests.conftest import scratch_postgres

    redis_url = os.environ.get("PARLEY_TEST_REDIS_URL")
    if not MODEL.exists() or not redis_url:
        if os.environ.get("CI") == "true" or os.environ.get("PARLEY_REQUIRE_MODEL"):
            pytest.fail("the replicated profile needs the model and Redis: run the tests with `make test`")
        pytest.skip("no model or Redis (make test provides them)")
    telegram = {
        "TELEGRAM_BOT_TOKEN": "123456:INTEGRATION",
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE": telegram_api.base_url,
        "TELEGRAM_MODE": "webhook",
    }
    with scratch_postgres("parley_replicas", extra=("_tracker",)) as store_url:
        running = start_replicated(
            MODEL,
            Path(tmp_path_factory.mktemp("replicas")),
            store_url,
            redis_url,
            api_token=API_TOKEN,
            extra_env=telegram,
        )
        yield running
        running.stop()
