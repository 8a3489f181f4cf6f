"""Analytics: charts of the store's numbers, each downloadable as the CSV it was drawn from."""

from __future__ import annotations

import csv
import io

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console.charts import bars, hbars
from console.rendering import render
from store import analytics

analytics_routes = Blueprint("console_analytics")


def chart_for(name: str, rows: list[dict]) -> str:
    """The SVG for one metric."""
    if name == "messages":
        return bars(rows, "day", ["messages"], "Messages per day")
    if name == "sentiment":
        return bars(rows, "day", ["negative", "neutral", "positive"], "Sentiment per day")
    if name == "intents":
        return hbars(rows, "intent", "messages", "Top intents")
    if name == "handoffs":
        return hbars(rows, "state", "conversations", "Handoffs")
    if name == "recommendations":
        flat = [{"what": k, "count": v} for k, v in rows[0].items() if k != "click_rate"] if rows else []
        return hbars(flat, "what", "count", "Recommendations shown, clicked, dismissed")
    if name == "languages":
        return hbars(rows, "language", "messages", "Messages by language (30 days)")
    return hbars(rows, "segment", "customers", "Customer segments")


TITLES = {
    "messages": "Messages per day (and fallback rate)",
    "sentiment": "Sentiment over time",
    "intents": "Top intents",
    "handoffs": "Handoffs to a person",
    "recommendations": "Recommendation click rate",
    "segments": "Customer segments",
    "languages": "Languages customers write in",
}


@analytics_routes.get("/analytics")
async def analytics_page(request: Request) -> HTTPResponse:
    """Every chart, with its key figure and a CSV link."""
    with request.app.ctx.db.session() as session:
        data = {name: metric(session) for name, metric in analytics.METRICS.items()}
    messages = data["messages"]
    total = sum(r["messages"] for r in messages)
    fallbacks = sum(r["fallbacks"] for r in messages)
    summary = {
        "messages": f"{total} messages in 30 days; fallback rate {fallbacks / total:.1%}"
        if total
        else "No messages yet",
        "recommendations": f"click rate {data['recommendations'][0]['click_rate']:.1%}"
        if data["recommendations"]
        else "",
    }
    charts = [(name, TITLES[name], chart_for(name, rows), summary.get(name, "")) for name, rows in data.items()]
    return render(request, "analytics.html", charts=charts)


@analytics_routes.get("/analytics/csv/<name:str>")
async def analytics_csv(request: Request, name: str) -> HTTPResponse:
    """The numbers behind one chart."""
    metric = analytics.METRICS.get(name)
    if metric is None:
        return response.text("unknown metric", status=404)
    with request.app.ctx.db.session() as session:
        rows = metric(session)
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return response.text(
        out.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="parley-{name}.csv"'},
    )
