"""`make train` retrains when anything the model is built from changes, the sentiment head's JSON included."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from core.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT


def fingerprint(project: Path) -> str:
    return subprocess.run(
        ["bash", str(project / "scripts" / "fingerprint.sh")], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_editing_a_committed_nlu_resource_changes_the_fingerprint(tmp_path) -> None:
    project = tmp_path / "project"
    for name in ("domain", "data", "nlu"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "fingerprint.sh", project / "scripts")
    for name in ("requirements.lock", "config.yml"):
        shutil.copy(ROOT / name, project)
    before = fingerprint(project)
    assert fingerprint(project) == before  # stable
    head = project / "nlu" / "resources" / "sentiment_head.json"
    head.write_text(head.read_text(encoding="utf-8").replace("0", "1", 1), encoding="utf-8")
    assert fingerprint(project) != before
