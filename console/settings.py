"""The console's view of the shared settings (`core.settings`): only what the console process uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings, get_settings


@dataclass(frozen=True)
class ConsoleSettings:
    """Where the console finds its database, the bot, and where exports go (see README, "The review console")."""

    db_url: str | None
    host: str
    port: int
    rasa_url: str
    rasa_token: str
    secure_cookies: bool
    domain_dir: Path
    nlu_data_dir: Path
    nlu_export: Path
    stories_export_dir: Path
    telegram_token: str
    telegram_api_base: str
    experiments_file: Path
    brand_dir: Path

    @classmethod
    def of(cls, settings: Settings) -> ConsoleSettings:
        """The console's fields of `settings`."""
        return cls(
            db_url=settings.db_url or None,
            host=settings.console_host,
            port=settings.console_port,
            rasa_url=settings.rasa_url,
            rasa_token=settings.rasa_token,
            secure_cookies=settings.console_secure_cookies,
            domain_dir=settings.domain_dir,
            nlu_data_dir=settings.nlu_data_dir,
            nlu_export=settings.nlu_export,
            stories_export_dir=settings.stories_export_dir,
            telegram_token=settings.telegram_token,
            telegram_api_base=settings.telegram_api_base,
            experiments_file=settings.experiments_file,
            brand_dir=settings.brand_dir,
        )

    @classmethod
    def from_env(cls) -> ConsoleSettings:
        """The console's settings for this process (read from the environment once)."""
        return cls.of(get_settings())
