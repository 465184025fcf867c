"""A Solara page for educators: watch missions gain momentum, burn out, meet resistance or lock in.

``serve()`` (the ``missions ui`` command) starts the page with ``solara run``
on the app module. Solara's JavaScript comes from its local asset cache,
filled from the npm registry at install time (``.ci/fill_solara_cdn.sh``);
telemetry and the PyPI version check are switched off, so the page runs
without a network.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys

APP = "simulation.frontends.ui.app"

SERVER_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports to mixpanel.com
    "SOLARA_ASSETS_PROXY": "True",  # serve /_solara/cdn from the local cache
    "SOLARA_THEME_SHOW_BANNER": "False",  # no "runs on Solara" banner over the charts
    "SOLARA_THEME_TITLE": "Mission ecosystems",  # the browser tab's title
}


UNPROTECTED = ("warning: the page has no authentication: anyone who can reach {host}:{port} can use it and run "
               "models on this computer; use it only on a network you trust (the default, 127.0.0.1, is this "
               "computer only)")


def is_loopback(host: str) -> bool:
    """True if ``host`` is reachable from this computer only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


def warn_if_exposed(host: str, port: int) -> None:
    """Say on stderr that the page has no authentication, when it listens beyond this computer."""
    if not is_loopback(host):
        print(UNPROTECTED.format(host=host, port=port), file=sys.stderr, flush=True)


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


__all__ = ["command", "is_loopback", "serve", "warn_if_exposed"]
