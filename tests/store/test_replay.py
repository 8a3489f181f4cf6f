"""`python -m store replay`: the spool written while the database was down goes in, in order, without Rasa."""

import subprocess
import sys

from core.settings import PROJECT_ROOT, get_settings
from core.spool import Spool
from store.db import Database
from store.interactions import conversation_turns
from tests.conftest import turn_events


def test_replay_command_loads_a_spool(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_SPOOL", str(tmp_path / "spool.jsonl"))
    for event in turn_events("c3", "while down"):
        Spool(get_settings().spool_path).append(event)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    from store.__main__ import main
    from store.migrate import upgrade

    upgrade(url)
    assert main(["--url", url, "replay"]) == 0
    with Database(url).session() as session:
        assert [t.text for t in conversation_turns(session, "c3")] == ["while down"]
    assert not get_settings().spool_path.exists()


HEAVY = ("rasa", "tensorflow", "rasa_sdk")


def loaded_heavy_modules(code: str, tmp_path) -> list[str]:
    """Runs `code` in a fresh interpreter (cwd: the project) and lists the Rasa/TensorFlow modules it loaded."""
    script = tmp_path / "probe.py"
    script.write_text(
        code + "\nimport sys\nprint(sorted({m.split('.')[0] for m in sys.modules} & set(" + repr(HEAVY) + ")))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return eval(done.stdout.strip().splitlines()[-1])


def test_replay_never_loads_rasa(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    spool = tmp_path / "spool.jsonl"
    for event in turn_events("c4", "spooled"):
        Spool(spool).append(event)
    code = f"""
import os, sys
sys.path.insert(0, os.getcwd())
os.environ["PARLEY_SPOOL"] = {str(spool)!r}
from store.__main__ import main
from store.migrate import upgrade
upgrade({url!r})
assert main(["--url", {url!r}, "replay"]) == 0
"""
    assert loaded_heavy_modules(code, tmp_path) == []
    with Database(url).session() as session:
        assert [t.text for t in conversation_turns(session, "c4")] == ["spooled"]


def test_set_aside_events_are_listed_and_replayed_after_a_fix(tmp_path, monkeypatch, capsys):
    from core.events import BadEvent, set_aside
    from store.__main__ import main
    from store.migrate import upgrade

    monkeypatch.setenv("PARLEY_SPOOL", str(tmp_path / "spool.jsonl"))
    get_settings.cache_clear()
    dead = Spool(get_settings().dead_letter_path)
    good, bad = turn_events("c8", "fixed now")[0], {**turn_events("c8", "never")[0], "timestamp": "not a time"}
    for event in (good, bad):
        set_aside(dead, event, BadEvent("value too long"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    assert main(["--url", url, "dead-letters"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[:2] == ["c8\tuser\tBadEvent: value too long"] * 2 and "never" not in "".join(listed)
    assert main(["--url", url, "replay", "--dead-letters"]) == 0
    assert capsys.readouterr().out == "Wrote 1 set-aside event(s); 1 still cannot be stored.\n"
    with Database(url).session() as session:
        assert [t.text for t in conversation_turns(session, "c8")] == ["fixed now"]
    [left] = dead.read()
    assert left["event"]["text"] == "never" and left["error"].startswith("TypeError: ")
