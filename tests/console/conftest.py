"""The console against the shared bot stack: seeded by talking to the bot, served by `python -m console serve`."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.launcher import free_port
from core.settings import PROJECT_ROOT as ROOT
from store.db import Database
from store.managers import create_manager
from tests.stack_fixtures import API_TOKEN

EMAIL, PASSWORD = "sam@kestrel.example", "correct horse battery staple"


@dataclass
class Console:
    url: str
    exports: Path
    process: subprocess.Popen
    log: Path


@pytest.fixture(scope="session")
def console(stack, seeded, telegram_api, tmp_path_factory) -> Iterator[Console]:
    exports = tmp_path_factory.mktemp("exports")
    # the brand, without quiet hours: the broadcast job beside the console sends at any hour the tests run
    brand = exports / "brand"
    shutil.copytree(ROOT / "brand", brand)
    policy = (brand / "brand.yml").read_text().replace('quiet_hours: "21:00-08:00"', 'quiet_hours: "00:00-00:00"')
    (brand / "brand.yml").write_text(policy)
    with Database(stack.db_url).session() as session:
        create_manager(session, EMAIL, PASSWORD)
    port = free_port()
    log = exports / "console.log"
    env = {
        **os.environ,
        "PARLEY_DB_URL": stack.db_url,
        "PARLEY_CONSOLE_PORT": str(port),
        "PARLEY_RASA_URL": stack.rasa_url,
        "RASA_API_TOKEN": API_TOKEN,
        "PARLEY_NLU_EXPORT": str(exports / "data" / "nlu" / "reviewed.yml"),
        "PARLEY_STORIES_EXPORT_DIR": str(exports / "stories"),
        "TELEGRAM_BOT_TOKEN": "123456:INTEGRATION",
        "TELEGRAM_API_BASE": telegram_api.base_url,
        "PARLEY_EXPERIMENTS": stack.env["PARLEY_EXPERIMENTS"],  # the file the stack's servers read
        "PARLEY_BRAND_DIR": str(brand),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "serve"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/health", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.5)
    yield Console(url, exports, process, log)
    process.terminate()
    process.wait(timeout=20)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A browser-like HTTP client: cookies kept, redirects visible."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode()

    def csrf(self, path: str = "/") -> str:
        _, _, page = self.request("GET", path)
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def login(self, email: str = EMAIL, password: str = PASSWORD) -> tuple[int, dict, str]:
        token = self.csrf("/login")
        return self.request("POST", "/login", {"csrf": token, "email": email, "password": password, "next": "/"})


@pytest.fixture
def client(console) -> Client:
    return Client(console.url)


@pytest.fixture
def logged_in(client) -> Client:
    status, headers, _ = client.login()
    assert status == 302, headers
    return client


# -- headless Chromium (Debian's package), driven by Playwright ----------------------------------------------

SCREENSHOTS = ROOT / "results" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("PARLEY_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


# Module scope, not session: Playwright's sync API keeps an event loop running in the main thread while it is
# open, and every later test that calls asyncio.run() would fail (CI saw seven do so).
@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true" or os.environ.get("PARLEY_REQUIRE_BROWSER"):
            pytest.fail("Chromium is not installed: `make test` installs Debian's chromium package")
        pytest.skip("no Chromium (make test installs it; or set PARLEY_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, console):
    context = browser.new_context(base_url=console.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page) -> None:
    page.goto("/")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
