import pytest

from bot.telegram.__main__ import main
from core.settings import get_settings
from tests.bot.telegram_fake import FakeBotApi, serve


@pytest.fixture
def fake_telegram(monkeypatch):
    api = FakeBotApi()
    server, base_url = serve(api)
    monkeypatch.setenv("TELEGRAM_API_BASE", base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:CLI")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "cli-secret")
    yield api
    server.shutdown()


def test_check_reports_the_bot(fake_telegram, capsys):
    assert main(["check"]) == 0
    assert "Token OK: @KestrelOutdoorBot" in capsys.readouterr().out


def test_check_says_whether_the_bot_can_hide_comments_in_each_group(fake_telegram, capsys, monkeypatch):
    fake_telegram.admin_chats = {-1001}
    monkeypatch.setenv("TELEGRAM_GROUPS", "-1002")
    assert main(["check", "--group", "-1001"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2] == "Group -1001: admin with 'Delete messages': moderation can hide comments"
    assert out[-1] == (
        "Group -1002: NOT allowed to delete messages (member): comments the policy hides stay up and are logged as "
        "hide_failed. Make the bot an admin of the group with 'Delete messages'."
    )


def test_set_webhook_registers_url_and_secret(fake_telegram, capsys):
    assert main(["set-webhook", "https://bot.example.com/"]) == 0
    [call] = [c for c in fake_telegram.calls if c.method == "setWebhook"]
    assert call.params["url"] == "https://bot.example.com/webhooks/telegram_ptb/webhook"
    assert call.params["secret_token"] == "cli-secret"
    assert call.params["allowed_updates"] == ["message", "edited_message", "callback_query"]


def test_refuses_plain_http_and_missing_settings(fake_telegram, monkeypatch, capsys):
    assert main(["set-webhook", "http://insecure.example.com"]) == 2
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET")
    get_settings.cache_clear()  # settings are read once per process; this test plays three processes
    assert main(["set-webhook", "https://bot.example.com"]) == 2
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    get_settings.cache_clear()
    assert main(["check"]) == 2
    assert "BotFather" in capsys.readouterr().err
