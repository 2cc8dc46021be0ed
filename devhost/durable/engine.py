"""The Durable engine: runs orchestration episodes and activities over the SQLite store.

Every state change happens on the event loop thread inside one store
transaction, and work leaves the process (activities dispatched, timers armed,
instances woken) only after that transaction commits. A process killed at any
moment therefore restarts from a consistent store: undelivered messages are
delivered again and activities without a recorded result run again
(at-least-once, as on Azure).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import json
import logging
import sqlite3
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from azure.functions import meta

from .. import invocation
from ..app import ACTIVITY_TRIGGER, ORCHESTRATION_TRIGGER, App, Function
from .history import EventType, format_timestamp, new_event
from .replay import ACTIVITY, SUB_ORCHESTRATION, TIMER, ActionType, UnsupportedAction, plan_tasks
from .store import FINAL_STATUSES, ActivityRow, InstanceRow, MessageRow, Store

log = logging.getLogger("devhost.durable")

_OUT_OF_PROC_MARKER = "\n\n$OutOfProcData$:"
_SCHEDULED_KIND = {
    EventType.TASK_SCHEDULED: ACTIVITY,
    EventType.TIMER_CREATED: TIMER,
    EventType.SUB_ORCHESTRATION_CREATED: SUB_ORCHESTRATION,
}
_BATCH_SIZE = 64


class InstanceNotFound(Exception):
    pass


class InstanceGone(Exception):
    """The instance is already in a final state."""


class InstanceStillRunning(Exception):
    pass


class UnknownOrchestrator(Exception):
    pass


class InstanceAlreadyRunning(Exception):
    """start_new on the id of an active instance while only final ones may be replaced."""


@dataclass
class LiveInstance:
    """An instance that is not final: its history and undelivered messages, in memory."""

    row: InstanceRow
    history: list[dict] = field(default_factory=list)
    played_json: list[str] = field(default_factory=list)
    recorded: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    inbox: list[MessageRow] = field(default_factory=list)
    pending_timers: dict[int, int] = field(default_factory=dict)

    def remember(self, events: list[dict]) -> None:
        """Append events to the in-memory history, as already played for the next episode."""
        for event in events:
            event_type = event["EventType"]
            if event_type in _SCHEDULED_KIND:
                self.recorded[event["EventId"]] = (_SCHEDULED_KIND[event_type], event.get("Name"))
            played = dict(event, IsPlayed=True)
            self.history.append(played)
            self.played_json.append(json.dumps(played))


@dataclass
class ActivityResult:
    work: ActivityRow
    succeeded: bool
    result: str | None = None
    reason: str | None = None
    details: str | None = None


@dataclass
class _Effects:
    """What a committed batch releases: activities to run, timers to arm, instances to wake."""

    activities: list[ActivityRow] = field(default_factory=list)
    timers: list[MessageRow] = field(default_factory=list)
    ready: list[str] = field(default_factory=list)


class DurableEngine:
    def __init__(self, app: App, store: Store, executor: Executor) -> None:
        self._store = store
        self._executor = executor
        self._orchestrators = app.of_trigger(ORCHESTRATION_TRIGGER)
        self._activities = app.of_trigger(ACTIVITY_TRIGGER)
        registry = meta.get_binding_registry()
        self._orchestration_converter = registry.get(ORCHESTRATION_TRIGGER)
        self._activity_converter = registry.get(ACTIVITY_TRIGGER)
        self._live: dict[str, LiveInstance] = {}
        self._ready: deque[str] = deque()
        self._ready_set: set[str] = set()
        self._timer_heap: list[tuple[float, int]] = []
        self._timers: dict[int, MessageRow] = {}
        self._results: list[ActivityResult] = []
        self._running: set[asyncio.Task] = set()
        self._activity_slots = asyncio.Semaphore(app.max_concurrent_activities)
        self._wake = asyncio.Event()
        self._stopping = False
        self._dispatcher: asyncio.Task | None = None
        self._replace_running = app.replaces_running_instances
        self._episode_replaced: list[tuple[str, LiveInstance | None]] = []
        # Input bindings an activity gets besides its trigger (the durable client), set by the
        # server, which knows its own address.
        self.activity_inputs: Callable[[Function], dict[str, Any]] = lambda function: {}

    # lifecycle -------------------------------------------------------------------------
    async def start(self) -> asyncio.Task:
        """Recover the stored state and start dispatching; return the dispatcher task.

        The task only ends on its own when the store fails; the host then stops.
        """
        self._recover()
        self._dispatcher = asyncio.create_task(self._dispatch_forever())
        return self._dispatcher

    async def stop(self, grace_s: float) -> None:
        """Stop dispatching; give running activities ``grace_s`` to finish and be recorded."""
        self._stopping = True
        self._wake.set()
        if self._dispatcher is not None and not self._dispatcher.done():
            await self._dispatcher
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace_s)
        with self._store.transaction():
            self._record_results(_Effects())
        for task in self._running:
            task.cancel()

    def _recover(self) -> None:
        now = time.time()
        for row in self._store.active_instances():
            instance = LiveInstance(row)
            instance.remember(self._store.load_history(row.instance_id))
            self._live[row.instance_id] = instance
        effects = _Effects()
        orphans = []
        for message in self._store.all_messages():
            instance = self._live.get(message.instance_id)
            if instance is None:
                orphans.append(message.id)
            elif message.visible_at > now:
                effects.timers.append(message)
                self._note_timer(instance, message)
            else:
                instance.inbox.append(message)
                effects.ready.append(message.instance_id)
        for work in self._store.all_activities():
            instance = self._live.get(work.instance_id)
            if instance is not None and instance.row.execution_id == work.execution_id:
                effects.activities.append(work)
            else:
                with self._store.transaction():
                    self._store.delete_activity(work.id)
        if orphans:
            with self._store.transaction():
                self._store.delete_messages(orphans)
        log.info(
            "Recovered %d active instances, %d pending activities, %d timers",
            len(self._live),
            len(effects.activities),
            len(effects.timers),
        )
        self._release(effects)

    # client operations (called by the HTTP API) --------------------------------------------
    def start_new(self, name: str, instance_id: str, input_text: str | None) -> None:
        if name not in self._orchestrators:
            raise UnknownOrchestrator(
                f"The function '{name}' doesn't exist, is disabled, or is not an orchestrator "
                "function."
            )
        if not self._replace_running and instance_id in self._live:
            raise InstanceAlreadyRunning(
                f"An orchestration with instance ID '{instance_id}' already exists and is "
                f"{self._live[instance_id].row.runtime_status}."
            )
        effects = _Effects()
        with self._store.transaction():
            self._create_instance(name, instance_id, input_text, None, effects)
        self._release(effects)

    def raise_event(self, instance_id: str, name: str, data_text: str) -> None:
        instance = self.require_active(instance_id)
        event = new_event(EventType.EVENT_RAISED, time.time(), Name=name, Input=data_text)
        self._deliver_now(instance, None, event)

    def terminate(self, instance_id: str, reason: str | None) -> None:
        instance = self.require_active(instance_id)
        event = new_event(EventType.EXECUTION_TERMINATED, time.time(), Input=reason)
        self._deliver_now(instance, None, event)

    def purge(self, instance_id: str) -> None:
        row = self._store.get_instance(instance_id)
        if row is None:
            raise InstanceNotFound(instance_id)
        if row.runtime_status not in FINAL_STATUSES:
            raise InstanceStillRunning(row.runtime_status)
        with self._store.transaction():
            self._store.delete_instance(instance_id)

    def purge_many(
        self, created_from: float, created_to: float | None, statuses: list[str] | None
    ) -> int:
        ids = self._store.final_instance_ids(created_from, created_to, statuses)
        with self._store.transaction():
            for instance_id in ids:
                self._store.delete_instance(instance_id)
        return len(ids)

    def require_active(self, instance_id: str) -> LiveInstance:
        """The active instance; InstanceNotFound if unknown, InstanceGone if final."""
        instance = self._live.get(instance_id)
        if instance is not None:
            return instance
        if self._store.get_instance(instance_id) is None:
            raise InstanceNotFound(instance_id)
        raise InstanceGone(instance_id)

    def _deliver_now(self, instance: LiveInstance, execution_id: str | None, event: dict) -> None:
        with self._store.transaction():
            message = self._store.add_message(
                instance.row.instance_id, execution_id, time.time(), event
            )
        instance.inbox.append(message)
        self._release(_Effects(ready=[instance.row.instance_id]))

    # dispatching -----------------------------------------------------------------------------
    async def _dispatch_forever(self) -> None:
        while not self._stopping:
            timeout = None
            if self._timer_heap:
                timeout = max(0.0, self._timer_heap[0][0] - time.time())
            if not self._ready and not self._results:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            if self._stopping:
                return
            self._release_due_timers()
            try:
                self._run_batch()
            except Exception:
                log.critical("Durable store failure; stopping:\n%s", traceback.format_exc())
                raise
            # Let HTTP requests and activity completions in between batches.
            await asyncio.sleep(0)

    def _run_batch(self) -> None:
        effects = _Effects()
        with self._store.transaction():
            self._record_results(effects)
            for _ in range(min(_BATCH_SIZE, len(self._ready))):
                instance_id = self._ready.popleft()
                self._ready_set.discard(instance_id)
                instance = self._live.get(instance_id)
                if instance is not None and instance.inbox:
                    self._run_episode_isolated(instance, effects)
        self._release(effects)

    def _release(self, effects: _Effects) -> None:
        for work in effects.activities:
            task = asyncio.get_running_loop().create_task(self._run_activity(work))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        for message in effects.timers:
            self._timers[message.id] = message
            heapq.heappush(self._timer_heap, (message.visible_at, message.id))
        for instance_id in effects.ready:
            self._mark_ready(instance_id)
        if effects.timers or effects.ready:
            self._wake.set()

    def _mark_ready(self, instance_id: str) -> None:
        if instance_id not in self._ready_set and instance_id in self._live:
            self._ready_set.add(instance_id)
            self._ready.append(instance_id)
            self._wake.set()

    def _release_due_timers(self) -> None:
        now = time.time()
        while self._timer_heap and self._timer_heap[0][0] <= now:
            _, message_id = heapq.heappop(self._timer_heap)
            message = self._timers.pop(message_id, None)
            instance = self._live.get(message.instance_id) if message else None
            if instance is not None:
                instance.inbox.append(message)
                self._mark_ready(message.instance_id)

    def _note_timer(self, instance: LiveInstance, message: MessageRow) -> None:
        if message.event.get("EventType") == EventType.TIMER_FIRED:
            instance.pending_timers[message.event["TimerId"]] = message.id

    # activities --------------------------------------------------------------------------------
    async def _run_activity(self, work: ActivityRow) -> None:
        async with self._activity_slots:
            result = await self._activity_result(work)
        self._results.append(result)
        self._wake.set()

    async def _activity_result(self, work: ActivityRow) -> ActivityResult:
        function = self._activities.get(work.name)
        if function is None:
            return ActivityResult(
                work,
                False,
                reason=f"The function '{work.name}' doesn't exist, is disabled, or is not an "
                "activity function.",
            )
        invocation_id = invocation.new_invocation_id()
        return await self._call_activity(function, work, invocation_id, time.perf_counter())

    async def _call_activity(
        self, function: Function, work: ActivityRow, invocation_id: str, started: float
    ) -> ActivityResult:
        try:
            value = self._activity_converter.decode(
                meta.Datum(work.input, "json"), trigger_metadata={}
            )
            inputs = {**self.activity_inputs(function), function.trigger.name: value}
            outcome = await invocation.call(function, inputs, invocation_id, self._executor)
            encoded = self._activity_converter.encode(outcome.return_value, expected_type=None)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            invocation.log_invocation(
                function, invocation_id, started, "Failed", work.instance_id, message
            )
            log.debug("Activity '%s' raised:\n%s", work.name, traceback.format_exc())
            return ActivityResult(
                work,
                False,
                reason=f"Activity function '{work.name}' failed: {exc}",
                details=message,
            )
        invocation.log_invocation(function, invocation_id, started, "Succeeded", work.instance_id)
        return ActivityResult(work, True, result=encoded.value)

    def _record_results(self, effects: _Effects) -> None:
        results, self._results = self._results, []
        now = time.time()
        for result in results:
            work = result.work
            self._store.delete_activity(work.id)
            instance = self._live.get(work.instance_id)
            if instance is None or instance.row.execution_id != work.execution_id:
                continue
            if result.succeeded:
                event = new_event(
                    EventType.TASK_COMPLETED,
                    now,
                    TaskScheduledId=work.task_id,
                    Result=result.result,
                )
            else:
                event = new_event(
                    EventType.TASK_FAILED,
                    now,
                    TaskScheduledId=work.task_id,
                    Reason=result.reason,
                    Details=result.details,
                )
            message = self._store.add_message(work.instance_id, work.execution_id, now, event)
            instance.inbox.append(message)
            effects.ready.append(work.instance_id)

    # instances --------------------------------------------------------------------------------
    def _create_instance(
        self,
        name: str,
        instance_id: str,
        input_text: str | None,
        parent: tuple[str, int, str] | None,
        effects: _Effects,
    ) -> None:
        """Create (or replace) an instance and queue its ExecutionStarted message."""
        previous = self._live.pop(instance_id, None)
        self._episode_replaced.append((instance_id, previous))
        if previous is not None:
            self._forget_timers(previous)
        self._store.delete_instance(instance_id)
        now = time.time()
        execution_id = uuid.uuid4().hex
        row = InstanceRow(
            instance_id,
            execution_id,
            name,
            "Pending",
            input_text,
            None,
            None,
            now,
            now,
            parent[0] if parent else None,
            parent[1] if parent else None,
            parent[2] if parent else None,
        )
        self._store.put_instance(row)
        instance = LiveInstance(row)
        self._live[instance_id] = instance
        self._queue_execution_start(instance, input_text, now, effects)

    def _queue_execution_start(
        self, instance: LiveInstance, input_text: str | None, now: float, effects: _Effects
    ) -> None:
        row = instance.row
        started = new_event(
            EventType.EXECUTION_STARTED,
            now,
            Name=row.name,
            Input=input_text,
            Version="",
            OrchestrationInstance={"InstanceId": row.instance_id, "ExecutionId": row.execution_id},
        )
        if row.parent_instance_id:
            started["ParentInstance"] = {
                "Name": None,
                "TaskScheduleId": row.parent_task_id,
                "OrchestrationInstance": {"InstanceId": row.parent_instance_id},
            }
        message = self._store.add_message(row.instance_id, row.execution_id, now, started)
        instance.inbox.append(message)
        effects.ready.append(row.instance_id)

    def _run_episode_isolated(self, instance: LiveInstance, effects: _Effects) -> None:
        """Run one episode; a devhost bug fails that instance instead of stopping the host."""
        marks = (len(effects.activities), len(effects.timers), len(effects.ready))
        self._episode_replaced = []
        try:
            with self._store.savepoint():
                self._run_episode(instance, effects)
        except Exception as exc:
            if _is_store_failure(exc):
                raise
            for instance_id, previous in reversed(self._episode_replaced):
                if previous is None:
                    self._live.pop(instance_id, None)
                else:
                    self._live[instance_id] = previous
            log.error(
                "Episode of %s failed inside devhost:\n%s",
                instance.row.instance_id,
                traceback.format_exc(),
            )
            del effects.activities[marks[0] :]
            del effects.timers[marks[1] :]
            del effects.ready[marks[2] :]
            started = new_event(EventType.ORCHESTRATOR_STARTED, time.time())
            self._fail(instance, [started], f"devhost internal error: {exc!r}", effects)

    def _run_episode(self, instance: LiveInstance, effects: _Effects) -> None:
        row = instance.row
        messages, instance.inbox = instance.inbox, []
        self._store.delete_messages(m.id for m in messages)
        now = time.time()
        events = []
        for message in messages:
            if message.execution_id is not None and message.execution_id != row.execution_id:
                continue
            event = message.event
            if event["EventType"] == EventType.TIMER_FIRED:
                instance.pending_timers.pop(event["TimerId"], None)
            events.append(event)
        if not events:
            return
        # ExecutionStarted must come first, even if an event was raised before it ran.
        events.sort(key=lambda e: e["EventType"] != EventType.EXECUTION_STARTED)
        episode_start = new_event(EventType.ORCHESTRATOR_STARTED, now)
        terminated = next(
            (e for e in events if e["EventType"] == EventType.EXECUTION_TERMINATED), None
        )
        if terminated is not None:
            reason = terminated.get("Input")
            self._finish(
                instance,
                "Terminated",
                json.dumps(reason),
                [episode_start, *events],
                failure=f"Terminated: {reason}",
                effects=effects,
            )
            return
        new_events = [episode_start, *events]
        state, error = self._invoke_orchestrator(instance, new_events)
        if state is None:
            self._fail(instance, new_events, error or "The orchestrator returned no state", effects)
            return
        actions = _flatten_actions(state.get("actions"))
        try:
            planned = plan_tasks(row.instance_id, instance.history + new_events, actions)
        except UnsupportedAction as exc:
            self._fail(instance, new_events, str(exc), effects)
            return
        mismatch = _determinism_error(instance.recorded, planned)
        if mismatch:
            self._fail(instance, new_events, mismatch, effects)
            return
        if error is not None:
            self._fail(instance, new_events, error, effects, state.get("customStatus"))
            return
        scheduled = self._schedule(instance, planned, now, effects)
        self._cancel_timers(instance, planned)
        new_events += scheduled
        new_events.append(new_event(EventType.ORCHESTRATOR_COMPLETED, now))
        custom_status = state.get("customStatus")
        if state.get("isDone"):
            continued = next(
                (a for a in reversed(actions) if a.get("actionType") == ActionType.CONTINUE_AS_NEW),
                None,
            )
            if continued is not None:
                self._continue_as_new(
                    instance, _as_input(continued.get("input")), custom_status, effects
                )
                return
            output = json.dumps(state.get("output"))
            new_events.append(
                new_event(
                    EventType.EXECUTION_COMPLETED,
                    now,
                    OrchestrationStatus="Completed",
                    Result=output,
                )
            )
            self._finish(
                instance,
                "Completed",
                output,
                new_events,
                custom_status=custom_status,
                effects=effects,
            )
            return
        self._append_history(instance, new_events)
        row.runtime_status = "Running"
        row.custom_status = _dump_optional(custom_status)
        row.last_updated_time = now
        self._store.put_instance(row)

    def _invoke_orchestrator(
        self, instance: LiveInstance, new_events: list[dict]
    ) -> tuple[dict | None, str | None]:
        """Run one episode through the SDK; return (state, error message)."""
        row = instance.row
        function = self._orchestrators.get(row.name)
        if function is None:
            return None, f"The orchestrator function '{row.name}' does not exist in this app"
        history_json = ",".join([*instance.played_json, *(json.dumps(e) for e in new_events)])
        context = {
            "instanceId": row.instance_id,
            "isReplaying": bool(instance.history),
            "parentInstanceId": row.parent_instance_id,
            "input": json.loads(row.input) if row.input else None,
            "upperSchemaVersion": 1,
            "upperSchemaVersionNew": 2,
        }
        body = '{"history":[' + history_json + "]," + json.dumps(context)[1:]
        invocation_id = invocation.new_invocation_id()
        started = time.perf_counter()
        trigger_value = self._orchestration_converter.decode(
            meta.Datum(body, "json"), trigger_metadata={}
        )
        try:
            outcome = invocation.call_sync(
                function, {function.trigger.name: trigger_value}, invocation_id
            )
        except Exception as exc:
            text = str(exc)
            message, _, state_json = text.partition(_OUT_OF_PROC_MARKER)
            invocation.log_invocation(
                function, invocation_id, started, "Failed", row.instance_id, message
            )
            state = None
            if state_json:
                with contextlib.suppress(ValueError):
                    state = json.loads(state_json)
            else:
                log.error("Orchestrator '%s' raised:\n%s", row.name, traceback.format_exc())
            return state, f"Orchestrator function '{row.name}' failed: {message}"
        invocation.log_invocation(function, invocation_id, started, "Succeeded", row.instance_id)
        returned = outcome.return_value
        try:
            return (json.loads(returned) if isinstance(returned, str | bytes) else returned), None
        except ValueError:
            return None, f"Orchestrator function '{row.name}' returned a state that is not JSON"

    def _schedule(
        self, instance: LiveInstance, planned: dict, now: float, effects: _Effects
    ) -> list[dict]:
        """Record and queue every newly planned task; return their history events."""
        row = instance.row
        events = []
        for task_id in sorted(planned):
            if task_id in instance.recorded:
                continue
            task = planned[task_id]
            if task.kind == ACTIVITY:
                events.append(
                    new_event(
                        EventType.TASK_SCHEDULED, now, task_id, Name=task.name, Input=task.input
                    )
                )
                effects.activities.append(
                    self._store.add_activity(
                        row.instance_id, row.execution_id, task_id, task.name, task.input
                    )
                )
            elif task.kind == TIMER:
                if task.cancelled:
                    continue
                fire_at = format_timestamp(task.fire_at)
                events.append(new_event(EventType.TIMER_CREATED, now, task_id, FireAt=fire_at))
                fired = new_event(
                    EventType.TIMER_FIRED, task.fire_at, TimerId=task_id, FireAt=fire_at
                )
                message = self._store.add_message(
                    row.instance_id, row.execution_id, task.fire_at, fired
                )
                instance.pending_timers[task_id] = message.id
                effects.timers.append(message)
            else:
                events.append(
                    new_event(
                        EventType.SUB_ORCHESTRATION_CREATED,
                        now,
                        task_id,
                        Name=task.name,
                        InstanceId=task.instance_id,
                        Input=task.input,
                    )
                )
                self._start_sub_orchestration(instance, task, effects)
        return events

    def _start_sub_orchestration(self, parent: LiveInstance, task, effects: _Effects) -> None:
        row = parent.row
        if task.name not in self._orchestrators:
            reason = (
                f"The function '{task.name}' doesn't exist, is disabled, or is not an "
                "orchestrator function."
            )
            failed = new_event(
                EventType.SUB_ORCHESTRATION_FAILED,
                time.time(),
                TaskScheduledId=task.task_id,
                Reason=reason,
                Details=reason,
            )
            message = self._store.add_message(
                row.instance_id, row.execution_id, time.time(), failed
            )
            parent.inbox.append(message)
            effects.ready.append(row.instance_id)
            return
        self._create_instance(
            task.name,
            task.instance_id,
            _as_input(task.input),
            (row.instance_id, task.task_id, row.execution_id),
            effects,
        )

    def _cancel_timers(self, instance: LiveInstance, planned: dict) -> None:
        for task_id, message_id in list(instance.pending_timers.items()):
            task = planned.get(task_id)
            if task is not None and task.cancelled:
                del instance.pending_timers[task_id]
                self._timers.pop(message_id, None)
                self._store.delete_messages([message_id])

    def _forget_timers(self, instance: LiveInstance) -> None:
        for message_id in instance.pending_timers.values():
            self._timers.pop(message_id, None)
        instance.pending_timers.clear()

    def _append_history(self, instance: LiveInstance, events: list[dict]) -> None:
        self._store.append_history(
            instance.row.instance_id, len(instance.history), (json.dumps(e) for e in events)
        )
        instance.remember(events)

    def _continue_as_new(
        self,
        instance: LiveInstance,
        input_text: str | None,
        custom_status: Any,
        effects: _Effects,
    ) -> None:
        row = instance.row
        self._forget_timers(instance)
        self._store.delete_instance_messages(row.instance_id)
        self._store.delete_instance_activities(row.instance_id)
        self._store.clear_history(row.instance_id)
        instance.history.clear()
        instance.played_json.clear()
        instance.recorded.clear()
        instance.inbox.clear()
        now = time.time()
        row.execution_id = uuid.uuid4().hex
        row.input = input_text
        row.runtime_status = "Running"
        row.output = None
        row.custom_status = _dump_optional(custom_status)
        row.last_updated_time = now
        self._store.put_instance(row)
        self._queue_execution_start(instance, input_text, now, effects)

    def _fail(
        self,
        instance: LiveInstance,
        events: list[dict],
        message: str,
        effects: _Effects,
        custom_status: Any = None,
    ) -> None:
        now = time.time()
        tail = [
            new_event(EventType.ORCHESTRATOR_COMPLETED, now),
            new_event(
                EventType.EXECUTION_COMPLETED,
                now,
                OrchestrationStatus="Failed",
                Result=json.dumps(message),
                FailureDetails={"ErrorMessage": message},
            ),
        ]
        self._finish(
            instance,
            "Failed",
            json.dumps(message),
            [*events, *tail],
            failure=message,
            custom_status=custom_status,
            effects=effects,
        )

    def _finish(
        self,
        instance: LiveInstance,
        status: str,
        output_json: str,
        events: list[dict],
        *,
        effects: _Effects,
        failure: str | None = None,
        custom_status: Any = None,
    ) -> None:
        """Move an instance to a final state and tell its parent, if it has one."""
        row = instance.row
        self._append_history(instance, events)
        self._forget_timers(instance)
        self._store.delete_instance_messages(row.instance_id)
        self._store.delete_instance_activities(row.instance_id)
        row.runtime_status = status
        row.output = output_json
        if custom_status is not None:
            row.custom_status = _dump_optional(custom_status)
        row.last_updated_time = time.time()
        self._store.put_instance(row)
        self._live.pop(row.instance_id, None)
        if status == "Failed":
            log.warning("Orchestration '%s' (%s) failed: %s", row.name, row.instance_id, failure)
        self._notify_parent(row, status, output_json, failure, effects)

    def _notify_parent(
        self,
        row: InstanceRow,
        status: str,
        output_json: str,
        failure: str | None,
        effects: _Effects,
    ) -> None:
        parent = self._live.get(row.parent_instance_id) if row.parent_instance_id else None
        if parent is None or parent.row.execution_id != row.parent_execution_id:
            return
        now = time.time()
        if status == "Completed":
            event = new_event(
                EventType.SUB_ORCHESTRATION_COMPLETED,
                now,
                TaskScheduledId=row.parent_task_id,
                Result=output_json,
            )
        else:
            event = new_event(
                EventType.SUB_ORCHESTRATION_FAILED,
                now,
                TaskScheduledId=row.parent_task_id,
                Reason=failure,
                Details=failure,  # the SDK's caught message is "Reason \n Details"
            )
        message = self._store.add_message(
            parent.row.instance_id, parent.row.execution_id, now, event
        )
        parent.inbox.append(message)
        effects.ready.append(parent.row.instance_id)


def _is_store_failure(exc: Exception) -> bool:
    """Errors of the database itself (I/O, locking, corruption), not of the data written."""
    return isinstance(exc, sqlite3.Error) and not isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError
    )


def _flatten_actions(actions: Any) -> list[dict]:
    """The V2 payload is ``[[a, b, ...]]``; V1 is a list of lists. Either way: one flat list."""
    flat: list[dict] = []
    for group in actions or []:
        if isinstance(group, list):
            flat.extend(group)
        elif isinstance(group, dict):
            flat.append(group)
    return flat


def _determinism_error(recorded: dict[int, tuple[str, str | None]], planned: dict) -> str | None:
    for task_id, (kind, name) in sorted(recorded.items()):
        task = planned.get(task_id)
        if task is None:
            return (
                f"Non-deterministic workflow detected: a previous execution of this orchestration "
                f"scheduled {_describe(kind, name)} with task id {task_id}, but the replay did not "
                "schedule it."
            )
        if task.kind != kind or (kind != TIMER and task.name != name):
            return (
                f"Non-deterministic workflow detected: a previous execution of this orchestration "
                f"scheduled {_describe(kind, name)} with task id {task_id}, but the replay "
                f"scheduled {_describe(task.kind, task.name)}."
            )
    return None


def _describe(kind: str, name: str | None) -> str:
    if kind == TIMER:
        return "a durable timer"
    label = "activity" if kind == ACTIVITY else "sub-orchestration"
    return f"{label} '{name}'"


def _as_input(action_input: str | None) -> str | None:
    """The input an action hands to a new execution, serialized once more as the host does.

    Actions carry their input as JSON text; the host stores it as a JSON string
    value, so the orchestrator's context receives that text and decodes it itself.
    """
    return None if action_input is None else json.dumps(action_input)


def _dump_optional(value: Any) -> str | None:
    return None if value is None else json.dumps(value)
