"""The action server, warmed up before it listens: `python -m actions [--port 5055]`.

`rasa run actions` starts listening at once and builds the recommender (MiniLM, catalog embeddings) on the first
request that needs it, so the first customer waits seconds. This entry point builds it first, then runs rasa_sdk's
own server unchanged; a health check that answers therefore means a server ready to answer at full speed. It binds
to 127.0.0.1 unless `SANIC_HOST` says otherwise (rasa_sdk's default is every interface), and answers only calls that
carry the shared secret (`actions/server.py`).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import warnings

from core.settings import LOOPBACK, get_settings


def main(argv: list[str] | None = None) -> None:
    """Warms up the shared resources, then serves the actions package."""
    parser = argparse.ArgumentParser(prog="python -m actions", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=get_settings().action_port)
    args = parser.parse_args(argv)
    os.environ.setdefault("SANIC_HOST", LOOPBACK)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-8s %(name)s  - %(message)s")
    import sanic  # noqa: F401  (imported first: it resets the warning filters, which we then set)

    warnings.simplefilter("ignore", DeprecationWarning)
    from rasa_sdk.plugin import plugin_manager

    from actions.server import create_action_app
    from actions.settings import warm_up

    try:
        app = create_action_app(get_settings().action_token)
    except ValueError as error:
        raise SystemExit(f"{error} (make run sets one; see README, Configuration)") from None
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    start = time.perf_counter()
    warm_up()
    logging.getLogger("actions").info("Warmed up in %.1f s", time.perf_counter() - start)
    host = os.environ["SANIC_HOST"]
    logging.getLogger("actions").info("Action server on http://%s:%d (calls need the shared secret)", host, args.port)
    app.run(host, args.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
