"""Shared helpers for benchmarks: where the public data sets are, machine facts, and writing results."""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from core.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT
SHARED_DATA = Path(os.environ.get("PARLEY_SHARED_DATA", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "benchmarks" / "results"


def dataset(name: str) -> Path:
    """Folder of a shared data set, or exit cleanly (status 0) with a note when it is absent."""
    folder = SHARED_DATA / name
    if not folder.is_dir():
        print(f"skipped: data set {folder} not found (set PARLEY_SHARED_DATA)", file=sys.stderr)
        sys.exit(0)
    return folder


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import torch

    return {
        "date": datetime.date.today().isoformat(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_results(name: str, results: dict[str, Any]) -> Path:
    """Writes `benchmarks/results/<name>.json` with the machine facts, and returns the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **results}, indent=2) + "\n")
    print(f"\nwrote {path.relative_to(ROOT)}")
    return path


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain-text table for the terminal."""
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  ".join(_fmt(r.get(c)).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if value < 10 else f"{value:.1f}"
    return "" if value is None else str(value)
