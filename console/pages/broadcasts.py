"""Broadcasts: write one, send it to every customer who said yes, and follow its progress and its clicks.

The console only queues the broadcast (`store.broadcasts.create_broadcast`); the broadcast job (`python -m
broadcasts worker`, started beside the console when a Telegram token is set) sends it, with each person's own
picks, within the brand's caps and quiet hours, and records every delivery. The page reads those records.
"""

from __future__ import annotations

import urllib.parse

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select

from console.rendering import render
from experiments.stats import ArmResult
from store import broadcasts as store
from store.schema import Broadcast, CatalogItem

broadcast_routes = Blueprint("console_broadcasts")


def _go(path: str, notice: str = "", error: str = "") -> HTTPResponse:
    query = urllib.parse.urlencode({k: v for k, v in {"notice": notice, "error": error}.items() if v})
    return response.redirect(path + (f"?{query}" if query else ""))


@broadcast_routes.get("/broadcasts")
async def broadcasts_page(request: Request) -> HTTPResponse:
    """Every broadcast with its progress, and the form to write one."""
    with request.app.ctx.db.session() as session:
        rows = list(session.execute(select(Broadcast).order_by(Broadcast.id.desc()).limit(100)).scalars())
        listed = [(b, store.progress(session, b.id)) for b in rows]
        items = session.execute(
            select(CatalogItem.id, CatalogItem.title).where(CatalogItem.active.is_(True)).order_by(CatalogItem.title)
        ).all()
        categories = sorted(
            c
            for (c,) in session.execute(select(CatalogItem.category).where(CatalogItem.active.is_(True)).distinct())
            if c
        )
        audience = len(store.audience(session))
    return render(
        request,
        "broadcasts.html",
        listed=listed,
        items=items,
        categories=categories,
        audience=audience,
        rankers=store.RANKERS,
        limit=store.MAX_MESSAGE_CHARS,
    )


@broadcast_routes.post("/broadcasts")
async def send(request: Request) -> HTTPResponse:
    """Queues the broadcast written in the form; the broadcast job sends it."""
    form = request.form
    try:
        with request.app.ctx.db.session() as session:
            broadcast = store.create_broadcast(
                session,
                form.get("message") or "",
                request.ctx.manager_email,
                variant_message=form.get("variant_message"),
                item_id=form.get("item_id"),
                category=form.get("category"),
                ranker=form.get("ranker") or "blend",
            )
            broadcast_id = broadcast.id
    except store.BroadcastError as error:
        return _go("/broadcasts", error=str(error))
    return _go(f"/broadcasts/{broadcast_id}", notice="Queued: the broadcast job is sending it.")


@broadcast_routes.get("/broadcasts/<broadcast_id:int>")
async def broadcast_page(request: Request, broadcast_id: int) -> HTTPResponse:
    """One broadcast: what it says, how far it got, why some were not sent, and the clicks per arm."""
    with request.app.ctx.db.session() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast is None:
            return render(request, "missing.html", status=404, what=f"broadcast {broadcast_id}")
        counts = store.progress(session, broadcast_id)
        reasons = store.skip_reasons(session, broadcast_id)
        arms = []
        for outcome in store.outcomes(session, broadcast_id):
            low, high = ArmResult(outcome.arm, outcome.sent, outcome.clicked).interval()
            arms.append((outcome, low, high))
        session.expunge(broadcast)
    return render(request, "broadcast.html", broadcast=broadcast, counts=counts, reasons=reasons, arms=arms)


@broadcast_routes.post("/broadcasts/<broadcast_id:int>/cancel")
async def cancel(request: Request, broadcast_id: int) -> HTTPResponse:
    """Stops a broadcast that is still going out: nobody not yet sent it gets it."""
    with request.app.ctx.db.session() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast is None:
            return render(request, "missing.html", status=404, what=f"broadcast {broadcast_id}")
        if broadcast.status in ("queued", "sending"):
            broadcast.status = "cancelled"
    return _go(f"/broadcasts/{broadcast_id}", notice="Cancelled: nobody else will get it.")
