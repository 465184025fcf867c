"""Failures stay small: a panel that fails shows one short sentence, the page goes on, the log gets the traceback.

:func:`Guard` is an error boundary around a part of the page (a panel, the
whole page); :func:`guarded` wraps a button's or widget's handler. Neither
ever sends a traceback or an exception's text to the browser: exception
messages can quote input (a file's first line, a value typed), so the page
names only what failed, and the server's log holds the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import solara

from simulation.frontends.ui.controls import InvalidInput

logger = logging.getLogger("simulation.frontends.ui")

notice = solara.reactive("")
"""A short message for the user of this session (an input refused, an action that failed); '' when none.
Solara keeps a reactive variable per browser session."""


def short(what: str, exc: BaseException) -> str:
    """The sentence the page shows for a failure, and the traceback for the log."""
    logger.error("%s failed", what, exc_info=exc)
    return f"{what} failed ({type(exc).__name__}); the server's log has the details."


def guarded(what: str, handler: Callable[..., Any]) -> Callable[..., None]:
    """``handler`` that reports a refused input or a failure as a notice instead of raising into the page."""

    def call(*args: Any, **kwargs: Any) -> None:
        try:
            handler(*args, **kwargs)
        except InvalidInput as exc:
            logger.warning("refused input: %s", exc)
            notice.set(f"Not taken: {exc}.")
        except Exception as exc:
            notice.set(short(what, exc))

    return call


@solara.component
def Guard(children=(), what: str = "This part of the page", retry_on: Any = None):
    """Shows ``children``, or one short sentence if rendering them failed.

    ``retry_on``: when it changes (e.g. a new frame), the children are tried again.
    """
    exception, clear = solara.use_exception()

    def log() -> None:
        if exception is not None:
            logger.error("%s could not be drawn", what, exc_info=exception)

    def retry() -> None:
        if exception is not None:
            clear()

    solara.use_effect(log, [exception])
    solara.use_effect(retry, [retry_on])
    if exception is not None:
        solara.Warning(f"{what} could not be drawn ({type(exception).__name__}); the server's log has the details.",
                       classes=["me-failed"], dense=True)
        return
    solara.Div(children=list(children), classes=["me-guard"])
