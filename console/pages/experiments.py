"""Experiments: define one, read its results (rates, intervals, verdict, sample ratio), stop it, promote a winner.

The experiments live in one YAML file (`PARLEY_EXPERIMENTS`, default `brand/experiments.yml`) that the Rasa
server (response wording) and the action server (rankers) re-read when it changes: the console is an editor of
that file, so a brand can also keep it in version control and edit it by hand.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from datetime import datetime, timedelta, timezone
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console.rendering import render
from experiments.definition import (
    METRICS,
    RANKERS,
    VARIES,
    Experiment,
    ExperimentError,
    dump_experiments,
    load_experiments,
    parse_experiment,
)
from experiments.results import METRIC_NAMES, results
from training.domain import domain_responses

experiment_routes = Blueprint("console_experiments")
# One writer at a time: the file is read, changed and written back whole.
_writing = asyncio.Lock()


def _go(path: str, notice: str = "", error: str = "") -> HTTPResponse:
    query = urllib.parse.urlencode({k: v for k, v in {"notice": notice, "error": error}.items() if v})
    return response.redirect(path + (f"?{query}" if query else ""))


def _page_of(experiment_id: str) -> str:
    return "/experiments/" + urllib.parse.quote(experiment_id, safe="")


def _load(request: Request) -> list[Experiment]:
    return load_experiments(request.app.ctx.settings.experiments_file)


def _moment(value: str | None, field: str) -> str:
    """A `datetime-local` form value (read as UTC) as the ISO time the file holds."""
    if not value:
        raise ExperimentError(f"the {field} is missing")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ExperimentError(f"the {field} is not a date and time: {value!r}") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).isoformat()


def _number(value: str | None, field: str) -> float:
    try:
        return float(value or "")
    except ValueError:
        raise ExperimentError(f"the {field} is not a number: {value!r}") from None


def experiment_from_form(form: Any) -> Experiment:
    """The experiment a manager described in the form (validated exactly as the file is).

    Raises:
        ExperimentError: a missing or invalid field, named.
    """
    varies = form.get("varies")
    raw: dict[str, Any] = {
        "id": (form.get("id") or "").strip(),
        "varies": varies,
        "metric": form.get("metric"),
        "start": _moment(form.get("start"), "start"),
        "end": _moment(form.get("end"), "end"),
        "arms": [
            {"name": "control", "share": _number(form.get("control_share"), "control's share")},
            {
                "name": (form.get("variant_name") or "variant").strip(),
                "share": _number(form.get("variant_share"), "variant's share"),
                "value": (form.get("variant_value") or "").strip() or None,
            },
        ],
    }
    if varies == "response":
        raw["target"] = form.get("target")
    if form.get("sample_per_arm"):
        raw["sample_per_arm"] = int(_number(form.get("sample_per_arm"), "planned sample per arm"))
    experiment = parse_experiment(raw)
    if experiment.arms[1].value is None:
        raise ExperimentError(f"experiment {experiment.id}: the variant needs its wording (or its ranker)")
    return experiment


@experiment_routes.get("/experiments")
async def experiments_page(request: Request) -> HTTPResponse:
    """Every experiment, and the form to start one."""
    settings = request.app.ctx.settings
    try:
        experiments, problem = _load(request), ""
    except ExperimentError as error:
        experiments, problem = [], f"The experiments file is invalid, so none is running: {error}"
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0, tzinfo=None)
    return render(
        request,
        "experiments.html",
        experiments=experiments,
        problem=problem,
        now=datetime.now(timezone.utc),
        responses=domain_responses(settings.domain_dir),
        metrics=METRICS,
        metric_names=METRIC_NAMES,
        varies=VARIES,
        rankers=RANKERS,
        default_start=now.isoformat(timespec="minutes"),
        default_end=(now + timedelta(days=14)).isoformat(timespec="minutes"),
    )


@experiment_routes.post("/experiments")
async def create(request: Request) -> HTTPResponse:
    """Starts the experiment described in the form."""
    async with _writing:
        try:
            experiment = experiment_from_form(request.form)
            current = _load(request)
            if any(e.id == experiment.id for e in current):
                raise ExperimentError(f"experiment {experiment.id}: an experiment with that id exists")
            if experiment.varies == "response" and experiment.target not in domain_responses(
                request.app.ctx.settings.domain_dir
            ):
                raise ExperimentError(
                    f"experiment {experiment.id}: {experiment.target!r} is not a response of this bot"
                )
            dump_experiments(request.app.ctx.settings.experiments_file, [*current, experiment])
        except ExperimentError as error:
            return _go("/experiments", error=str(error))
    return _go(_page_of(experiment.id), notice=f"Experiment {experiment.id} saved; people are assigned from its start.")


@experiment_routes.get("/experiments/<experiment_id:str>")
async def results_page(request: Request, experiment_id: str) -> HTTPResponse:
    """One experiment's results: each arm's people, rate and interval, the verdict and its warnings."""
    experiment_id = urllib.parse.unquote(experiment_id)
    try:
        experiment = next((e for e in _load(request) if e.id == experiment_id), None)
    except ExperimentError as error:
        return _go("/experiments", error=str(error))
    if experiment is None:
        return render(request, "missing.html", status=404, what=f"experiment {experiment_id}")
    with request.app.ctx.db.session() as session:
        found = results(session, experiment)
    return render(
        request,
        "experiment.html",
        found=found,
        experiment=experiment,
        running=experiment.is_running(datetime.now(timezone.utc)),
        metric_name=METRIC_NAMES[experiment.metric],
    )


async def _change(request: Request, experiment_id: str, **changes: Any) -> HTTPResponse | Experiment:
    experiment_id = urllib.parse.unquote(experiment_id)
    async with _writing:
        try:
            current = _load(request)
            found = next((e for e in current if e.id == experiment_id), None)
            if found is None:
                return render(request, "missing.html", status=404, what=f"experiment {experiment_id}")
            changed = parse_experiment({**found.as_dict(), **changes})
            dump_experiments(
                request.app.ctx.settings.experiments_file, [changed if e.id == found.id else e for e in current]
            )
        except ExperimentError as error:
            return _go(_page_of(experiment_id), error=str(error))
    return changed


@experiment_routes.post("/experiments/<experiment_id:str>/stop")
async def stop(request: Request, experiment_id: str) -> HTTPResponse:
    """Stops assigning people: everyone gets the control from now on."""
    changed = await _change(request, experiment_id, status="stopped")
    if isinstance(changed, HTTPResponse):
        return changed
    return _go(_page_of(changed.id), notice="Stopped: everyone gets the control; the results stay.")


@experiment_routes.post("/experiments/<experiment_id:str>/promote")
async def promote(request: Request, experiment_id: str) -> HTTPResponse:
    """Stops the experiment and gives everyone the chosen arm."""
    arm = request.form.get("arm") or ""
    changed = await _change(request, experiment_id, status="stopped", winner=arm)
    if isinstance(changed, HTTPResponse):
        return changed
    return _go(_page_of(changed.id), notice=f"Promoted {arm}: everyone gets it from now on.")
