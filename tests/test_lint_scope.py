"""`make lint` reads every source file: an exclusion meant for generated folders must not hide code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT


def test_ruff_reads_the_model_code_and_skips_generated_folders() -> None:
    ruff = Path(sys.executable).with_name("ruff")
    listed = subprocess.run([str(ruff), "check", "--show-files", "."], cwd=ROOT, capture_output=True, text=True)
    files = {Path(line.strip()).resolve().relative_to(ROOT).as_posix() for line in listed.stdout.splitlines() if line}
    assert {"nlu/models/encoder.py", "nlu/models/intent.py", "nlu/models/sentiment.py"} <= files
    assert not any(name.startswith((".venv/", "models/", "var/", ".rasa/")) for name in files)
