"""Rasa's command line, started quietly: `python -m bot.cli train ...` is `rasa train ...` without the noise.

Why: importing Sanic installs `filterwarnings("once", DeprecationWarning)`, which overrides `PYTHONWARNINGS=ignore`
and lets a screenful of third-party deprecation warnings (TensorFlow, Keras, jax) through on every start. We import
Sanic first, drop that one filter, then hand over to Rasa's own entry point unchanged.
"""

from __future__ import annotations

import sys
import warnings


def quiet_deprecations() -> None:
    """Removes Sanic's import-time "once" filter for DeprecationWarning, unless the user asked for warnings."""
    import sanic.app  # noqa: F401  (imported for its side effect on the warning filters)

    if sys.warnoptions and sys.warnoptions != ["ignore"]:
        return
    warnings.filters[:] = [
        f for f in warnings.filters if not (f[0] == "once" and f[2] is DeprecationWarning and f[3] is None)
    ]
    warnings.simplefilter("ignore", DeprecationWarning)
    with warnings.catch_warnings():
        # matplotlib (imported by Rasa's evaluation code) trips pyparsing's deprecation warnings on first use.
        warnings.simplefilter("ignore")
        import matplotlib.font_manager
        import matplotlib.mathtext  # noqa: F401


def main() -> None:
    """Runs `rasa` with the arguments given to this module."""
    quiet_deprecations()
    from rasa.__main__ import main as rasa_main

    from bot import action_calls

    action_calls.install()  # the action server gets the recent turns, not the whole conversation

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
