"""A small model registry: every trained candidate with its data hash, metrics, date and whether it was promoted.

Kept as `models/registry.json` (a list, newest last) next to the models. The promoted model is copied to
`models/parley.tar.gz`, the file `make run` serves, and a running server with the HTTP API on is told to load it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from core.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT
MODELS = ROOT / "models"
REGISTRY = MODELS / "registry.json"
SERVED = MODELS / "parley.tar.gz"


@dataclass
class Entry:
    """One trained model."""

    id: str
    path: str
    data_hash: str
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    metrics: dict[str, Any] = field(default_factory=dict)
    promoted: bool = False
    forced: bool = False
    reasons: list[str] = field(default_factory=list)
    added_examples: int = 0
    model_sha256: str = ""  # the model file's content, to recognise it once copied to be served
    heldout_hash: str = ""  # the held-out data its metrics were measured on


class Registry:
    """Reads and appends `models/registry.json`."""

    def __init__(self, path: Path = REGISTRY) -> None:
        self.path = path

    def entries(self) -> list[Entry]:
        """Every recorded model, oldest first."""
        if not self.path.exists():
            return []
        return [Entry(**raw) for raw in json.loads(self.path.read_text())]

    def record(self, entry: Entry) -> None:
        """Appends (or replaces, by id) an entry."""
        entries = [e for e in self.entries() if e.id != entry.id] + [entry]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps([asdict(e) for e in entries], indent=2) + "\n")
        tmp.replace(self.path)

    def evaluated(self, model_sha256: str, heldout_hash: str) -> Entry | None:
        """The newest entry for this model file whose metrics were measured on this held-out data, if any.

        Why: the served model was evaluated when it was a candidate; evaluation is deterministic, so re-running it
        on the same file and the same data would only repeat the numbers (about 100 s per model).
        """
        matches = [
            e for e in self.entries() if e.metrics and e.model_sha256 == model_sha256 and e.heldout_hash == heldout_hash
        ]
        return matches[-1] if matches and model_sha256 and heldout_hash else None

    def current(self) -> Entry | None:
        """The most recently promoted model, if the registry knows one."""
        promoted = [e for e in self.entries() if e.promoted]
        return promoted[-1] if promoted else None


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_hash(*paths: Path) -> str:
    """A short hash of files' names and contents; a folder stands for every YAML file under it."""
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def serve(model: Path, served: Path) -> None:
    """Makes `model` the one `make run` serves (atomic replace)."""
    tmp = served.with_suffix(".tmp")
    shutil.copyfile(model, tmp)
    tmp.replace(served)
