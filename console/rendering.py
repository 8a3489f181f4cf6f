"""Page rendering for the console: one Jinja2 environment, and the context every page needs.

Its own module so that the pages (`console/pages/`) and the app that wires them both import it, never each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

HERE = Path(__file__).resolve().parent


def templates() -> Environment:
    """Jinja2 with autoescaping on for every template: customer text always renders as text."""
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    """A page, with the manager, CSRF token and notices every page needs.

    Notices come from the query string (the console's own redirects set them), so they are shown only to a
    manager with a session: a link to the login page cannot put words in the console's mouth.
    """
    manager = getattr(request.ctx, "manager_email", None)
    page = request.app.ctx.templates.get_template(template).render(
        manager=manager,
        csrf=getattr(request.ctx, "csrf", ""),
        notice=request.args.get("notice") if manager else None,
        error=request.args.get("error") if manager else None,
        path=request.path,
        **context,
    )
    return response.html(page, status=status)
