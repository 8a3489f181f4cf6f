"""Where `make retrain` works: the project itself, or a scratch copy of it (experiments and tests)."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from core.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT
REVIEWED_PATTERNS = ("reviewed.yml", "reviewed")


@dataclass(frozen=True)
class Workspace:
    """Where the data, configuration and models live."""

    root: Path

    @property
    def data(self) -> Path:
        """Training data."""
        return self.root / "data"

    @property
    def models(self) -> Path:
        """Models, candidates and the registry."""
        return self.root / "models"

    @property
    def served(self) -> Path:
        """The model `make run` serves."""
        return self.models / "parley.tar.gz"

    @property
    def is_project(self) -> bool:
        """Whether this is the project itself (then the running bot is told about promotions)."""
        return self.root.resolve() == ROOT


def scratch_copy(destination: Path, source: Path = ROOT) -> Workspace:
    """A copy of what training and the gate read (config, domain, data, test stories) with the served model.

    Reviewed data and stories are left behind, so the copy starts from the authored training data.
    """
    for folder in ("domain", "data"):
        shutil.copytree(source / folder, destination / folder, ignore=shutil.ignore_patterns(*REVIEWED_PATTERNS))
    shutil.copytree(
        source / "tests" / "stories",
        destination / "tests" / "stories",
        ignore=shutil.ignore_patterns(*REVIEWED_PATTERNS),
    )
    shutil.copy(source / "config.yml", destination / "config.yml")
    (destination / "models").mkdir(parents=True)
    shutil.copy(source / "models" / "parley.tar.gz", destination / "models" / "parley.tar.gz")
    return Workspace(destination)


def retrain_command(workspace: Path, db_url: str, stories_dir: Path, *extra: str) -> list[str]:
    """The `python -m retrain` command line for a workspace and store (experiments and tests run it this way)."""
    return [
        sys.executable,
        "-m",
        "retrain",
        "--workspace",
        str(workspace),
        "--db",
        db_url,
        "--stories-dir",
        str(stories_dir),
        *extra,
    ]
