"""One frozen settings object for every process, read from the environment once and cached.

Django keeps `django.conf.settings` as one lazy object; Parley keeps `get_settings()`. Every default (the project
root, hosts, ports, URLs, file locations) is written here and nowhere else: shell scripts ask for them with
`python -m core.settings` (see `scripts/env.sh`), Python code reads the fields. Tests that change the environment
call `get_settings.cache_clear()` (or `actions.settings.reset_caches()`, which does it too).
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

LOOPBACK = "127.0.0.1"
RASA_PORT = 5005
ACTION_PORT = 5055
CONSOLE_PORT = 5010
TELEGRAM_API_BASE = "https://api.telegram.org/bot"
# Request body limits (bytes; 413 past them). The Rasa server gets customer messages; the action server gets whole
# trackers, which grow with a conversation; the console gets forms.
MAX_REQUEST_BYTES = 1_000_000
ACTION_MAX_REQUEST_BYTES = 16_000_000
CONSOLE_MAX_REQUEST_BYTES = 256_000
# The header that carries the action server's shared secret (endpoints.yml sends it on every action call).
ACTION_TOKEN_HEADER = "X-Parley-Action-Token"


def project_path(value: str | None, default: str) -> Path:
    """`value` (or `default`) as a path; relative paths are taken from the project root, never the cwd."""
    path = Path(value or default)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Everything the processes configure, with the defaults `make run` uses (see README, "Configuration").

    Attributes:
        db_url: the profile and interaction store; empty means `var/parley.db` (see `store.db.database_url`).
        brand_dir: folder with `brand.yml`, `catalog.yml` and `attributes.yml`.
        rasa_host: where the Rasa server listens (loopback unless the user asks otherwise).
        rasa_port: its port.
        rasa_url: the Rasa server's base URL for its clients (`PARLEY_RASA_URL`, else built from host and port).
        rasa_token: the token of Rasa's HTTP API (`RASA_API_TOKEN`); empty means the API is off.
        action_port: the action server's port.
        action_server_url: the webhook the Rasa server calls for custom actions.
        action_token: the shared secret the Rasa server sends to the action server (`PARLEY_ACTION_TOKEN`;
            `scripts/env.sh` makes a random one per run when it is unset). The action server refuses calls without it.
        console_host: where the review console listens.
        console_port: its port.
        console_secure_cookies: mark session cookies `Secure` (behind HTTPS).
        domain_dir: the Rasa domain (the console lists its intents).
        nlu_data_dir: the NLU training data (the console's export merges into it).
        nlu_export: where the console writes corrections as NLU data.
        stories_export_dir: where the console writes reviewed conversations as test stories.
        candidates_dir: where `make retrain` trains candidates (erasure reaches their copies of the data).
        telegram_token: the bot's token (`TELEGRAM_BOT_TOKEN`).
        telegram_api_base: the Bot API server (a local Bot API server or a test fake).
        telegram_webhook_secret: the secret Telegram sends with every webhook update.
        telegram_mode: `webhook` (production) or `polling` (a laptop without a public URL).
        spool_path: the disk spool of events the store could not take.
        dead_letter_path: where events the store can never take (data errors) are set aside, with the error
            (`$PARLEY_DEAD_LETTER`; by default next to the spool).
        tracker_db: Rasa's SQLite tracker store (`endpoints.yml`), relative to where the Rasa server runs.
        recommender_model: the recommender's encoder (a sentence-transformers name or path, or `hashing`).
        embedding_cache: where catalog embeddings are cached.
        collaborative_refresh_s: how often the action server refits the collaborative signal.
        click_model: the learned click model `make retrain` writes and the action server ranks with.
        experiments_file: the experiments the managers define (YAML; absent means none).
    """

    db_url: str = ""
    brand_dir: Path = PROJECT_ROOT / "brand"
    rasa_host: str = LOOPBACK
    rasa_port: int = RASA_PORT
    rasa_url: str = f"http://{LOOPBACK}:{RASA_PORT}"
    rasa_token: str = ""
    action_port: int = ACTION_PORT
    action_server_url: str = f"http://{LOOPBACK}:{ACTION_PORT}/webhook"
    action_token: str = ""
    console_host: str = LOOPBACK
    console_port: int = CONSOLE_PORT
    console_secure_cookies: bool = False
    domain_dir: Path = PROJECT_ROOT / "domain"
    nlu_data_dir: Path = PROJECT_ROOT / "data" / "nlu"
    nlu_export: Path = PROJECT_ROOT / "data" / "nlu" / "reviewed.yml"
    stories_export_dir: Path = PROJECT_ROOT / "tests" / "stories" / "reviewed"
    candidates_dir: Path = PROJECT_ROOT / "models" / "candidates"
    telegram_token: str = ""
    telegram_api_base: str = TELEGRAM_API_BASE
    telegram_webhook_secret: str = ""
    telegram_mode: str = "webhook"
    spool_path: Path = PROJECT_ROOT / "var" / "spool" / "events.jsonl"
    dead_letter_path: Path = PROJECT_ROOT / "var" / "spool" / "dead-letter.jsonl"
    tracker_db: str = "var/tracker.db"
    recommender_model: str = "minilm"
    embedding_cache: Path = PROJECT_ROOT / ".cache" / "embeddings"
    collaborative_refresh_s: float = 300.0
    click_model: Path = PROJECT_ROOT / "models" / "click_model.pkl"
    experiments_file: Path = PROJECT_ROOT / "brand" / "experiments.yml"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from `PARLEY_*`, `RASA_*`, `ACTION_*` and `TELEGRAM_*` variables; unset or empty means default."""
        get = (os.environ if env is None else env).get
        action_port = int(get("ACTION_PORT") or ACTION_PORT)
        spool = project_path(get("PARLEY_SPOOL"), "var/spool/events.jsonl")
        rasa_host, rasa_port = get("RASA_HOST") or LOOPBACK, int(get("RASA_PORT") or RASA_PORT)
        return cls(
            db_url=get("PARLEY_DB_URL") or "",
            brand_dir=project_path(get("PARLEY_BRAND_DIR"), "brand"),
            rasa_host=rasa_host,
            rasa_port=rasa_port,
            rasa_url=get("PARLEY_RASA_URL") or f"http://{rasa_host}:{rasa_port}",
            rasa_token=get("RASA_API_TOKEN") or "",
            action_port=action_port,
            action_server_url=get("ACTION_SERVER_URL") or f"http://{LOOPBACK}:{action_port}/webhook",
            action_token=get("PARLEY_ACTION_TOKEN") or "",
            console_host=get("PARLEY_CONSOLE_HOST") or LOOPBACK,
            console_port=int(get("PARLEY_CONSOLE_PORT") or CONSOLE_PORT),
            console_secure_cookies=_flag(get("PARLEY_CONSOLE_SECURE_COOKIES")),
            domain_dir=project_path(get("PARLEY_DOMAIN_DIR"), "domain"),
            nlu_data_dir=project_path(get("PARLEY_NLU_DIR"), "data/nlu"),
            nlu_export=project_path(get("PARLEY_NLU_EXPORT"), "data/nlu/reviewed.yml"),
            stories_export_dir=project_path(get("PARLEY_STORIES_EXPORT_DIR"), "tests/stories/reviewed"),
            candidates_dir=project_path(get("PARLEY_CANDIDATES_DIR"), "models/candidates"),
            telegram_token=get("TELEGRAM_BOT_TOKEN") or "",
            telegram_api_base=get("TELEGRAM_API_BASE") or TELEGRAM_API_BASE,
            telegram_webhook_secret=get("TELEGRAM_WEBHOOK_SECRET") or "",
            telegram_mode=get("TELEGRAM_MODE") or "webhook",
            spool_path=spool,
            dead_letter_path=project_path(get("PARLEY_DEAD_LETTER"), str(spool.with_name("dead-letter.jsonl"))),
            tracker_db=get("PARLEY_TRACKER_DB") or "var/tracker.db",
            recommender_model=get("PARLEY_RECOMMENDER_MODEL") or "minilm",
            embedding_cache=project_path(get("PARLEY_EMBEDDING_CACHE"), ".cache/embeddings"),
            collaborative_refresh_s=float(get("PARLEY_COLLABORATIVE_REFRESH_S") or 300),
            click_model=project_path(get("PARLEY_CLICK_MODEL"), "models/click_model.pkl"),
            experiments_file=project_path(get("PARLEY_EXPERIMENTS"), "brand/experiments.yml"),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use (never at import)."""
    return Settings.from_env()


def shell_exports(settings: Settings) -> str:
    """`export` lines for the values shell scripts need (Rasa's `endpoints.yml` reads `ACTION_SERVER_URL`)."""
    values = {
        "RASA_HOST": settings.rasa_host,
        "RASA_PORT": str(settings.rasa_port),
        "ACTION_PORT": str(settings.action_port),
        "ACTION_SERVER_URL": settings.action_server_url,
        "PARLEY_TRACKER_DB": settings.tracker_db,
        # Sanic reads SANIC_* settings from the environment: the Rasa server's body limit (Sanic's default: 100 MB).
        "SANIC_REQUEST_MAX_SIZE": str(MAX_REQUEST_BYTES),
    }
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in values.items())


if __name__ == "__main__":
    sys.stdout.write(shell_exports(Settings.from_env()))
