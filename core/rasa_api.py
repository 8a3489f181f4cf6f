"""The one client for the Rasa server's HTTP API: every process that talks to the bot goes through it.

The console (takeover, story export), `make resume`, `make seed`, `make chat`, the retrain job (loading a promoted
model) and the launcher (waiting for a warm server) all need a few calls of the same API. httpx keeps one
`Client` every caller shares; Parley keeps one `RasaAPI` on the standard library, so no process needs more than
`core` to reach the bot. The API's token goes in the query string, as Rasa expects (`?token=`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from core.settings import Settings, get_settings


class BotUnreachable(ConnectionError):
    """Rasa's HTTP API did not answer as expected (not running, API off, wrong token)."""


def http_request(method: str, url: str, body: Any = None, timeout: float = 60) -> tuple[int, Any]:
    """One JSON request; returns the status and the JSON (or text) body, HTTP errors included.

    `body` is encoded as JSON unless it is bytes already (tests send malformed bodies on purpose).

    Raises:
        BotUnreachable: nothing answered (refused, unreachable, timed out).
    """
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        raise BotUnreachable(f"nothing answered at {url.split('?')[0]} ({error})") from error
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode(errors="replace")


# Rasa 3.6's server (Sanic) does not percent-decode path parameters: `tg%3A1` would name another conversation than
# `tg:1`. So every character a URL path may carry as is stays as is; only the rest is encoded.
_PATH_SAFE = ":@!$&'()*+,;=-._~"


def _conversation(conversation_id: str) -> str:
    return f"/conversations/{urllib.parse.quote(conversation_id, safe=_PATH_SAFE)}"


class RasaAPI:
    """Calls to one Rasa server; `token` is its `RASA_API_TOKEN` (empty: only the REST channel is reachable)."""

    def __init__(self, base_url: str, token: str = "", timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> RasaAPI:
        """The client for the configured bot (`rasa_url`, `rasa_token`)."""
        settings = settings or get_settings()
        return cls(settings.rasa_url, settings.rasa_token)

    def call(self, method: str, path: str, body: Any = None, timeout: float | None = None) -> Any:
        """One authenticated API call; returns the JSON body.

        Raises:
            BotUnreachable: no answer, or an error status (the message says what to check).
        """
        query = urllib.parse.urlencode({"token": self.token}) if self.token else ""
        url = f"{self.base_url}{path}" + (f"{'&' if '?' in path else '?'}{query}" if query else "")
        hint = "" if self.token else "; is it running with RASA_API_TOKEN set?"
        try:
            status, answer = http_request(method, url, body, timeout or self.timeout)
        except BotUnreachable as error:
            raise BotUnreachable(f"the bot's API at {self.base_url} did not answer ({error}){hint}") from error
        if status >= 400:
            raise BotUnreachable(f"the bot's API at {self.base_url} answered {status} to {method} {path}{hint}")
        return answer

    def append_events(self, conversation_id: str, events: Sequence[Mapping[str, Any]]) -> None:
        """Appends events to a conversation's tracker (Rasa publishes them to the event broker too)."""
        self.call("POST", f"{_conversation(conversation_id)}/tracker/events", list(events))

    def tracker_events(self, conversation_id: str) -> list[dict[str, Any]]:
        """Every event of the conversation, all sessions included."""
        tracker = self.call("GET", f"{_conversation(conversation_id)}/tracker?include_events=ALL")
        return list((tracker or {}).get("events") or [])

    def load_model(self, model_file: str) -> None:
        """Makes the server serve another model file (it loads before it answers)."""
        self.call("PUT", "/model", {"model_file": model_file}, timeout=300)

    def send_message(
        self, sender: str, text: str, metadata: Mapping[str, Any] | None = None, timeout: float = 60
    ) -> list[dict[str, Any]]:
        """One message through the REST channel, as a customer would send it; returns the bot's replies."""
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = dict(metadata)
        try:
            status, replies = http_request("POST", f"{self.base_url}/webhooks/rest/webhook", body, timeout)
        except BotUnreachable as error:
            raise BotUnreachable(f"cannot reach Parley at {self.base_url} ({error}). Is `make run` running?") from error
        if status >= 400:
            raise BotUnreachable(f"Parley at {self.base_url} answered {status}: {replies}")
        return list(replies or [])

    def is_ready(self) -> bool:
        """Whether the server is up and warmed up (the REST channel's health route answers 200 only then)."""
        try:
            status, _ = http_request("GET", f"{self.base_url}/webhooks/rest/", timeout=2)
        except BotUnreachable:
            return False
        return status == 200
