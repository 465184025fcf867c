"""One browser session's model and its play loop: Step, Play at a speed, Pause, Reset.

The :class:`Player` is the only code that touches the live model. It steps
it under a lock, takes a :class:`~simulation.frontends.ui.frame.Frame` after each
batch of months, and tells its listeners the frame's number; the page then
draws the latest frame. Renders never read the live model, so a render that
runs while the play loop is inside a step still sees one consistent month.

Playing runs on a thread of its own. Every play loop belongs to one
*generation*; Pause, Reset, a new preset and closing the page start a new
generation, and a loop of an old generation stops before its next month.
So an old loop can never step the next model (the "ghost run" of a loop
that outlives its preset), and at most one loop steps a model at a time.

No Solara here: the page adapts the listener to its render context.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from simulation.frontends.ui.frame import Frame
from simulation.frontends.ui.model import UIModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Speed:
    """How fast Play runs the months."""

    label: str
    months_per_second: float | None  # None: as fast as the machine allows
    description: str


SPEEDS: dict[str, Speed] = {
    "slow": Speed("Slow", 1.0, "one month a second"),
    "normal": Speed("Normal", 4.0, "four months a second"),
    "fast": Speed("Fast", 12.0, "twelve months a second"),
    "fastest": Speed("Fastest", None, "as fast as the computer can"),
}
DEFAULT_SPEED = "normal"

FRAME_SECONDS = 0.1
"""At the fastest speed, months are stepped for this long before a frame is shown (about ten frames a second)."""

FAILED = "The run stopped: the model failed in month {month}. The server's log has the details; press Reset."


class Player:
    """Steps one model, by hand or in a play loop, and publishes a frame after each batch of months."""

    def __init__(self, model: UIModel) -> None:
        self._lock = threading.Lock()  # held while the model steps or is copied
        self._model = model
        self._generation = 0  # a play loop runs only while its generation is current
        self._stop = threading.Event()  # wakes the current loop from its pause between months
        self._thread: threading.Thread | None = None
        self._playing = False
        self._closed = False
        self._seq = 0
        self._listeners: list[Callable[[int], None]] = []
        self._published = threading.Lock()  # guards _latest and _listeners
        self._latest = Frame.of(model)

    # ------------------------------------------------------------------ what the page reads
    @property
    def latest(self) -> Frame:
        """The newest frame: what the page shows now."""
        with self._published:
            return self._latest

    @property
    def playing(self) -> bool:
        return self._playing

    def listen(self, listener: Callable[[int], None]) -> Callable[[], None]:
        """Call ``listener(seq)`` after each new frame; returns a function that stops the calls."""
        with self._published:
            self._listeners.append(listener)

        def unlisten() -> None:
            with self._published:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unlisten

    # ------------------------------------------------------------------ what the buttons do
    def step(self, months: int = 1) -> None:
        """Advance ``months`` months by hand; ignored while playing (the page disables Step then)."""
        with self._lock:
            if self._playing or self._closed:
                return
            error = self._advance(months)
            frame = self._take(error)
        self._publish(frame)

    def play(self, speed: str = DEFAULT_SPEED) -> None:
        """Run months on a thread of this player at ``speed`` (a key of :data:`SPEEDS`) until paused or done."""
        rate = SPEEDS[speed].months_per_second
        with self._lock:
            if self._closed or not self._model.running:
                return
            generation = self._new_generation()
            self._playing = True
            stop = self._stop = threading.Event()
            frame = self._take()
            self._thread = threading.Thread(target=self._loop, args=(generation, rate, stop), daemon=True,
                                            name=f"missions-play-{id(self):x}-{generation}")
            self._thread.start()
        self._publish(frame)

    def pause(self) -> None:
        with self._lock:
            if not self._playing:
                return
            self._new_generation()
            frame = self._take()
        self._publish(frame)

    def replace(self, model: UIModel) -> None:
        """Show ``model`` instead (Reset, a new preset): any play loop stops first."""
        with self._lock:
            if self._closed:
                return
            self._new_generation()
            self._model = model
            frame = self._take()
        self._publish(frame)

    def close(self, timeout: float = 5.0) -> None:
        """The page has gone: stop playing for good and wait (up to ``timeout`` s) for the loop to end."""
        with self._lock:
            self._closed = True
            self._new_generation()
            thread = self._thread
        with self._published:
            self._listeners.clear()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the current play loop to end; True if none is running (for tests and scripts)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    # ------------------------------------------------------------------ inside
    def _new_generation(self) -> int:
        """Make every running loop stale (called with the lock held)."""
        self._generation += 1
        self._playing = False
        self._stop.set()
        return self._generation

    def _advance(self, months: int, until: float | None = None) -> str:
        """Step up to ``months`` months (or until ``until`` on the monotonic clock); '' or why it failed.

        Called with the lock held, so no Pause or Reset can come between two of these months.
        """
        model = self._model
        done = 0
        while model.running and done < months and (until is None or done == 0 or time.monotonic() < until):
            try:
                model.step()
            except Exception:
                logger.exception("the model failed in month %d (preset %s, seed %d)", model.month + 1,
                                 model.preset, model.seed)
                model.running = False
                self._new_generation()
                return FAILED.format(month=model.month + 1)
            done += 1
        return ""

    def _take(self, error: str = "") -> Frame:
        """A frame of the model now (called with the lock held)."""
        self._seq += 1
        return Frame.of(self._model, seq=self._seq, playing=self._playing, error=error)

    def _publish(self, frame: Frame) -> None:
        with self._published:
            if self._closed or frame.seq <= self._latest.seq:
                return  # a newer frame is already out (or nobody is looking)
            self._latest = frame
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(frame.seq)
            except Exception:  # a page that went away mid-render; the others still get the frame
                logger.warning("a listener of the model's frames failed", exc_info=True)

    def _loop(self, generation: int, rate: float | None, stop: threading.Event) -> None:
        """Play: batches of months, a frame after each, paced to ``rate`` months a second (None: no pause)."""
        start, done = time.monotonic(), 0
        while True:
            with self._lock:
                if generation != self._generation:
                    return
                if rate is None:
                    month = self._model.month
                    error = self._advance(2**31, until=time.monotonic() + FRAME_SECONDS)
                else:  # catch up with the clock: several months a frame if frames are slow to draw
                    due = max(1, int((time.monotonic() - start) * rate) + 1 - done)
                    month = self._model.month
                    error = self._advance(due)
                done += self._model.month - month
                ended = not self._model.running
                if ended and generation == self._generation:
                    self._new_generation()
                frame = self._take(error)
            self._publish(frame)
            if ended:
                return
            if rate is not None:
                pause = start + (done + 1) / rate - time.monotonic()
                if pause > 0 and stop.wait(pause):
                    return
