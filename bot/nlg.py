"""Rasa's responses, with a response experiment's wording for the people in its arms.

Configured in `endpoints.yml` (`nlg: type: bot.nlg.ExperimentNLG`). For a response with no experiment it is
Rasa's own templated generator (variations, conditions, channels, slot filling). When a running experiment
targets the response, the person (`core.identity.Identity.person`, from the tracker's latest message) is
assigned an arm; a variant arm's text replaces the chosen variation's text (buttons and the rest are kept, slots
are filled in it), and the reply's metadata names the arm (`core.events.EXPOSURES_KEY`), so the interaction log
counts the exposure with its turn. A stopped experiment answers with the control; a promoted one with the winner.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from core.events import EXPOSURES_KEY
from core.identity import identity_from
from core.settings import get_settings
from experiments.assignment import arm_for
from experiments.live import ExperimentsFile


class ExperimentNLG(TemplatedNaturalLanguageGenerator):
    """Rasa's templated responses, with running response experiments applied per person."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None) -> None:
        super().__init__(domain.responses if domain else {})
        configured = endpoint_config.kwargs.get("experiments") if endpoint_config else None
        self.experiments = ExperimentsFile(Path(configured) if configured else get_settings().experiments_file)
        self.clock = lambda: datetime.now(timezone.utc)

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> dict[str, Any] | None:
        """The response for `utter_action`, in the person's arm's wording when an experiment targets it."""
        filled_slots = tracker.current_slot_values()
        chosen = self._random_response_for(utter_action, output_channel, filled_slots)
        if chosen is None:
            return None
        response = copy.deepcopy(chosen)
        for experiment in self.experiments.current():
            if experiment.varies != "response" or experiment.target != utter_action:
                continue
            metadata = tracker.latest_message.metadata if tracker.latest_message else None
            person = identity_from(tracker.sender_id, tracker.get_latest_input_channel(), metadata).person
            arm, exposed = arm_for(experiment, person, self.clock())
            if arm.value is not None:
                response["text"] = arm.value
            if exposed:
                response[EXPOSURES_KEY] = {experiment.id: arm.name}
            break
        return self._fill_response(response, filled_slots, **kwargs)
