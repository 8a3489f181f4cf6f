import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import handoff
from core.rasa_api import BotUnreachable, RasaAPI


@pytest.fixture
def server():
    """A stand-in for Rasa's HTTP API that records requests and answers 200 with `{}` (403 without a token)."""
    seen: list[tuple[str, str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.command, self.path, json.loads(body) if body else None))
            status = 200 if "token=secret" in self.path or self.path.startswith("/webhooks/rest/") else 403
            payload = [{"text": "hi"}] if "webhook" in self.path else {}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()


def test_resume_posts_the_rules_events_with_the_token(server):
    url, seen = server
    handoff.resume(RasaAPI(url, "secret"), "tg:comment:-100:7")
    assert seen == [
        (
            "POST",
            "/conversations/tg:comment:-100:7/tracker/events?token=secret",  # Rasa does not decode %3A
            [{"event": "resume"}, {"event": "action", "name": "action_listen"}],
        )
    ]


def test_an_error_status_and_a_closed_port_are_bot_unreachable(server):
    url, _ = server
    with pytest.raises(BotUnreachable, match=r"answered 403.*RASA_API_TOKEN"):
        RasaAPI(url).append_events("c1", handoff.PAUSE_EVENTS)
    with pytest.raises(BotUnreachable, match="did not answer"):
        RasaAPI("http://127.0.0.1:9", "secret", timeout=2).tracker_events("c1")


def test_rest_messages_and_readiness(server):
    url, seen = server
    api = RasaAPI(url)
    assert api.send_message("u1", "hello", {"surface": "dm"}) == [{"text": "hi"}]
    assert seen[-1] == (
        "POST",
        "/webhooks/rest/webhook",
        {"sender": "u1", "message": "hello", "metadata": {"surface": "dm"}},
    )
    assert api.is_ready() is True
    assert RasaAPI("http://127.0.0.1:9").is_ready() is False


def test_the_inbox_after_a_pause_and_a_resume():
    assert handoff.inbox_state(True) == handoff.InboxState(paused=True, needs_human=True)
    assert handoff.inbox_state(False) == handoff.InboxState(paused=False, needs_human=False)
