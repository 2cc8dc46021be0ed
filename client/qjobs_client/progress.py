"""Progress while waiting for a job: a callback type and a one-line terminal display."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from .errors import WaitTimeout
from .models import JobStatus
from .protocol import LONG_POLL_SECONDS

# Called with the job's latest status and the seconds waited so far, several times a second.
Progress = Callable[[JobStatus, float], None]
# How often a waiting client calls its progress callback (the polling follows Retry-After).
TICK_SECONDS = 0.2

_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class TerminalProgress:
    """Redraws one line on a terminal: spinner, job id, state, elapsed seconds.

    Call `close()` (or use it as a context manager) to end the line."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._frame = 0
        self._drawn = False

    def __call__(self, status: JobStatus, elapsed: float) -> None:
        spinner = " " if status.is_final else _SPINNER[self._frame % len(_SPINNER)]
        self._frame += 1
        line = f"{spinner} {status.id}  {status.status:<9}  {elapsed:6.1f} s"
        self._stream.write("\r\x1b[2K" + line)
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Waiter:
    """The clock of one wait: the deadline, the progress calls, the slices of each sleep.

    The sync and the async job share it; they only differ in how they sleep and fetch."""

    def __init__(
        self, job_id: str, timeout: float | None, progress: Progress | bool | None
    ) -> None:
        self._job_id = job_id
        self._timeout = timeout
        self._started = time.monotonic()
        self._owned = TerminalProgress() if progress is True else None
        self._progress: Progress | None = self._owned
        if callable(progress):
            self._progress = progress
        self._last: JobStatus | None = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def observe(self, status: JobStatus) -> None:
        self._last = status
        self.tick()

    def tick(self) -> None:
        if self._progress is not None and self._last is not None:
            self._progress(self._last, self.elapsed)

    def long_poll_seconds(self) -> int:
        """How long the next read may wait at the API: up to LONG_POLL_SECONDS, within the
        timeout, and one second with a progress display (so it keeps moving)."""
        seconds = 1 if self._progress is not None else LONG_POLL_SECONDS
        if self._timeout is not None:
            seconds = min(seconds, int(self._timeout - self.elapsed))
        return max(0, seconds)

    def check_time(self) -> None:
        """WaitTimeout once the time is up."""
        if self._timeout is not None and self.elapsed >= self._timeout:
            status = self._last.status if self._last else "unknown"
            raise WaitTimeout(self._job_id, status, self._timeout)

    def sleeps(self, delay: float) -> list[float]:
        """The slices to sleep before the next poll (WaitTimeout once the time is up)."""
        self.check_time()
        if self._timeout is not None:
            delay = min(delay, self._timeout - self.elapsed)
        if self._progress is None or delay <= TICK_SECONDS:
            return [delay]
        whole, rest = divmod(delay, TICK_SECONDS)
        return [TICK_SECONDS] * int(whole) + ([rest] if rest > 0 else [])

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()

    def __enter__(self) -> Waiter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
