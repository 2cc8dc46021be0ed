"""Work qdk may never finish or may crash on, run in a child process with a time limit.

Compiling to QIR unrolls classical loops (`while true {}` never ends) and qdk's native code can
abort the process; neither may happen in the host. Children are forked from a forkserver
(never from the multi-threaded host) that has qdk and qjobs' compilers imported already, so a
call costs milliseconds more than running in place, after the first one (~1 s).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from .program_text import ProgramError
from .qdk_calls import CompilerFailure

T = TypeVar("T")
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([f"{__package__}.qir"])


class TimeLimitError(ProgramError):
    """The work took longer than it may; its process was killed."""


def run_isolated(function: Callable[..., T], *args: Any, seconds: float) -> T:
    """function(*args) in a child process: its value, or the exception it raised.

    TimeLimitError after `seconds`; CompilerFailure when the child dies without answering.
    `function` must be a module-level function and its arguments picklable.
    """
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_answer, args=(sender, function, *args), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise TimeLimitError(f"compiling did not finish within {seconds:g} s")
        failed, value = receiver.recv()
    except EOFError:
        raise CompilerFailure("qdk crashed on this program") from None
    finally:
        receiver.close()
        child.kill()
        child.join()
    if failed:
        raise value
    return value


def _answer(sender: Connection, function: Callable[..., Any], *args: Any) -> None:
    try:
        answer = (False, function(*args))
    except Exception as error:  # noqa: BLE001 - passed on to the caller, who raises it
        answer = (True, error)
    sender.send(answer)
    sender.close()
