"""Starts a Parley stack (Rasa server + action server) as subprocesses on free loopback ports.

Used by the integration tests and the latency benchmark, so both run the bot exactly as `make run` does: the same
CLI, endpoints and credentials, with their own SQLite tracker store and logs.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.rasa_api import BotUnreachable, RasaAPI, http_request
from core.settings import LOOPBACK, MAX_REQUEST_BYTES, PROJECT_ROOT

ROOT = PROJECT_ROOT
START_TIMEOUT_S = 240


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def http(method: str, url: str, body: bytes | None = None, timeout: float = 60) -> tuple[int, Any]:
    """One HTTP request; returns the status and the JSON (or text) body, errors included (`core.rasa_api`)."""
    return http_request(method, url, body, timeout)


@dataclass
class Stack:
    """A running Rasa server and action server."""

    rasa_url: str
    action_url: str
    logs: Path
    env: dict[str, str]
    db_url: str = ""
    commands: dict[str, list[str]] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _settled: int = 0

    def say(self, sender: str, message: str, timeout: float = 60) -> tuple[int, Any]:
        """Sends a message through the REST channel; returns (status, replies)."""
        body = json.dumps({"sender": sender, "message": message}).encode()
        return http("POST", f"{self.rasa_url}/webhooks/rest/webhook", body, timeout)

    def settle(self, timeout: float = 30) -> None:
        """Returns once every turn answered so far is in the interaction log.

        The Rasa server writes the log from one thread, in order (`core.turnlog`), after it has replied: a sentinel
        turn's reply in the log means everything before it is there too. Tests read the store after this.
        """
        from store.db import Database
        from store.interactions import conversation_turns

        self._settled += 1
        sender = f"zz-settle-{self._settled}"
        status, _ = self.say(sender, "hi")
        if status != 200:
            raise RuntimeError(f"the sentinel turn got HTTP {status}")
        database = Database(self.db_url)
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                with database.session() as session:
                    if any(t.reply for t in conversation_turns(session, sender)):
                        return
                time.sleep(0.05)
        finally:
            database.dispose()
        raise RuntimeError(f"the interaction log did not catch up in {timeout} s")

    def settle_telegram(self, timeout: float = 60) -> None:
        """Returns once the Telegram channel has answered every update it accepted (it answers the webhook first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = http("GET", f"{self.rasa_url}/webhooks/telegram_ptb/", timeout=5)
            if status == 200 and isinstance(body, dict) and body.get("pending") == 0:
                return
            time.sleep(0.05)
        raise RuntimeError(f"the Telegram channel still had updates pending after {timeout} s")

    def stop_action_server(self) -> None:
        """Simulates an action-server outage."""
        self.processes["actions"].terminate()
        self.processes["actions"].wait(timeout=20)

    def start_action_server(self) -> None:
        """Brings the action server back after `stop_action_server`."""
        log = (self.logs / "actions.log").open("a")
        self.processes["actions"] = subprocess.Popen(
            self.commands["actions"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        _wait_until_up(_answers(f"{self.action_url}/health"), "the action server", self)

    def stop(self) -> None:
        """Stops both servers."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _tail(logs: Path) -> str:
    return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:] for p in sorted(logs.glob("*.log")))


def _wait_until_up(ready: Callable[[], bool], what: str, stack: Stack) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        for process in stack.processes.values():
            if process.poll() is not None:
                raise RuntimeError(f"a server exited during start-up:\n{_tail(stack.logs)}")
        if ready():
            return
        time.sleep(1)
    raise RuntimeError(f"{what} did not come up in {START_TIMEOUT_S} s:\n{_tail(stack.logs)}")


def _answers(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return http_request("GET", url, timeout=2)[0] == 200
        except BotUnreachable:
            return False

    return check


def start_stack(
    model: Path,
    logs: Path,
    api_token: str | None = None,
    db_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Stack:
    """Starts the action server and a Rasa server for `model`; returns once both answer.

    The store is `db_url` (default: a fresh SQLite file in `logs`), migrated before the servers start;
    `extra_env` adds settings (e.g. the Telegram channel's).
    """
    from store.migrate import upgrade

    logs.mkdir(parents=True, exist_ok=True)
    rasa_port, action_port = free_port(), free_port()
    env = {
        **os.environ,
        "ACTION_SERVER_URL": f"http://{LOOPBACK}:{action_port}/webhook",
        "PARLEY_TRACKER_DB": str(logs / "tracker.db"),
        "PARLEY_DB_URL": db_url or f"sqlite:///{logs / 'parley.db'}",
        "PARLEY_SPOOL": str(logs / "spool" / "events.jsonl"),
        "PARLEY_ACTION_TOKEN": secrets.token_urlsafe(32),
        "SANIC_REQUEST_MAX_SIZE": str(MAX_REQUEST_BYTES),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        "RASA_HOST": LOOPBACK,
        "RASA_PORT": str(rasa_port),
        **(extra_env or {}),
    }
    upgrade(env["PARLEY_DB_URL"])
    cli = [sys.executable, "-m", "bot.cli"]
    rasa = [
        *cli,
        "run",
        "--model",
        str(model),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
        "--interface",
        LOOPBACK,
        "--port",
        str(rasa_port),
    ]
    if api_token:
        env["RASA_API_TOKEN"] = api_token
        rasa += ["--enable-api", "--auth-token", api_token]
    commands = {"actions": [sys.executable, "-m", "actions", "--port", str(action_port)], "rasa": rasa}
    stack = Stack(
        f"http://{LOOPBACK}:{rasa_port}", f"http://{LOOPBACK}:{action_port}", logs, env, env["PARLEY_DB_URL"], commands
    )
    for name, command in commands.items():
        log = (logs / f"{name}.log").open("w")
        stack.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(_answers(f"{stack.action_url}/health"), "the action server", stack)
        _wait_until_up(RasaAPI(stack.rasa_url).is_ready, "the Rasa server", stack)  # ready once warmed up
    except BaseException:
        stack.stop()
        raise
    return stack
