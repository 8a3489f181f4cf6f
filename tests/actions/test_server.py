"""The running action server answers only its Rasa server: the shared secret, and loopback only."""

from __future__ import annotations

import json
import socket
import subprocess

import pytest

from bot.launcher import http
from core.settings import ACTION_TOKEN_HEADER

pytestmark = pytest.mark.integration


def call(stack, path: str, token: str | None) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{stack.action_url}{path}", headers={ACTION_TOKEN_HEADER: token} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_calls_without_the_secret_are_refused(stack):
    secret = stack.env["PARLEY_ACTION_TOKEN"]
    assert call(stack, "/actions", None) == 401
    assert call(stack, "/actions", "guess") == 401
    assert call(stack, "/actions", secret) == 200
    body = {"next_action": "action_show_my_data", "sender_id": "victim", "tracker": {"sender_id": "victim"}}
    assert http("POST", f"{stack.action_url}/webhook", json.dumps(body).encode())[0] == 401
    assert call(stack, "/health", None) == 200  # open, for load balancers


def non_loopback_address() -> str | None:
    addresses = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    return next((a for a in addresses if "." in a and not a.startswith("127.")), None)


def test_the_action_server_is_not_reachable_from_another_address(stack):
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    port = int(stack.action_url.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError), socket.create_connection((address, port), timeout=5):
        pass
