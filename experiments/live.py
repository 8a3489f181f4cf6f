"""The experiments file as the running processes see it: re-read when it changes, never fatal when it is wrong.

The Rasa server (response wording) and the action server (rankers) both read the file the console writes; a
change (an experiment started, stopped or promoted) reaches them on their next reply, without a restart. An
invalid file runs no experiment at all, and says why in the log: a half-understood experiment would count people
in arms they never saw.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from experiments.definition import Experiment, ExperimentError, load_experiments

logger = logging.getLogger(__name__)


class ExperimentsFile:
    """One experiments file, cached by its modification time (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: float | None = None
        self._experiments: list[Experiment] = []

    def current(self) -> list[Experiment]:
        """The experiments as the file says now; none (and an error in the log) when it is invalid."""
        try:
            stamp = self.path.stat().st_mtime_ns if self.path.exists() else -1
        except OSError:
            stamp = -1
        with self._lock:
            if stamp == self._stamp:
                return self._experiments
            try:
                self._experiments = load_experiments(self.path)
            except (ExperimentError, OSError, ValueError) as error:
                logger.error("Experiments file %s is invalid, running none: %s", self.path, error)
                self._experiments = []
            self._stamp = stamp
            return self._experiments
