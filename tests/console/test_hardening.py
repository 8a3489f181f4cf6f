"""The console's defences: login throttling, security headers, exact public paths, local redirects, resets."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import pytest

from bot.launcher import free_port
from core.settings import PROJECT_ROOT
from store.db import Database
from store.managers import create_manager
from tests.console.conftest import Client

pytestmark = pytest.mark.integration


def test_every_page_carries_security_headers(client, logged_in):
    for path in ("/login", "/"):
        _, headers, _ = logged_in.request("GET", path)
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"
        assert headers["referrer-policy"] == "no-referrer"


def test_public_paths_are_exact(client):
    status, headers, _ = client.request("GET", "/login-and-more")
    assert status == 302 and headers["location"].startswith("/login?next=")
    status, headers, _ = client.request("GET", "/healthz")
    assert status == 302 and headers["location"].startswith("/login?next=")


def test_anonymous_pages_do_not_echo_the_query_string(client):
    _, _, page = client.request("GET", "/login?error=" + urllib.parse.quote("Call +1-555-0100 to verify your account"))
    assert "555-0100" not in page


def test_redirects_stay_in_the_console(logged_in):
    csrf = logged_in.csrf("/")
    for back in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        status, headers, _ = logged_in.request("POST", "/export/nlu", {"csrf": csrf, "back": back})
        assert status == 302 and headers["location"].startswith("/?notice="), headers["location"]


def test_a_password_reset_ends_every_session(console, stack):
    email, password = "reset@kestrel.example", "an old password, twelve+"
    with Database(stack.db_url).session() as session:
        create_manager(session, email, password)
    browser = Client(console.url)
    assert browser.login(email, password)[0] == 302
    assert browser.request("GET", "/")[0] == 200
    with Database(stack.db_url).session() as session:
        create_manager(session, email, "a brand new password, twelve+")
    status, headers, _ = browser.request("GET", "/")
    assert status == 302 and headers["location"].startswith("/login")


@pytest.fixture
def own_console(stack, tmp_path):
    """A console of its own: a brute force must not lock the shared console's tests out."""
    port = free_port()
    env = {**os.environ, "PARLEY_DB_URL": stack.db_url, "PARLEY_CONSOLE_PORT": str(port)}
    log = tmp_path / "console.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(timeout=20)


def test_a_burst_of_bad_logins_is_throttled_and_the_console_stays_up(own_console):
    statuses: list[int] = []
    health: list[int] = []

    def attacker(number: int) -> None:
        browser = Client(own_console)
        statuses.append(browser.login(f"nobody{number}@kestrel.example", "wrong password, again")[0])

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        health.append(Client(own_console).request("GET", "/health")[0])
    for thread in threads:
        thread.join()
    assert (statuses.count(401), statuses.count(429)) == (20, 10)  # the address's allowance, then 429
    assert health and set(health) == {200}  # the event loop kept answering (Argon2 runs in threads)


def test_an_account_locks_after_five_wrong_passwords(own_console):
    browser = Client(own_console)
    statuses = [browser.login("locked@kestrel.example", "wrong password, again")[0] for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2
