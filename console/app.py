"""The console's Sanic application: wiring the pages, the session check that guards every route, and the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console.auth import auth_routes, require_session
from console.rendering import templates
from console.settings import ConsoleSettings
from console.throttle import LoginThrottle
from core.settings import CONSOLE_MAX_REQUEST_BYTES
from store.db import Database

HERE = Path(__file__).resolve().parent


# No scripts at all, styles and images only from the console itself, never framed, forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


async def security_headers(request: Request, resp: HTTPResponse) -> None:
    """Response middleware: every answer is unframeable, unsniffable, and (but for static files) never cached."""
    resp.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"
    if not request.path.startswith("/static/"):
        resp.headers["Cache-Control"] = "no-store"


def create_app(settings: ConsoleSettings, name: str = "parley_console") -> Sanic:
    """The console app for `settings` (its own database connection pool)."""
    from console.pages.analytics import analytics_routes
    from console.pages.broadcasts import broadcast_routes
    from console.pages.conversation import conversation_routes
    from console.pages.experiments import experiment_routes
    from console.pages.inbox import inbox_routes

    app = Sanic(name)
    app.config.FORWARDED_SECRET = None
    app.config.REQUEST_MAX_SIZE = CONSOLE_MAX_REQUEST_BYTES
    app.ctx.settings = settings
    app.ctx.db = Database(settings.db_url)
    app.ctx.templates = templates()
    app.static("/static", str(HERE / "static"), name="static")
    app.ctx.login_throttle = LoginThrottle()
    app.middleware("request")(require_session)
    app.middleware("response")(security_headers)
    app.blueprint(auth_routes)
    app.blueprint(inbox_routes)
    app.blueprint(conversation_routes)
    app.blueprint(analytics_routes)
    app.blueprint(experiment_routes)
    app.blueprint(broadcast_routes)

    @app.get("/favicon.ico")
    async def favicon(_: Request) -> HTTPResponse:
        return response.empty()

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.listener("after_server_stop")
    async def close_db(app: Sanic, _loop: Any) -> None:
        app.ctx.db.dispose()

    return app
