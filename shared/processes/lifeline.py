"""Worker processes die with the host process, however it ends.

A worker left behind by a host that exits with os._exit or is killed would keep running and
keep the host's stdout open. Each worker runs `die_with_parent` first. Linux only; elsewhere
the pool is closed at interpreter exit. The kernel ties this to the thread that started the
worker: a worker started by a thread that ends before it is killed with that thread.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
_PR_SET_NAME = 15


def die_with_parent(name: str | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent ends; `name` it (the name `ps`
    and `top` show, at most 15 bytes) so that operators can tell the workers apart."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if name is not None:
        libc.prctl(_PR_SET_NAME, name.encode()[:15])
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(0)
