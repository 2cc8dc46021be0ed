"""Timer triggers, run as the Functions host runs them.

The ``schedule`` is six-field NCRONTAB (devhost/ncrontab.py) in UTC; ``%NAME%`` in it is
replaced by the app setting NAME (a function whose setting is not set is disabled, as the host
does). The function gets the binding's JSON
(``{"Schedule", "ScheduleStatus", "IsPastDue"}``), which ``azure.functions.TimerRequest``
decodes. Like the host's schedule monitor, devhost keeps each timer's last and next
occurrence in the data folder: a start-up after a missed occurrence runs the function at once
with ``IsPastDue`` true; ``runOnStartup: true`` runs it at every start-up. One invocation of
a timer function runs at a time; a failed one is logged and the schedule goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from azure.functions import meta

from . import invocation
from .app import TIMER_TRIGGER, App, AppLoadError, Function
from .ncrontab import Schedule, ScheduleError, parse_schedule

log = logging.getLogger("devhost.timers")

_SETTING = re.compile(r"%([^%]+)%")


def resolve_settings(text: str, environ: Mapping[str, str] = os.environ) -> str:
    """Replace every ``%NAME%`` with the app setting NAME; KeyError names a missing one."""

    def setting(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise KeyError(name)
        return environ[name]

    return _SETTING.sub(setting, text)


@dataclass
class TimerFunction:
    function: Function
    schedule: Schedule
    run_on_startup: bool


def load_timers(app: App) -> list[TimerFunction]:
    """The app's timer functions with their schedules; AppLoadError for a bad schedule.

    A schedule naming an app setting that is not set leaves that function disabled, logged
    as an error, while the rest of the app runs: the Functions host does the same ("failed
    indexing and will be disabled")."""
    timers = []
    for function in app.of_trigger(TIMER_TRIGGER).values():
        settings = function.trigger.settings
        raw = settings.get("schedule")
        if not isinstance(raw, str) or not raw.strip():
            raise AppLoadError(f"function '{function.name}': timerTrigger needs a 'schedule'")
        try:
            expression = resolve_settings(raw)
        except KeyError as missing:
            log.error(
                "Function '%s' failed indexing and will be disabled: '%%%s%%' (in its schedule) "
                "does not resolve to a value: set the app setting %s",
                function.name,
                missing.args[0],
                missing.args[0],
            )
            continue
        try:
            schedule = parse_schedule(expression)
        except ScheduleError as exc:
            raise AppLoadError(f"function '{function.name}': schedule: {exc}") from exc
        timers.append(TimerFunction(function, schedule, settings.get("runOnStartup") is True))
    return timers


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class TimerTriggers:
    """Runs every timer function of the app on its schedule while devhost serves."""

    def __init__(
        self,
        app: App,
        data_dir: Path,
        executor: Executor,
        extra_inputs: Callable[[Function], dict[str, Any]],
    ) -> None:
        self._timers = load_timers(app)
        self._status_dir = data_dir / "timers"
        self._executor = executor
        self._extra_inputs = extra_inputs
        self._tasks: list[asyncio.Task[None]] = []
        self._registry = meta.get_binding_registry()

    def start(self) -> None:
        for timer in self._timers:
            next_due = timer.schedule.next_after(datetime.now(UTC))
            log.info(
                "Timer '%s' (%s): next at %s",
                timer.function.name,
                timer.schedule.expression,
                next_due.isoformat() if next_due else "never",
            )
            self._tasks.append(asyncio.create_task(self._run(timer)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _run(self, timer: TimerFunction) -> None:
        now = datetime.now(UTC)
        status = self._read_status(timer)
        missed = status is not None and datetime.fromisoformat(status["Next"]) < now
        if missed and status is not None:
            await self._invoke(timer, datetime.fromisoformat(status["Next"]), past_due=True)
        elif timer.run_on_startup:
            await self._invoke(timer, now, past_due=False)
        while True:
            due = timer.schedule.next_after(datetime.now(UTC))
            if due is None:
                return
            await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
            await self._invoke(timer, due, past_due=False)

    async def _invoke(self, timer: TimerFunction, occurrence: datetime, past_due: bool) -> None:
        function = timer.function
        next_due = timer.schedule.next_after(max(occurrence, datetime.now(UTC)))
        status = {
            "Last": _iso(occurrence),
            "Next": _iso(next_due) if next_due else None,
            "LastUpdated": _iso(datetime.now(UTC)),
        }
        self._write_status(timer, status)
        payload = {
            "Schedule": {"AdjustForDST": True},
            "ScheduleStatus": status,
            "IsPastDue": past_due,
        }
        datum = meta.Datum(json.dumps(payload), "json")
        inputs = {
            function.trigger.name: self._registry.get(TIMER_TRIGGER).decode(
                datum, trigger_metadata={}
            )
        }
        inputs.update(self._extra_inputs(function))
        invocation_id = invocation.new_invocation_id()
        started = time.perf_counter()
        try:
            await invocation.call(function, inputs, invocation_id, self._executor)
        except Exception as exc:
            invocation.log_invocation(
                function, invocation_id, started, "Failed", error=f"{type(exc).__name__}: {exc}"
            )
            log.error(
                "Function '%s' (Id=%s) raised:\n%s",
                function.name,
                invocation_id,
                "".join(traceback.format_exception(exc)),
            )
            return
        invocation.log_invocation(function, invocation_id, started, "Succeeded")

    def _status_path(self, timer: TimerFunction) -> Path:
        return self._status_dir / f"{timer.function.name}.json"

    def _read_status(self, timer: TimerFunction) -> dict[str, Any] | None:
        """The schedule monitor's record, if a valid one is stored (and for this schedule)."""
        try:
            status = json.loads(self._status_path(timer).read_text(encoding="utf-8"))
            datetime.fromisoformat(status["Last"])
            datetime.fromisoformat(status["Next"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return status if status.get("Schedule") == timer.schedule.expression else None

    def _write_status(self, timer: TimerFunction, status: dict[str, Any]) -> None:
        path = self._status_path(timer)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps({**status, "Schedule": timer.schedule.expression}), encoding="utf-8"
        )
        temporary.replace(path)
