"""Experiments in the console, in headless Chromium: define one, read its results, promote the winner.

The experiment runs on the shared stack (both servers read the file the console writes), so its results page
counts real conversations. A screenshot of the results page is kept for the README (docs/experiment-results.png
is a copy of one).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from core.identity import identity_from
from experiments.assignment import assign
from experiments.definition import load_experiments
from store.db import Database
from store.schema import Exposure
from tests.conftest import plain_variations
from tests.console.conftest import SCREENSHOTS, log_in

pytestmark = pytest.mark.integration

WARM = "Hey there, great to see you! Tents, boots or stoves: what are you after?"


def define(page, variant_share: str) -> None:
    """Fills the new-experiment form: a warmer greeting against the domain's, measured by handoffs, and saves."""
    page.fill("input[name=id]", "welcome-wording")
    page.select_option("#varies", "response")
    page.select_option("#target", "utter_greet")
    page.select_option("#metric", "handoff_rate")
    page.fill("input[name=variant_name]", "warm")
    page.fill("input[name=control_share]", "0.5")
    page.fill("input[name=variant_share]", variant_share)
    page.fill("textarea[name=variant_value]", WARM)
    page.click("#start-experiment")


def test_a_manager_defines_an_experiment_reads_its_results_and_promotes_the_winner(page, stack, console):
    path = Path(stack.env["PARLEY_EXPERIMENTS"])
    try:
        log_in(page)
        page.click("nav >> text=Experiments")
        page.wait_for_url("**/experiments")
        assert page.locator("main p").first.inner_text() == "No experiments yet."

        define(page, variant_share="0.4")
        page.wait_for_url("**/experiments?error=**")
        assert (
            page.locator(".error").inner_text() == "experiment welcome-wording: the arms' shares add up to 0.9, not 1"
        )
        define(page, variant_share="0.5")
        page.wait_for_url("**/experiments/welcome-wording?notice=**")
        [saved] = load_experiments(path)
        assert (saved.id, saved.target, saved.arms[1].value, saved.status) == (
            "welcome-wording",
            "utter_greet",
            WARM,
            "running",
        )

        # customers arrive: each greets; every third asks for a person
        arms, asked = {}, set()
        for n in range(24):
            sender = f"exp-console-{n}"
            arms[sender] = assign(saved, identity_from(sender, "rest", {}).person).name
            _, replies = stack.say(sender, "hello")
            assert (replies[0]["text"] == WARM) == (arms[sender] == "warm")
            if n % 3 == 0:
                stack.say(sender, "can I talk to a human")
                asked.add(sender)
        stack.settle()
        sentinel = f"zz-settle-{stack._settled}"  # settling greets too, so it is a person in the experiment
        arms[sentinel] = assign(saved, identity_from(sentinel, "rest", {}).person).name

        page.reload()
        shown = {
            name: (
                int(page.locator(f"#arm-{name} td.people").inner_text()),
                int(page.locator(f"#arm-{name} td.successes").inner_text()),
            )
            for name in ("control", "warm")
        }
        assert shown == {
            name: (list(arms.values()).count(name), sum(1 for s in asked if arms[s] == name))
            for name in ("control", "warm")
        }
        assert page.locator("#verdict").inner_text().startswith("Not significant yet (smallest p = ")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "experiment-results.png"), full_page=True)

        page.click("#promote-warm")
        page.wait_for_url("**notice=**")
        assert page.locator(".notice").inner_text() == "Promoted warm: everyone gets it from now on."
        assert yaml.safe_load(path.read_text())["experiments"][0]["winner"] == "warm"
        # a control person the bot still talks to (asking for a person pauses the bot until a manager hands back)
        control_person = next(s for s, arm in arms.items() if arm == "control" and s not in asked and s != sentinel)
        _, replies = stack.say(control_person, "hello")
        assert replies[0]["text"] == WARM  # promoted: everyone, control people too
        stack.settle()
        with Database(stack.db_url).session() as session:
            exposures = session.execute(select(Exposure.id).where(Exposure.experiment == "welcome-wording")).all()
        assert len(exposures) == 25  # the 24 and the sentinel; the promoted greeting counted nobody
    finally:
        path.unlink(missing_ok=True)
    _, replies = stack.say("exp-console-after", "hello")
    assert replies[0]["text"] in plain_variations("utter_greet")
