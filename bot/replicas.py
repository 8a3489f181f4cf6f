"""Starts the replicated profile: N Rasa servers and M action servers behind nginx, on PostgreSQL and Redis.

What `make run-prod`, the replicated tests and the load benchmark run. Every process listens on loopback:

- PostgreSQL holds the conversations (Rasa's SQL tracker store, database `<store>_tracker`) and the store (the
  interaction log, profiles, Telegram de-duplication);
- Redis is Rasa's lock store, so one conversation is handled by one replica at a time, in order;
- nginx (`deploy/nginx.conf`) balances the Rasa servers and, separately, the action servers; the Rasa servers
  reach the actions through it;
- each Rasa server has its own spool (`<logs>/spool/rasa-<i>/`), since a spool belongs to one writer.

The servers, PostgreSQL and Redis are not started here: pass their URLs (`scripts/postgres.sh` and
`scripts/redis.sh` start throwaway ones).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL

from bot.launcher import ROOT, Stack, _answers, _wait_until_up, free_port
from core.rasa_api import RasaAPI
from core.settings import ACTION_MAX_REQUEST_BYTES, LOOPBACK, MAX_REQUEST_BYTES

NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
ENDPOINTS = ROOT / "deploy" / "endpoints.yml"


@dataclass
class ReplicatedStack(Stack):
    """A running replicated profile; `rasa_url` is the load balancer, `rasa_replicas` each server directly."""

    rasa_replicas: list[str] = field(default_factory=list)
    action_replicas: list[str] = field(default_factory=list)

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """Kills one process (`rasa-0`, `actions-1`, `nginx`) as a crash would."""
        process = self.processes[name]
        process.send_signal(sig)
        process.wait(timeout=30)


def nginx_binary() -> str:
    """Debian's nginx (installed by `scripts/nginx.sh`)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise RuntimeError("nginx is not installed (scripts/nginx.sh installs Debian's package)")
    return found


def nginx_config(
    prefix: str, rasa_servers: list[str], action_servers: list[str], host: str, rasa_lb: int, action_lb: int
) -> str:
    """The balancer's config from `deploy/nginx.conf` for these upstream addresses (`host:port`)."""

    def servers(addresses: list[str]) -> str:
        return "\n".join(f"        server {address} max_fails=1 fail_timeout=5s;" for address in addresses)

    text = NGINX_TEMPLATE.read_text(encoding="utf-8")
    for key, value in {
        "PREFIX": prefix,
        "HOST": host,
        "RASA_PORT": str(rasa_lb),
        "ACTION_PORT": str(action_lb),
        "RASA_SERVERS": servers(rasa_servers),
        "ACTION_SERVERS": servers(action_servers),
        "MAX_BODY": str(MAX_REQUEST_BYTES),
        "ACTION_MAX_BODY": str(ACTION_MAX_REQUEST_BYTES),
    }.items():
        text = text.replace("{{" + key + "}}", value)
    return text


COMPOSE_NGINX = ROOT / "deploy" / "nginx.compose.conf"


def compose_nginx_config() -> str:
    """`deploy/nginx.compose.conf`: the same template for docker-compose's services (a test keeps the file equal)."""
    header = (
        "# Generated from deploy/nginx.conf for deploy/docker-compose.yml (bot.replicas.compose_nginx_config).\n"
        "# Docker's DNS resolves rasa and actions to their replicas. Listens on 0.0.0.0 inside the container;\n"
        "# compose publishes it on the host's loopback only.\n"
    )
    return header + nginx_config("/tmp", ["rasa:5005"], ["actions:5055"], "0.0.0.0", 5005, 5055)


def render_nginx(prefix: Path, rasa_ports: list[int], action_ports: list[int], rasa_lb: int, action_lb: int) -> Path:
    """Writes the balancer's config for these loopback ports under `prefix`; returns its path."""
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    text = nginx_config(
        str(prefix),
        [f"{LOOPBACK}:{port}" for port in rasa_ports],
        [f"{LOOPBACK}:{port}" for port in action_ports],
        LOOPBACK,
        rasa_lb,
        action_lb,
    )
    conf.write_text(text, encoding="utf-8")
    return conf


def _tracker_database(store_url: str) -> dict[str, str]:
    """Creates `<db>_tracker` beside the store's database; returns the tracker store's settings."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(store_url)
    name = f"{url.database}_tracker"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return {
        "PARLEY_TRACKER_PG_HOST": url.host or LOOPBACK,
        "PARLEY_TRACKER_PG_PORT": str(url.port or 5432),
        "PARLEY_TRACKER_PG_DB": name,
        "PARLEY_TRACKER_PG_USER": url.username or "",
        "PARLEY_TRACKER_PG_PASSWORD": url.password or "",
    }


def tracker_url(env: dict[str, str]) -> URL:
    """The tracker store's PostgreSQL URL, from what `_tracker_database` put in the replicas' environment."""
    return URL.create(
        "postgresql+psycopg2",
        username=env["PARLEY_TRACKER_PG_USER"] or None,
        password=env["PARLEY_TRACKER_PG_PASSWORD"] or None,
        host=env["PARLEY_TRACKER_PG_HOST"],
        port=int(env["PARLEY_TRACKER_PG_PORT"]),
        database=env["PARLEY_TRACKER_PG_DB"],
    )


def reconcile_log(env: dict[str, str], store_url: str) -> int:
    """Writes the turns a killed replica left out of the log (`store.reconcile`); returns how many.

    Run before any replica starts, and by the tests after killing one.
    """
    from sqlalchemy import create_engine, inspect

    from store.db import Database
    from store.reconcile import reconcile

    tracker = create_engine(tracker_url(env), future=True, hide_parameters=True)
    database = Database(store_url)
    try:
        if not inspect(tracker).has_table("events"):
            return 0  # a new profile: Rasa creates the table on first start
        return reconcile(tracker, database, older_than_s=0)
    finally:
        tracker.dispose()
        database.dispose()


def start_replicated(
    model: Path,
    logs: Path,
    postgres_url: str,
    redis_url: str,
    rasa_replicas: int = 2,
    action_replicas: int = 2,
    api_token: str | None = None,
    extra_env: dict[str, str] | None = None,
    balancer_port: int | None = None,
) -> ReplicatedStack:
    """Starts the replicated profile (module docstring); returns once the balancer answers for every replica.

    `balancer_port` is where customers reach it (default: a free port; `make run-prod` uses `RASA_PORT`).
    """
    from sqlalchemy.engine import make_url

    from store.migrate import upgrade

    logs.mkdir(parents=True, exist_ok=True)
    rasa_ports = [free_port() for _ in range(rasa_replicas)]
    action_ports = [free_port() for _ in range(action_replicas)]
    rasa_lb, action_lb = balancer_port or free_port(), free_port()
    redis = make_url(redis_url)
    base = {
        **os.environ,
        "ACTION_SERVER_URL": f"http://{LOOPBACK}:{action_lb}/webhook",
        "PARLEY_DB_URL": postgres_url,
        "PARLEY_ACTION_TOKEN": secrets.token_urlsafe(32),
        "PARLEY_REDIS_HOST": redis.host or LOOPBACK,
        "PARLEY_REDIS_PORT": str(redis.port or 6379),
        "PARLEY_REDIS_DB": str(redis.database or 0),
        "SANIC_REQUEST_MAX_SIZE": str(MAX_REQUEST_BYTES),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        "RASA_HOST": LOOPBACK,
        # several model-serving processes share the cores: one thread each, so they do not fight over them
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "TF_INTRA_OP_PARALLELISM_THREADS": "1",
        "TF_INTER_OP_PARALLELISM_THREADS": "1",
        **_tracker_database(postgres_url),
        **(extra_env or {}),
    }
    upgrade(postgres_url)
    reconcile_log(base, postgres_url)
    commands: dict[str, list[str]] = {}
    envs: dict[str, dict[str, str]] = {}
    for i, port in enumerate(action_ports):
        commands[f"actions-{i}"] = [sys.executable, "-m", "actions", "--port", str(port)]
        envs[f"actions-{i}"] = {**base, "ACTION_PORT": str(port)}
    for i, port in enumerate(rasa_ports):
        command = [
            *(sys.executable, "-m", "bot.cli", "run", "--model", str(model)),
            *("--endpoints", str(ENDPOINTS), "--credentials", "credentials.yml"),
            *("--interface", LOOPBACK, "--port", str(port)),
        ]
        if api_token:
            command += ["--enable-api", "--auth-token", api_token]
        commands[f"rasa-{i}"] = command
        envs[f"rasa-{i}"] = {
            **base,
            "RASA_PORT": str(port),
            "PARLEY_SPOOL": str(logs / "spool" / f"rasa-{i}" / "events.jsonl"),
            **({"RASA_API_TOKEN": api_token} if api_token else {}),
        }
    conf = render_nginx(logs / "nginx", rasa_ports, action_ports, rasa_lb, action_lb)
    commands["nginx"] = [nginx_binary(), "-p", str(logs / "nginx"), "-c", str(conf), "-e", str(logs / "nginx.log")]
    envs["nginx"] = base
    stack = ReplicatedStack(
        f"http://{LOOPBACK}:{rasa_lb}",
        f"http://{LOOPBACK}:{action_lb}",
        logs,
        base,
        postgres_url,
        commands,
        rasa_replicas=[f"http://{LOOPBACK}:{p}" for p in rasa_ports],
        action_replicas=[f"http://{LOOPBACK}:{p}" for p in action_ports],
    )
    for name, command in commands.items():
        log = (logs / f"{name}.log").open("w")
        stack.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=envs[name], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        for url in stack.action_replicas:
            _wait_until_up(_answers(f"{url}/health"), f"the action server {url}", stack)
        for url in stack.rasa_replicas:
            _wait_until_up(RasaAPI(url).is_ready, f"the Rasa server {url}", stack)
        _wait_until_up(_answers(f"{stack.rasa_url}/"), "the load balancer", stack)
    except BaseException:
        stack.stop()
        raise
    return stack


def main(argv: list[str] | None = None) -> int:
    """`make run-prod`: starts the profile on the given servers and keeps it up until Ctrl-C."""
    import argparse
    import time

    from core.settings import PROJECT_ROOT, get_settings

    parser = argparse.ArgumentParser(prog="python -m bot.replicas", description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="the store's PostgreSQL URL (postgresql+psycopg2://...)")
    parser.add_argument("--redis", required=True, help="Redis URL for the lock store (redis://127.0.0.1:6379/0)")
    parser.add_argument("--rasa", type=int, default=2, help="Rasa server processes")
    parser.add_argument("--actions", type=int, default=2, help="action server processes")
    args = parser.parse_args(argv)
    settings = get_settings()
    stack = start_replicated(
        PROJECT_ROOT / "models" / "parley.tar.gz",
        PROJECT_ROOT / "var" / "prod",
        args.postgres,
        args.redis,
        args.rasa,
        args.actions,
        api_token=settings.rasa_token or None,
        balancer_port=settings.rasa_port,
    )
    print(f"Parley is up: {args.rasa} Rasa + {args.actions} action servers behind nginx at {stack.rasa_url}")
    print("REST: POST /webhooks/rest/webhook; logs in var/prod/. Ctrl-C stops everything.")
    try:
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        print("A process exited; see var/prod/*.log", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
