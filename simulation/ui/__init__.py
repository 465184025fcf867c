"""A Solara page for educators: watch missions gain momentum, burn out, meet resistance or lock in.

``serve()`` (the ``missions ui`` command) starts the page with ``solara run``
on the app module. Solara's JavaScript comes from its local asset cache,
filled from the npm registry at install time (``.ci/fill_solara_cdn.sh``);
telemetry and the PyPI version check are switched off, so the page runs
without a network.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

APP = "simulation.ui.app"

SERVER_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports to mixpanel.com
    "SOLARA_ASSETS_PROXY": "True",  # serve /_solara/cdn from the local cache
    "SOLARA_THEME_SHOW_BANNER": "False",  # no "runs on Solara" banner over the charts
    "SOLARA_THEME_TITLE": "Mission ecosystems",  # the browser tab's title
}


def command(host: str = "127.0.0.1", port: int = 8765) -> list[str]:
    """The ``solara run`` command line that serves the page."""
    return [sys.executable, "-m", "solara", "run", APP, "--host", host, "--port", str(port),
            "--production", "--no-open", "--no-check-version", "--log-level", "warning"]


def environment() -> dict[str, str]:
    return {**os.environ, **SERVER_ENV}


def serve(host: str = "127.0.0.1", port: int = 8765) -> int:
    """Serve the page on ``host``:``port`` until interrupted (Ctrl-C or SIGTERM); returns the exit status."""
    print(f"Mission ecosystems UI on http://{host}:{port} (Ctrl-C stops it)", flush=True)
    process = subprocess.Popen(command(host, port), env=environment())
    stopped = []

    def stop(signum: int, frame: object) -> None:
        stopped.append(signum)
        process.terminate()

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: no handler, the caller stops the server
        previous = None
    try:
        code = process.wait()
    except KeyboardInterrupt:  # the server got the Ctrl-C too and is shutting down
        stopped.append(signal.SIGINT)
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0 if stopped else code


__all__ = ["command", "serve"]
