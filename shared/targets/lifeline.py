"""Local worker processes die with the host process, however it ends.

A worker left behind by a host that exits with os._exit or is killed would keep running and
keep the host's stdout open. Each worker runs `die_with_parent` first. Linux only; elsewhere
the pool is closed at interpreter exit.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent ends."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(0)
