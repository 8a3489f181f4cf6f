"""Console settings, read from the environment once at start-up (see README, "The review console")."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _path(value: str | None, default: str) -> Path:
    path = Path(value or default)
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class ConsoleSettings:
    """Where the console finds its database, the bot, and where exports go."""

    db_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 5010
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    secure_cookies: bool = False
    domain_dir: Path = PROJECT_ROOT / "domain"
    nlu_export: Path = PROJECT_ROOT / "data" / "nlu" / "reviewed.yml"
    stories_export_dir: Path = PROJECT_ROOT / "tests" / "stories" / "reviewed"
    telegram_token: str = ""
    telegram_api_base: str = "https://api.telegram.org/bot"

    @classmethod
    def from_env(cls) -> ConsoleSettings:
        """Settings from `PARLEY_*`, `RASA_*` and `TELEGRAM_*` variables."""
        env = os.environ.get
        rasa_url = env("PARLEY_RASA_URL") or f"http://{env('RASA_HOST') or '127.0.0.1'}:{env('RASA_PORT') or '5005'}"
        return cls(
            db_url=env("PARLEY_DB_URL") or None,
            host=env("PARLEY_CONSOLE_HOST") or "127.0.0.1",
            port=int(env("PARLEY_CONSOLE_PORT") or 5010),
            rasa_url=rasa_url,
            rasa_token=env("RASA_API_TOKEN") or "",
            secure_cookies=(env("PARLEY_CONSOLE_SECURE_COOKIES") or "") in ("1", "true", "yes"),
            domain_dir=_path(env("PARLEY_DOMAIN_DIR"), "domain"),
            nlu_export=_path(env("PARLEY_NLU_EXPORT"), "data/nlu/reviewed.yml"),
            stories_export_dir=_path(env("PARLEY_STORIES_EXPORT_DIR"), "tests/stories/reviewed"),
            telegram_token=env("TELEGRAM_BOT_TOKEN") or "",
            telegram_api_base=env("TELEGRAM_API_BASE") or "https://api.telegram.org/bot",
        )
