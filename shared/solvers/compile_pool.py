"""Compile workers: every parse, compile and QIR generation of a caller's program runs here.

qdk's parsers and compilers are native code that a crafted program can crash (a stack
overflow on nesting the textual checks of program_text.py do not see) or keep busy (QIR
generation unrolls `while true {}`), and qiskit's OpenQASM importer takes seconds of CPU on a
large program while holding the GIL. None of that may happen in the host, so `compiled` runs a
function in one of a bounded set of long-lived worker processes (compile_worker.py): warm, so a
small program costs about a millisecond more than in place; at the lowest priority; with a
limit on CPU time (QJOBS_COMPILE_SECONDS; CPU, not the clock, so that a busy machine does not
make a program wrong) and a memory limit (QJOBS_COMPILE_MEMORY_MB: what a worker may hold
beyond its warm ~250 MB, read every 50 ms; a worker that keeps more than half of it after a
call is replaced; compile_worker.py caps the address space too, for allocations faster than
the reading).

- A program that crashes its worker, outgrows the memory limit or runs past the time limit is
  CompileFailed (a ProgramError: the caller answers 400); the worker is replaced.
- A compile that gets too little CPU to finish in 3 x the time limit on the clock is given up
  as CompilePoolBusy, as is a call that waits QJOBS_COMPILE_WAIT_SECONDS for a free worker or
  finds MAX_WAITING calls waiting: the server is overloaded, not the program wrong (503).
- Calls wait for a free worker in a FairQueue per client (`on_behalf_of`), so one client's
  flood of large programs delays another client's next program by one compile at most.

Each worker has a thread of its own here that starts it, hands it calls and replaces it: a
worker's lifeline is tied to the thread that started it, so that thread lives as long as the
pool. Callers block while they wait; see submission.py for the threads they wait in.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..config import settings
from ..processes.fair_queue import FairQueue
from ..processes.resident import resident_bytes
from .compile_worker import serve
from .program_text import ProgramError

log = logging.getLogger("qjobs.compile")

T = TypeVar("T")
MAX_WAITING = 64  # calls queued for a worker; beyond that a call is refused at once
_STARTUP_SECONDS = 120.0  # a worker that is not warm by then is started afresh
_RESTART_PAUSE_SECONDS = 1.0
_CHECK_SECONDS = 0.05  # how often a compiling worker's CPU time and memory are read
GIVE_UP_FACTOR = 3  # a compile still short of its CPU time limit after 3 x that is given up
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
_SPAWN = multiprocessing.get_context("spawn")
_client: contextvars.ContextVar[str] = contextvars.ContextVar("qjobs_compile_client", default="")


class CompileFailed(ProgramError):
    """The program crashed its compile worker or ran past the compile time or memory limit."""


class CompilePoolBusy(Exception):
    """No compile worker was free soon enough: the server is busy, the caller may retry."""


@dataclass(eq=False)
class _Call:
    owner: str
    function: Callable[..., Any]
    args: tuple[Any, ...]
    started: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    answer: tuple[str, Any] = ("error", None)


class _Worker:
    """One compile worker process, seen from the pool."""

    def __init__(self, memory_mb: int) -> None:
        self._memory_mb = memory_mb
        self._memory_bytes = memory_mb * 1024 * 1024
        self._warm_bytes = 0  # resident memory once warm
        self._connection, child = _SPAWN.Pipe()
        self._process = _SPAWN.Process(
            target=serve, args=(child, memory_mb), name="qjobs-compile", daemon=True
        )
        self._process.start()
        child.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def ready(self, seconds: float) -> bool:
        """Whether the worker warmed up within `seconds` (False if it died doing so)."""
        try:
            if not (self._connection.poll(seconds) and self._connection.recv()[0] == "ready"):
                return False
        except (EOFError, OSError):
            return False
        self._warm_bytes = self._resident_bytes()
        return True

    @property
    def swollen(self) -> bool:
        """Whether the worker kept more than half the memory limit beyond its warm size (a
        compile's memory is kept for reuse), so that the next call may not have its share."""
        return self._resident_bytes() - self._warm_bytes > self._memory_bytes // 2

    def call(
        self, function: Callable[..., Any], args: tuple[Any, ...], seconds: float, give_up: float
    ) -> Any:
        """("ok", value) or ("error", exception) from the worker; CompileFailed when the call
        killed it or used more than `seconds` of CPU or the memory limit, CompilePoolBusy when
        it took `give_up` seconds on the clock with less CPU than that (the machine is too
        busy: no fault of the program). The worker is killed in each of these cases."""
        try:
            cpu_before = self._cpu_seconds()
            give_up_at = time.monotonic() + give_up
            self._connection.send((function, args))
            while not self._connection.poll(_CHECK_SECONDS):
                if self._resident_bytes() - self._warm_bytes > self._memory_bytes:
                    self.kill()
                    raise self._over_memory()
                if self._cpu_seconds() - cpu_before > seconds:
                    self.kill()
                    raise CompileFailed(
                        f"the program could not be compiled within the {seconds:g} s compile"
                        " time limit"
                    )
                if time.monotonic() > give_up_at:
                    self.kill()
                    raise CompilePoolBusy(
                        f"the machine is too busy: a compile got less than {seconds:g} s of CPU"
                        f" in {give_up:g} s"
                    )
            answer: tuple[str, Any] = self._connection.recv()
        except (EOFError, OSError):
            self._process.join(5)
            raise CompileFailed(
                f"the program could not be compiled: the compiler process {self._ending()}"
                f" (it crashed, or needed more than the {self._memory_mb} MB compile memory"
                " limit)"
            ) from None
        if answer[0] == "memory":
            self._process.join(5)
            raise self._over_memory()
        return answer

    def _over_memory(self) -> CompileFailed:
        return CompileFailed(
            f"the program could not be compiled within the {self._memory_mb} MB compile memory"
            " limit"
        )

    def _cpu_seconds(self) -> float:
        """The CPU time the worker has used (0 once it is gone)."""
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND  # utime + stime

    def _resident_bytes(self) -> int:
        """The worker's resident memory (0 once it is gone)."""
        return resident_bytes(self.pid)

    def _ending(self) -> str:
        code = self._process.exitcode
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                return f"was killed by {signal.Signals(-code).name}"
        return "ended" if code is None else f"exited with status {code}"

    def kill(self) -> None:
        """End the worker (the pool's close and the worker's thread may both call this)."""
        self._process.kill()
        self._process.join(5)
        with contextlib.suppress(OSError):  # closed by the other caller meanwhile
            self._connection.close()


class CompilePool:
    """`workers` compile worker processes and the calls waiting for them.

    A call may use `seconds` of CPU and `memory_mb`, wait `wait_seconds` for a worker, and take
    `give_up` seconds on the clock (default GIVE_UP_FACTOR x `seconds`).
    """

    def __init__(
        self,
        workers: int,
        *,
        seconds: float,
        memory_mb: int,
        wait_seconds: float,
        give_up: float | None = None,
    ) -> None:
        self.seconds = seconds
        self.memory_mb = memory_mb
        self.wait_seconds = wait_seconds
        self.give_up = GIVE_UP_FACTOR * seconds if give_up is None else give_up
        self._changed = threading.Condition()
        self._queue: FairQueue[_Call] = FairQueue()
        self._running: Counter[str] = Counter()
        self._workers: set[_Worker] = set()
        self._closed = False
        for number in range(workers):
            name = f"qjobs-compile-{number}"
            threading.Thread(target=self._serve_one_worker, name=name, daemon=True).start()

    def run(self, owner: str, function: Callable[..., T], *args: Any) -> T:
        """function(*args) in a compile worker, for client `owner`: its value, or what it raised.

        `function` must be a module-level function and its arguments and value picklable.
        CompileFailed for a call that crashed its worker or ran past a limit; CompilePoolBusy
        when no worker was free within `wait_seconds` (or too many calls wait already), or the
        call got too little CPU (`_Worker.call`).
        """
        call = _Call(owner, function, args)
        with self._changed:
            if self._closed:
                raise CompilePoolBusy("the compile workers are shutting down")
            if len(self._queue) >= MAX_WAITING:
                raise CompilePoolBusy(f"{MAX_WAITING} programs are waiting to be compiled")
            self._queue.push(owner, call)
            self._changed.notify()
        if not call.started.wait(self.wait_seconds):
            with self._changed:
                if self._queue.remove(owner, call):
                    raise CompilePoolBusy(
                        f"no compile worker was free within {self.wait_seconds:g} s"
                    )
        call.done.wait()
        status, value = call.answer
        if status == "ok":
            return value
        raise value

    def worker_pids(self) -> list[int]:
        with self._changed:
            return [worker.pid for worker in self._workers if worker.pid is not None]

    def close(self) -> None:
        with self._changed:
            self._closed = True
            workers = list(self._workers)
            self._changed.notify_all()
        for worker in workers:
            worker.kill()

    def __enter__(self) -> CompilePool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # each worker's thread ---------------------------------------------------------------------
    def _serve_one_worker(self) -> None:
        worker = self._warm_worker()
        while worker is not None:
            call = self._next_call()
            if call is None:
                return
            if not worker.alive:  # it died while idle, which is no program's doing
                self._forget(worker)
                worker = self._warm_worker()
            self._answer(call, worker)
            if worker is not None and (not worker.alive or worker.swollen):
                log.warning("compile worker %s is replaced", worker.pid)
                self._forget(worker)
                worker = self._warm_worker()

    def _answer(self, call: _Call, worker: _Worker | None) -> None:
        """Run `call` on `worker` (None: the pool closed) and hand its caller the answer."""
        try:
            if worker is None:
                raise CompilePoolBusy("the compile workers are shutting down")
            call.answer = worker.call(call.function, call.args, self.seconds, self.give_up)
        except Exception as error:  # noqa: BLE001 - the caller's to raise
            call.answer = ("error", error)
        finally:
            with self._changed:
                self._running[call.owner] -= 1
                if not self._running[call.owner]:
                    del self._running[call.owner]
            call.done.set()

    def _warm_worker(self) -> _Worker | None:
        """A new worker once it is warm; None when the pool closes first."""
        while True:
            with self._changed:
                if self._closed:
                    return None
                worker = self._started_worker()
            if worker is not None:
                if worker.ready(_STARTUP_SECONDS):
                    return worker
                self._forget(worker)
                log.error("a compile worker did not warm up; starting another")
            time.sleep(_RESTART_PAUSE_SECONDS)

    def _started_worker(self) -> _Worker | None:
        """A new worker process, not yet warm (None when none could be started)."""
        try:
            worker = _Worker(self.memory_mb)
        except Exception:  # noqa: BLE001 - e.g. fork failed: the caller tries again
            log.exception("a compile worker could not be started")
            return None
        self._workers.add(worker)
        return worker

    def _next_call(self) -> _Call | None:
        """The next call, in FairQueue's order (None when the pool closes)."""
        with self._changed:
            while not self._closed and not len(self._queue):
                self._changed.wait()
            if self._closed:
                return None
            owner = self._queue.next_owner(self._running)
            assert owner is not None
            call = self._queue.pop(owner)
            self._running[owner] += 1
        call.started.set()
        return call

    def _forget(self, worker: _Worker) -> None:
        worker.kill()
        with self._changed:
            self._workers.discard(worker)


_pool: CompilePool | None = None
_pool_lock = threading.Lock()


def compile_pool() -> CompilePool:
    """The process's compile pool, started on first use with the settings' limits."""
    global _pool
    with _pool_lock:
        if _pool is None:
            config = settings()
            _pool = CompilePool(
                config.compile_workers,
                seconds=config.compile_seconds,
                memory_mb=config.compile_memory_mb,
                wait_seconds=config.compile_wait_seconds,
            )
            atexit.register(_pool.close)
        return _pool


def compiled(function: Callable[..., T], *args: Any) -> T:
    """function(*args) in a compile worker, for the client `on_behalf_of` names."""
    return compile_pool().run(_client.get(), function, *args)


@contextlib.contextmanager
def on_behalf_of(owner: str) -> Iterator[None]:
    """Inside the block, `compiled` calls count as client `owner`'s in the fair queue."""
    token = _client.set(owner)
    try:
        yield
    finally:
        _client.reset(token)
