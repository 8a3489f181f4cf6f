"""No work at import time: importing a module builds no hash, reads no setting and loads no model."""

import os
import subprocess
import sys

from core.settings import PROJECT_ROOT


def run(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import sys, os; sys.path.insert(0, os.getcwd())\n" + code],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def test_importing_the_account_store_computes_no_password_hash():
    assert run("import store.managers as m; print(m._dummy_hash.cache_info().currsize)") == "0"


def test_importing_the_action_settings_reads_no_environment():
    # a bad value only matters once the setting is used, not when the action server imports its modules
    code = "import actions.settings, core.settings as s; print(s.get_settings.cache_info().currsize)"
    assert run(code, PARLEY_COLLABORATIVE_REFRESH_S="every five minutes") == "0"
