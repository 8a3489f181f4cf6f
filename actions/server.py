"""The action server's web app: rasa_sdk's own, behind a shared secret and without CORS.

rasa_sdk 3.6 has no authentication: anyone who reaches its port can POST a tracker naming any customer and run
`action_show_my_data` or `action_delete_my_data` for them. Parley's Rasa server sends a secret header on every call
(`endpoints.yml`, `PARLEY_ACTION_TOKEN`); this app refuses any other request to `/webhook` and `/actions` with 401.
`/health` stays open, for load balancers. Browsers get no CORS headers: nothing but the Rasa server calls it.
"""

from __future__ import annotations

import hmac
import logging

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core.settings import ACTION_MAX_REQUEST_BYTES, ACTION_TOKEN_HEADER

logger = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/health"})


def create_action_app(token: str) -> Sanic:
    """rasa_sdk's app for the `actions` package, refusing calls that lack `token`.

    Raises:
        ValueError: `token` is empty (an action server without a secret must not start).
    """
    if not token:
        raise ValueError("PARLEY_ACTION_TOKEN is empty: the action server refuses to run without a shared secret")
    app = create_app("actions", cors_origins=None)
    app.config.REQUEST_MAX_SIZE = ACTION_MAX_REQUEST_BYTES  # trackers grow with the conversation; 413 past this

    @app.on_request
    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if hmac.compare_digest(request.headers.get(ACTION_TOKEN_HEADER, ""), token):
            return None
        logger.warning("Refused an action call without the shared secret from %s", request.ip)
        return response.json({"error": "this action server only answers its Rasa server"}, status=401)

    return app
