"""The inbox: conversations newest first, filtered and keyset-paged."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from console.rendering import render
from core.hours import CareHours
from store.conversations import InboxFilter, inbox, languages_seen, waiting_for_a_person
from store.moderation import STATES
from training.domain import domain_intents

inbox_routes = Blueprint("console_inbox")


def _bool(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _date(value: str | None, end: bool = False) -> datetime | None:
    """A yyyy-mm-dd filter as a UTC datetime (the end date includes its whole day)."""
    try:
        day = datetime.strptime(value or "", "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return day + timedelta(days=1) if end else day


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def filter_from(request: Request) -> InboxFilter:
    """The inbox filter from the query string (unknown or malformed values are ignored)."""
    a = request.args
    return InboxFilter(
        channel=a.get("channel") or None,
        surface=a.get("surface") or None,
        since=_date(a.get("since")),
        until=_date(a.get("until"), end=True),
        sentiment=a.get("sentiment") or None,
        intent=a.get("intent") or None,
        max_confidence=_float(a.get("max_confidence")),
        fallback=_bool(a.get("fallback")),
        handoff=a.get("handoff") or None,
        reviewed=_bool(a.get("reviewed")),
        flagged=_bool(a.get("flagged")),
        search=a.get("q") or None,
        language=a.get("language") or None,
        moderation=a.get("moderation") if a.get("moderation") in STATES else None,
    )


@inbox_routes.get("/")
async def inbox_page(request: Request) -> HTTPResponse:
    """The inbox with the filter form."""
    f = filter_from(request)
    with request.app.ctx.db.session() as session:
        page = inbox(session, f, cursor=request.args.get("after"))
        waiting = waiting_for_a_person(session)
        languages = languages_seen(session)
    params = {k: v for k, v in request.args.items() if k != "after"}
    args = {k: v[0] if isinstance(v, list) else v for k, v in params.items()}
    return render(
        request,
        "inbox.html",
        page=page,
        args=args,
        intents=domain_intents(request.app.ctx.settings.domain_dir),
        waiting=waiting,
        languages=languages,
        team=team_status(request.app.ctx.settings.brand_dir),
    )


def team_status(brand_dir: Path) -> str:
    """Whether the team is in now, or when it is back, by the brand file's opening hours (`core.hours`)."""
    try:
        raw = yaml.safe_load((brand_dir / "brand.yml").read_text(encoding="utf-8")) or {}
        back = CareHours.parse(raw.get("care_hours")).back_phrase(datetime.now(timezone.utc))
    except (OSError, ValueError, yaml.YAMLError) as error:
        return f"Opening hours unreadable ({error})."
    return "The team is in now." if back is None else f"The team is away: back {back}."
