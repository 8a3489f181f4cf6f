"""Logging in and out, the session check in front of every route, and CSRF protection for every form.

Sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure when `PARLEY_CONSOLE_SECURE_COOKIES=1`,
i.e. behind HTTPS); the database keeps only its hash, with an expiry. Every POST must carry the session's CSRF
token (the login form uses a double-submit cookie, since there is no session yet).
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import urllib.parse

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console.rendering import render
from console.throttle import LoginThrottle
from store.db import Database
from store.managers import SESSION_LIFETIME, authenticate, close_session, find_session, open_session

SESSION_COOKIE = "parley_session"
LOGIN_CSRF_COOKIE = "parley_login_csrf"
PUBLIC_PATHS = frozenset({"/login", "/health", "/favicon.ico"})
PUBLIC_PREFIX = "/static/"

auth_routes = Blueprint("console_auth")


def _cookie(resp: HTTPResponse, request: Request, name: str, value: str, max_age: int) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = max_age
    if request.app.ctx.settings.secure_cookies:
        cookie["secure"] = True


def csrf_ok(request: Request, expected: str) -> bool:
    """Whether the form's `csrf` field matches (constant-time)."""
    given = (request.form.get("csrf") if request.form else None) or ""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


async def require_session(request: Request) -> HTTPResponse | None:
    """Request middleware: a live session for every non-public route, and a valid CSRF token on every POST."""
    if request.path in PUBLIC_PATHS or request.path.startswith(PUBLIC_PREFIX):
        return None
    with request.app.ctx.db.session() as session:
        found = find_session(session, request.cookies.get(SESSION_COOKIE))
        if found is not None:
            row, manager = found
            request.ctx.manager_email = manager.email
            request.ctx.csrf = row.csrf_token
    if found is None:
        target = request.path + (f"?{request.query_string}" if request.query_string else "")
        return response.redirect("/login?" + urllib.parse.urlencode({"next": target}))
    if request.method == "POST" and not csrf_ok(request, request.ctx.csrf):
        return response.text("This form has expired. Go back, reload the page and try again.", status=403)
    return None


def local_path(target: str | None) -> str:
    """`target` if it is a path in the console, else "/": the console never redirects elsewhere.

    "//host" and a slash then a backslash are other sites to a browser, so only a single slash followed by something
    else counts.
    """
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\") or any(c in target for c in "\r\n"):
        return "/"
    return target


def _check_password(database: Database, email: str, password: str) -> str | None:
    """Runs in a worker thread: Argon2 takes 64 MiB and ~150 ms per check here; the event loop must not wait."""
    with database.session() as session:
        manager = authenticate(session, email, password)
        if manager is None:
            return None
        token, _ = open_session(session, manager)
        return token


@auth_routes.get("/login")
async def login_page(request: Request) -> HTTPResponse:
    """The login form (with a fresh double-submit CSRF token)."""
    # Reuse the browser's token if it has one: a second load (another tab, the favicon's redirect) must not
    # invalidate the form already on screen.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    request.ctx.csrf = token
    resp = render(request, "login.html", next=local_path(request.args.get("next")))
    _cookie(resp, request, LOGIN_CSRF_COOKIE, token, 3600)
    return resp


@auth_routes.post("/login")
async def login(request: Request) -> HTTPResponse:
    """Checks the password; on success opens a session and goes where the manager was headed."""
    if not csrf_ok(request, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        return response.redirect("/login?error=" + urllib.parse.quote("The form expired; please try again."))
    email = (request.form.get("email") or "")[:255]
    password = (request.form.get("password") or "")[:1024]
    throttle: LoginThrottle = request.app.ctx.login_throttle
    address = request.ip or "unknown"
    wait = throttle.begin(email, address)
    if wait:
        request.ctx.csrf = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        page = render(
            request,
            "login.html",
            status=429,
            next=local_path(request.form.get("next")),
            login_error=f"Too many failed logins. Try again in {int(wait // 60) + 1} minute(s).",
        )
        page.headers["Retry-After"] = str(int(wait))
        return page
    token = await asyncio.to_thread(_check_password, request.app.ctx.db, email, password)
    if token is None:
        request.ctx.csrf = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        return render(
            request,
            "login.html",
            status=401,
            next=local_path(request.form.get("next")),
            login_error="Wrong email or password.",
        )
    throttle.succeeded(email, address)
    resp = response.redirect(local_path(request.form.get("next")))
    _cookie(resp, request, SESSION_COOKIE, token, int(SESSION_LIFETIME.total_seconds()))
    return resp


@auth_routes.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    """Ends the session."""
    with request.app.ctx.db.session() as session:
        close_session(session, request.cookies.get(SESSION_COOKIE))
    resp = response.redirect("/login")
    _cookie(resp, request, SESSION_COOKIE, "", 0)
    return resp
