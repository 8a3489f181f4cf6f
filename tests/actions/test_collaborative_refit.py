"""The action server refits the collaborative signal in the background: a recommendation never waits for it."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from actions import settings


def test_a_due_refit_runs_beside_the_reply_and_only_one_at_a_time(monkeypatch):
    recommender = settings.get_recommender()
    assert recommender.collaborative.popularity.sum() == 0  # an empty log
    release = threading.Event()
    reads = []

    def slow_feedback_log(_session):
        reads.append(1)
        release.wait(30)
        return [SimpleNamespace(user_id=u, item_id="tent-ridgeline-2", kind="click") for u in (1, 2)]

    monkeypatch.setattr(settings, "feedback_log", slow_feedback_log)
    started: list[threading.Thread | None] = []
    caller = threading.Thread(target=lambda: started.append(settings.refresh_collaborative(recommender, force=True)))
    caller.start()
    caller.join(5)
    assert not caller.is_alive(), "refresh_collaborative waited for the refit"
    assert settings.refresh_collaborative(recommender, force=True) is None  # one refit at a time
    release.set()
    started[0].join(30)
    assert reads == [1]
    column = recommender.collaborative.index["tent-ridgeline-2"]
    assert recommender.collaborative.popularity[column] == 2.0


def test_a_failed_refit_keeps_the_previous_model_and_frees_the_next(monkeypatch):
    recommender = settings.get_recommender()
    before = recommender.collaborative

    def broken(_session):
        raise RuntimeError("feedback table gone")

    monkeypatch.setattr(settings, "feedback_log", broken)
    settings.refresh_collaborative(recommender, force=True).join(30)
    assert recommender.collaborative is before
    assert settings.refresh_collaborative(recommender, force=True) is not None
