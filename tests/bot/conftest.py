"""A real Parley stack for integration tests: the trained model behind the Rasa server, plus the action server.

Both run as subprocesses on free loopback ports, with their own SQLite tracker store, exactly as `make run`
starts them. Starting takes ~45 s (TensorFlow), so the stack is shared by the whole session.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "parley.tar.gz"
START_TIMEOUT_S = 240
API_TOKEN = "integration-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method: str, url: str, body: bytes | None = None, timeout: float = 60) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


@dataclass
class Stack:
    """The running servers and how to reach them."""

    rasa_url: str
    action_url: str
    logs: Path
    action_server: subprocess.Popen
    env: dict[str, str]

    def stop_action_server(self) -> None:
        """Simulates an action-server outage. Irreversible: only the last test of the session may call it."""
        self.action_server.terminate()
        self.action_server.wait(timeout=20)

    def say(self, sender: str, message: str) -> tuple[int, Any]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        return http("POST", f"{self.rasa_url}/webhooks/rest/webhook", body)


def _wait_until_up(url: str, processes: list[subprocess.Popen], logs: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"a server exited during start-up; logs in {logs}:\n{_tail(logs)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise RuntimeError(f"{url} did not come up in {START_TIMEOUT_S} s; logs in {logs}:\n{_tail(logs)}")


def _tail(logs: Path) -> str:
    return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:] for p in sorted(logs.glob("*.log")))


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[Stack]:
    if not MODEL.exists():
        if os.environ.get("PARLEY_REQUIRE_MODEL"):
            pytest.fail(f"{MODEL} is missing: `make train` should have produced it")
        pytest.skip(f"no trained model at {MODEL}; run `make train` (make test does)")

    logs = tmp_path_factory.mktemp("stack")
    rasa_port, action_port = free_port(), free_port()
    env = {
        **os.environ,
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "PARLEY_TRACKER_DB": str(logs / "tracker.db"),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        "RASA_HOST": "127.0.0.1",
        "RASA_PORT": str(rasa_port),
        "RASA_API_TOKEN": API_TOKEN,
    }
    cli = [sys.executable, "-m", "bot.cli"]
    commands = {
        "actions": [*cli, "run", "actions", "--actions", "actions", "--port", str(action_port)],
        "rasa": [
            *cli,
            "run",
            "--model",
            str(MODEL),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
            "--interface",
            "127.0.0.1",
            "--port",
            str(rasa_port),
            "--enable-api",
            "--auth-token",
            API_TOKEN,
        ],
    }
    processes = []
    for name, command in commands.items():
        log = (logs / f"{name}.log").open("w")
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    try:
        _wait_until_up(f"http://127.0.0.1:{action_port}/health", processes, logs)
        _wait_until_up(f"http://127.0.0.1:{rasa_port}/", processes, logs)
        yield Stack(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", logs, processes[0], env)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
