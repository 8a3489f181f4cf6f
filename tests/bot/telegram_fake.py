"""A stand-in for Telegram's Bot API: records every call and answers like the real server would.

Used two ways: as python-telegram-bot's request object (`OfflineRequest`, in-process) and as a small HTTP server
(`serve`) that a Rasa server subprocess reaches through `TELEGRAM_API_BASE`. Nothing here reaches Telegram.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Kestrel Outdoor",
    "username": "KestrelOutdoorBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    """One Bot API call: the method and its decoded parameters."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeBotApi:
    """Records calls; `updates` feeds getUpdates; `fail_next` makes the next sendMessage calls answer 429.

    `hold` (an Event), when set to a cleared Event, makes every sendMessage wait until it is set: a slow Telegram.
    """

    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _next_id: int = 100
    base_url: str = ""
    hold: threading.Event | None = None
    forbidden_chats: set[int] = field(default_factory=set)  # chats whose user blocked the bot (403)
    admin_chats: set[int] = field(default_factory=set)  # groups where the bot may delete messages (else 400)

    def sent(self, method: str = "sendMessage") -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.hold = None

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        hold = self.hold
        if method == "sendMessage" and hold is not None:
            hold.wait(60)
        with self.lock:
            self.calls.append(Call(method, params))
            if method == "sendMessage" and self.fail_next:
                self.fail_next -= 1
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
            if method == "sendMessage" and int(params.get("chat_id", 0)) in self.forbidden_chats:
                return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            if method == "getMe":
                return 200, {"ok": True, "result": BOT}
            if method in ("sendMessage", "sendPhoto"):
                self._next_id += 1
                chat_id = int(params["chat_id"])
                message = {
                    "message_id": self._next_id,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                    "from": BOT,
                    "text": params.get("text", ""),
                }
                return 200, {"ok": True, "result": message}
            if method == "deleteMessage":
                if int(params["chat_id"]) not in self.admin_chats:
                    return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message can't be deleted"}
                return 200, {"ok": True, "result": True}
            if method == "getChatMember":
                admin = int(params["chat_id"]) in self.admin_chats
                member = {
                    "status": "administrator" if admin else "member",
                    "user": BOT,
                    **(
                        {
                            "can_be_edited": False,
                            "is_anonymous": False,
                            "can_manage_chat": True,
                            "can_delete_messages": True,
                            "can_manage_video_chats": False,
                            "can_restrict_members": False,
                            "can_promote_members": False,
                            "can_change_info": False,
                            "can_invite_users": True,
                            "can_post_stories": False,
                            "can_edit_stories": False,
                            "can_delete_stories": False,
                        }
                        if admin
                        else {}
                    ),
                }
                return 200, {"ok": True, "result": member}
            if method == "getUpdates":
                updates, self.updates = self.updates, []
                return 200, {"ok": True, "result": updates}
            if method == "getWebhookInfo":
                return 200, {
                    "ok": True,
                    "result": {"url": "", "has_custom_certificate": False, "pending_update_count": 0},
                }
            return 200, {"ok": True, "result": True}


def decode(params: dict[str, Any]) -> dict[str, Any]:
    """Form fields as ptb sends them: JSON strings for structured values."""
    decoded = {}
    for key, value in params.items():
        if isinstance(value, str) and (value[:1] in "{[" or value.lstrip("-").isdigit()):
            try:
                decoded[key] = json.loads(value)
                continue
            except ValueError:
                pass
        decoded[key] = value
    return decoded


class OfflineRequest(BaseRequest):
    """python-telegram-bot's HTTP layer replaced by the fake (no sockets)."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None, **_: Any):
        params = decode(request_data.json_parameters) if request_data else {}
        method_name = url.rsplit("/", 1)[-1]
        if method_name == "getUpdates" and not self.api.updates:
            await asyncio.sleep(0.05)  # a long poll with nothing new waits, and lets other tasks run
        status, payload = self.api.answer(method_name, params)
        return status, json.dumps(payload).encode()


def serve(api: FakeBotApi) -> tuple[ThreadingHTTPServer, str]:
    """Serves the fake over HTTP on a free loopback port; returns the server and its Bot API base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                params = json.loads(body or "{}")
            else:
                params = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
            status, payload = api.answer(self.path.rsplit("/", 1)[-1], decode(params))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/bot"
