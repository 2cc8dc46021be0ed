"""Call a function's entry point the way the Python worker does, and log one line per call."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import threading
import time
import uuid
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import azure.functions as func
from azure.functions import _abc as functions_abc

from .app import Function

invocation_log = logging.getLogger("devhost.invocations")


class _TraceContext(functions_abc.TraceContext):
    def __init__(self) -> None:
        self._attributes: dict[str, str] = {}

    @property
    def trace_state(self) -> str:
        return ""

    @property
    def trace_parent(self) -> str:
        return ""

    @property
    def attributes(self) -> dict[str, str]:
        return self._attributes


class _RetryContext(functions_abc.RetryContext):
    @property
    def retry_count(self) -> int:
        return 0

    @property
    def max_retry_count(self) -> int:
        return 0

    @property
    def exception(self) -> None:
        return None


class InvocationContext(func.Context):
    """The ``context`` parameter a function may declare."""

    def __init__(self, function: Function, invocation_id: str) -> None:
        self._function = function
        self._invocation_id = invocation_id
        self._thread_local = threading.local()

    @property
    def invocation_id(self) -> str:
        return self._invocation_id

    @property
    def thread_local_storage(self) -> threading.local:
        return self._thread_local

    @property
    def function_name(self) -> str:
        return self._function.name

    @property
    def function_directory(self) -> str:
        return str(self._function.directory)

    @property
    def trace_context(self) -> functions_abc.TraceContext:
        return _TraceContext()

    @property
    def retry_context(self) -> functions_abc.RetryContext:
        return _RetryContext()


class OutValue(func.Out):
    """An output binding parameter (``func.Out[...]``)."""

    def __init__(self) -> None:
        self._value: Any = None

    def set(self, val: Any) -> None:
        self._value = val

    def get(self) -> Any:
        return self._value


@dataclass
class Outcome:
    """What one invocation produced: its return value and its output bindings."""

    return_value: Any = None
    outputs: dict[str, Any] = field(default_factory=dict)


def call_sync(function: Function, inputs: dict[str, Any], invocation_id: str) -> Outcome:
    """Run the entry point in the calling thread."""
    kwargs, outs = _arguments(function, inputs, invocation_id)
    value = function.entry(**kwargs)
    return Outcome(value, {name: out.get() for name, out in outs.items()})


async def call(
    function: Function,
    inputs: dict[str, Any],
    invocation_id: str,
    executor: Executor,
) -> Outcome:
    """Run a function: ``async def`` on the loop, plain ``def`` in the thread pool."""
    if function.is_async:
        kwargs, outs = _arguments(function, inputs, invocation_id)
        value = await function.entry(**kwargs)
        return Outcome(value, {name: out.get() for name, out in outs.items()})
    loop = asyncio.get_running_loop()
    work = functools.partial(call_sync, function, inputs, invocation_id)
    return await loop.run_in_executor(executor, contextvars.copy_context().run, work)


def _arguments(
    function: Function, inputs: dict[str, Any], invocation_id: str
) -> tuple[dict[str, Any], dict[str, OutValue]]:
    kwargs: dict[str, Any] = {}
    outs: dict[str, OutValue] = {}
    for binding in function.bindings:
        if binding.name not in function.parameters:
            continue
        if binding.direction == "out":
            outs[binding.name] = kwargs[binding.name] = OutValue()
        else:
            kwargs[binding.name] = inputs.get(binding.name)
    if function.context_param:
        kwargs[function.context_param] = InvocationContext(function, invocation_id)
    return kwargs, outs


def new_invocation_id() -> str:
    return str(uuid.uuid4())


def log_invocation(
    function: Function,
    invocation_id: str,
    started: float,
    outcome: str,
    instance_id: str | None = None,
    error: str | None = None,
) -> None:
    """One line per invocation: function, ids, duration, outcome."""
    if not invocation_log.isEnabledFor(logging.INFO if outcome == "Succeeded" else logging.ERROR):
        return
    duration_ms = (time.perf_counter() - started) * 1000.0
    line = (
        f"Executed '{function.name}' ({outcome}, Id={invocation_id}"
        + (f", InstanceId={instance_id}" if instance_id else "")
        + f", Duration={duration_ms:.1f}ms)"
    )
    if error:
        line += f": {error}"
    if outcome == "Succeeded":
        invocation_log.info(line)
    else:
        invocation_log.error(line)
