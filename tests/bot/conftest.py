"""A real Parley stack for integration tests (see `bot.launcher`), shared by the session: it takes ~45 s to start."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.launcher import ROOT, Stack, start_stack

MODEL = ROOT / "models" / "parley.tar.gz"
API_TOKEN = "integration-test-token"


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[Stack]:
    if not MODEL.exists():
        if os.environ.get("PARLEY_REQUIRE_MODEL"):
            pytest.fail(f"{MODEL} is missing: `make train` should have produced it")
        pytest.skip(f"no trained model at {MODEL}; run `make train` (make test does)")
    running = start_stack(MODEL, Path(tmp_path_factory.mktemp("stack")), api_token=API_TOKEN)
    yield running
    running.stop()
