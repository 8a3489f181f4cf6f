"""The console's takeover helpers, without the console server: Telegram replies never load Rasa."""

import subprocess
import sys

from core.settings import PROJECT_ROOT


def test_a_telegram_reply_from_the_console_sends_without_loading_rasa(tmp_path):
    script = tmp_path / "reply.py"
    script.write_text(
        """
import asyncio, os, sys
sys.path.insert(0, os.getcwd())
from tests.bot.telegram_fake import FakeBotApi, serve
from console.settings import ConsoleSettings
from console import takeover
from core.settings import Settings

api = FakeBotApi()
server, base_url = serve(api)
settings = ConsoleSettings.of(Settings(telegram_token="123456:CONSOLE", telegram_api_base=base_url))
asyncio.run(takeover.send_telegram(settings, 4242, "A manager here: your parcel left today."))
server.shutdown()
[sent] = api.sent()
print(sent.params["chat_id"], sent.params["text"])
print(sorted({m.split(".")[0] for m in sys.modules} & {"rasa", "rasa_sdk", "tensorflow"}))
"""
    )
    done = subprocess.run([sys.executable, str(script)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == ["4242 A manager here: your parcel left today.", "[]"]
