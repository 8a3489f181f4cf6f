from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, Settings, get_settings, shell_exports


def test_defaults_are_loopback_and_inside_the_project():
    settings = Settings.from_env({})
    assert settings == Settings()
    assert (settings.rasa_host, settings.rasa_port, settings.console_host, settings.console_port) == (
        "127.0.0.1",
        5005,
        "127.0.0.1",
        5010,
    )
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.action_server_url == "http://127.0.0.1:5055/webhook"
    assert settings.spool_path == PROJECT_ROOT / "var" / "spool" / "events.jsonl"
    assert settings.brand_dir == PROJECT_ROOT / "brand"


def test_the_environment_overrides_and_relative_paths_are_from_the_project_root():
    settings = Settings.from_env(
        {
            "RASA_HOST": "10.0.0.5",
            "RASA_PORT": "6005",
            "ACTION_PORT": "6055",
            "PARLEY_BRAND_DIR": "elsewhere/brand",
            "PARLEY_SPOOL": "/tmp/spool.jsonl",
            "PARLEY_CONSOLE_SECURE_COOKIES": "yes",
        }
    )
    assert settings.rasa_url == "http://10.0.0.5:6005"
    assert settings.action_server_url == "http://127.0.0.1:6055/webhook"
    assert settings.brand_dir == PROJECT_ROOT / "elsewhere" / "brand"
    assert settings.spool_path == Path("/tmp/spool.jsonl")
    assert settings.console_secure_cookies is True
    assert Settings.from_env({"PARLEY_RASA_URL": "http://bot:5005"}).rasa_url == "http://bot:5005"


def test_settings_are_frozen_and_read_once(monkeypatch):
    first = get_settings()
    monkeypatch.setenv("RASA_PORT", "7005")
    assert get_settings() is first  # cached: the environment is read once per process
    get_settings.cache_clear()
    assert get_settings().rasa_port == 7005
    with pytest.raises(AttributeError):
        first.rasa_port = 1  # type: ignore[misc]


def test_shell_exports_quote_what_the_scripts_need():
    exports = shell_exports(Settings.from_env({"PARLEY_TRACKER_DB": "var/my tracker.db"}))
    assert exports.splitlines() == [
        "export RASA_HOST=127.0.0.1",
        "export RASA_PORT=5005",
        "export ACTION_PORT=5055",
        "export ACTION_SERVER_URL=http://127.0.0.1:5055/webhook",
        "export PARLEY_TRACKER_DB='var/my tracker.db'",
        "export SANIC_REQUEST_MAX_SIZE=1000000",
    ]
