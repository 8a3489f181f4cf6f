"""The plumbing every Parley graph component shares: construction, validation, and loading what it persisted.

Rasa builds a component with `create` for training and `load` for serving. Each of ours validates its config
first (failing loudly, before any model loads), keeps the config, storage and resource, and, when it persists
something, reads it back in `restore`; a model trained before the component existed has nothing stored, so the
component then runs untrained (a no-op, or its configured defaults) rather than failing to load.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from typing_extensions import Self

logger = logging.getLogger(__name__)


class ParleyComponent(GraphComponent):
    """A graph component with validated config and optional persisted state (see the module docstring)."""

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage | None = None, resource: Resource | None = None
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Raises Rasa's `InvalidConfigException` for settings that cannot work (default: every config is fine)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        """Validates the config and builds an untrained component; models load on first use."""
        cls.validate_config(config)
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        """Builds the component for serving and restores what `train` persisted, if anything.

        The config is not validated again: it was when the model was trained, and a trained model must load even
        when a file it was trained from (the sentiment head's JSON, say) is gone, because it carries its own copy.
        """
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                component.restore(directory)
        except ValueError:
            logger.debug("%s: nothing persisted in the model; it runs untrained", cls.__name__)
        component.ready()
        return component

    def restore(self, directory: Path) -> None:
        """Reads the state `train` wrote to `directory` (default: there is none)."""

    def ready(self) -> None:
        """Runs once after loading for serving, e.g. to warm a model up (default: nothing)."""
