"""Response experiments in Rasa's generator: the person's arm words the reply, and the reply says which arm."""

from __future__ import annotations

from datetime import datetime, timezone

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.nlg import ExperimentNLG
from core.identity import identity_from
from experiments.assignment import assign
from experiments.definition import load_experiments

DOMAIN = Domain.from_dict(
    {
        "slots": {"name": {"type": "text", "mappings": [{"type": "custom"}]}},
        "responses": {
            "utter_greet": [{"text": "Hello! How can I help?", "buttons": [{"title": "Tents", "payload": "/tents"}]}],
            "utter_bye": [{"text": "Bye!"}],
        },
    }
)
WARM = "Hey {name}, great to see you!"


def _file(tmp_path, extra: str = "") -> str:
    path = tmp_path / "experiments.yml"
    path.write_text(
        "experiments:\n"
        "  - id: greeting-warmth\n"
        "    varies: response\n"
        "    target: utter_greet\n"
        "    metric: handoff_rate\n"
        "    start: 2026-01-01T00:00:00Z\n"
        "    end: 2099-01-01T00:00:00Z\n"
        "    arms:\n"
        "      - {name: control, share: 0.5}\n"
        f"      - {{name: warm, share: 0.5, value: '{WARM}'}}\n" + extra,
        encoding="utf-8",
    )
    return str(path)


def _tracker(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(
        sender, [UserUttered("hi", {"name": "greet"}, input_channel="telegram_ptb", metadata={"user_id": "42"})]
    )
    tracker.update(SlotSet("name", "Ana"))
    return tracker


async def test_each_person_gets_their_arms_wording_and_the_reply_names_the_arm(tmp_path):
    path = _file(tmp_path)
    nlg = ExperimentNLG(EndpointConfig(experiments=path), DOMAIN)
    [experiment] = load_experiments(tmp_path / "experiments.yml")
    seen = {}
    for n in range(40):
        sender = f"tg-{n}"
        tracker = DialogueStateTracker.from_events(
            sender, [UserUttered("hi", {"name": "greet"}, input_channel="telegram_ptb", metadata={"user_id": f"u{n}"})]
        )
        tracker.update(SlotSet("name", "Ana"))
        response = await nlg.generate("utter_greet", tracker, "telegram")
        arm = assign(experiment, identity_from(sender, "telegram_ptb", {"user_id": f"u{n}"}).person)
        expected = "Hey Ana, great to see you!" if arm.name == "warm" else "Hello! How can I help?"
        assert response["text"] == expected
        assert response["buttons"] == [{"title": "Tents", "payload": "/tents"}]
        assert response["parley_experiments"] == {"greeting-warmth": arm.name}
        seen[arm.name] = seen.get(arm.name, 0) + 1
    assert set(seen) == {"control", "warm"}
    bye = await nlg.generate("utter_bye", _tracker("tg-1"), "telegram")
    assert bye == {"text": "Bye!"}  # not targeted: Rasa's own response, no exposure


async def test_promoted_and_stopped_experiments_count_nobody(tmp_path):
    promoted = ExperimentNLG(EndpointConfig(experiments=_file(tmp_path, "    winner: warm\n")), DOMAIN)
    response = await promoted.generate("utter_greet", _tracker("tg-9"), "telegram")
    assert response["text"] == "Hey Ana, great to see you!" and "parley_experiments" not in response
    stopped = ExperimentNLG(EndpointConfig(experiments=_file(tmp_path, "    status: stopped\n")), DOMAIN)
    stopped.clock = lambda: datetime(2030, 1, 1, tzinfo=timezone.utc)
    response = await stopped.generate("utter_greet", _tracker("tg-9"), "telegram")
    assert response["text"] == "Hello! How can I help?" and "parley_experiments" not in response
