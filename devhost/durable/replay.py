"""Map the SDK's action list onto task ids, numbering them exactly as the SDK does.

The Python SDK numbers tasks 0, 1, 2, ... in the order they are yielded; the
children of ``task_all``/``task_any`` take ids in list order; external-event
waits take none; a retried call takes a new id for every retry timer and every
new attempt, at the moment the failure or the timer is replayed. The Durable
extension gets the same numbers by replaying the actions one awaited action at
a time against the history. This module does the same, so the host knows which
task id stands for which activity, timer or sub-orchestration.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .history import EventType, parse_timestamp


class ActionType:
    CALL_ACTIVITY = 0
    CALL_ACTIVITY_WITH_RETRY = 1
    CALL_SUB_ORCHESTRATOR = 2
    CALL_SUB_ORCHESTRATOR_WITH_RETRY = 3
    CONTINUE_AS_NEW = 4
    CREATE_TIMER = 5
    WAIT_FOR_EXTERNAL_EVENT = 6
    CALL_ENTITY = 7
    CALL_HTTP = 8
    SIGNAL_ENTITY = 9
    WHEN_ANY = 11
    WHEN_ALL = 12


ACTIVITY = "activity"
TIMER = "timer"
SUB_ORCHESTRATION = "sub_orchestration"

_UNSUPPORTED = {
    ActionType.CALL_ENTITY: "Durable entities (call_entity) are not supported by devhost",
    ActionType.SIGNAL_ENTITY: "Durable entities (signal_entity) are not supported by devhost",
    ActionType.CALL_HTTP: "Durable HTTP (call_http) is not supported by devhost",
}


class UnsupportedAction(Exception):
    """The orchestration used an API that devhost does not implement."""


@dataclass
class PlannedTask:
    """One task id the orchestration has allocated, and what the host must run for it."""

    task_id: int
    kind: str
    name: str | None = None
    input: str | None = None
    fire_at: float | None = None
    instance_id: str | None = None
    cancelled: bool = False


class _Node:
    def __init__(self) -> None:
        self.done = False
        self.failed = False
        self.parent: _Compound | None = None

    def finish(self, failed: bool, planner: _Planner) -> None:
        if self.done:
            return
        self.done = True
        self.failed = failed
        if self.parent is not None:
            self.parent.child_finished(self, planner)
        else:
            planner.top_level_finished(self)


class _Atomic(_Node):
    def __init__(self, task: PlannedTask) -> None:
        super().__init__()
        self.task = task

    def on_event(self, task_id: int, succeeded: bool, event: dict, planner: _Planner) -> None:
        self.finish(not succeeded, planner)


class _Wait(_Node):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class _Retry(_Node):
    """A call_*_with_retry: attempt, retry timer, attempt, ... as the SDK schedules them."""

    def __init__(self, action: dict, kind: str, planner: _Planner) -> None:
        super().__init__()
        self.action = action
        self.kind = kind
        options = action.get("retryOptions") or {}
        self.interval_s = float(options.get("firstRetryIntervalInMilliseconds", 1000)) / 1000.0
        self.max_attempts = int(options.get("maxNumberOfAttempts", 1))
        self.attempts = 1
        self.waiting_timer_id: int | None = None
        self.attempt_id = planner.allocate_call(self, action, kind)

    def on_event(self, task_id: int, succeeded: bool, event: dict, planner: _Planner) -> None:
        if task_id == self.waiting_timer_id:
            self.waiting_timer_id = None
            if self.attempts >= self.max_attempts:
                self.finish(True, planner)
            else:
                self.attempts += 1
                self.attempt_id = planner.allocate_call(self, self.action, self.kind)
        elif task_id == self.attempt_id:
            if succeeded:
                self.finish(False, planner)
            else:
                fire_at = parse_timestamp(event["Timestamp"]) + self.interval_s
                self.waiting_timer_id = planner.allocate_timer(self, fire_at)


class _Compound(_Node):
    def __init__(self, children: list[_Node], any_of: bool) -> None:
        super().__init__()
        self.children = children
        self.any_of = any_of
        for child in children:
            child.parent = self

    def settle_initial(self, planner: _Planner) -> None:
        if not self.children:
            self.finish(False, planner)
            return
        for child in self.children:
            if child.done:
                self.child_finished(child, planner)
                if self.done:
                    return

    def child_finished(self, child: _Node, planner: _Planner) -> None:
        if self.done:
            return
        if self.any_of:
            self.finish(False, planner)
        elif child.failed:
            self.finish(True, planner)
        elif all(c.done for c in self.children):
            self.finish(False, planner)


class _Planner:
    def __init__(self, instance_id: str, actions: list[dict]) -> None:
        self.instance_id = instance_id
        self.actions = actions
        self.next_action = 0
        self.current: _Node | None = None
        self.sequence = 0
        self.tasks: dict[int, PlannedTask] = {}
        self.owners: dict[int, _Node] = {}
        self.waiters: dict[str, list[_Wait]] = defaultdict(list)
        self.unclaimed_events: dict[str, int] = defaultdict(int)

    # id allocation -------------------------------------------------------------
    def _take_id(self) -> int:
        task_id = self.sequence
        self.sequence += 1
        return task_id

    def allocate_call(self, owner: _Node, action: dict, kind: str) -> int:
        task_id = self._take_id()
        instance_id = None
        if kind == SUB_ORCHESTRATION:
            instance_id = action.get("instanceId") or f"{self.instance_id}:{task_id:04d}"
        self.tasks[task_id] = PlannedTask(
            task_id,
            kind,
            name=action.get("functionName"),
            input=action.get("input"),
            instance_id=instance_id,
        )
        self.owners[task_id] = owner
        return task_id

    def allocate_timer(self, owner: _Node, fire_at: float, cancelled: bool = False) -> int:
        task_id = self._take_id()
        self.tasks[task_id] = PlannedTask(task_id, TIMER, fire_at=fire_at, cancelled=cancelled)
        self.owners[task_id] = owner
        return task_id

    # building nodes from actions -------------------------------------------------
    def build(self, action: dict) -> _Node:
        action_type = action.get("actionType")
        if action_type in _UNSUPPORTED:
            raise UnsupportedAction(_UNSUPPORTED[action_type])
        if action_type in (ActionType.WHEN_ALL, ActionType.WHEN_ANY):
            children = [self.build(child) for child in action.get("compoundActions", [])]
            node = _Compound(children, any_of=action_type == ActionType.WHEN_ANY)
            node.settle_initial(self)
            return node
        if action_type == ActionType.CALL_ACTIVITY:
            node = _Atomic(PlannedTask(-1, ACTIVITY))
            node.task = self.tasks[self.allocate_call(node, action, ACTIVITY)]
            return node
        if action_type == ActionType.CALL_SUB_ORCHESTRATOR:
            node = _Atomic(PlannedTask(-1, SUB_ORCHESTRATION))
            node.task = self.tasks[self.allocate_call(node, action, SUB_ORCHESTRATION)]
            return node
        if action_type == ActionType.CALL_ACTIVITY_WITH_RETRY:
            return _Retry(action, ACTIVITY, self)
        if action_type == ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY:
            return _Retry(action, SUB_ORCHESTRATION, self)
        if action_type == ActionType.CREATE_TIMER:
            node = _Atomic(PlannedTask(-1, TIMER))
            task_id = self.allocate_timer(
                node, parse_timestamp(action["fireAt"]), bool(action.get("isCanceled"))
            )
            node.task = self.tasks[task_id]
            return node
        if action_type == ActionType.WAIT_FOR_EXTERNAL_EVENT:
            name = action.get("externalEventName", "")
            node = _Wait(name)
            if self.unclaimed_events[name] > 0:
                self.unclaimed_events[name] -= 1
                node.done = True
            else:
                self.waiters[name].append(node)
            return node
        if action_type == ActionType.CONTINUE_AS_NEW:
            self._take_id()
            node = _Node()
            node.done = True
            return node
        raise UnsupportedAction(f"Unknown orchestrator action type {action_type!r}")

    # replay -------------------------------------------------------------------------
    def advance(self) -> None:
        """Start the next awaited action while the one before it has finished."""
        while (self.current is None or self.current.done) and self.next_action < len(self.actions):
            action = self.actions[self.next_action]
            self.next_action += 1
            self.current = self.build(action)

    def top_level_finished(self, node: _Node) -> None:
        if node is self.current:
            self.advance()

    def replay(self, history: list[dict]) -> None:
        for event in history:
            event_type = event["EventType"]
            if event_type == EventType.EXECUTION_STARTED:
                self.advance()
            elif event_type in (EventType.TASK_COMPLETED, EventType.SUB_ORCHESTRATION_COMPLETED):
                self._complete(event["TaskScheduledId"], True, event)
            elif event_type in (EventType.TASK_FAILED, EventType.SUB_ORCHESTRATION_FAILED):
                self._complete(event["TaskScheduledId"], False, event)
            elif event_type == EventType.TIMER_FIRED:
                self._complete(event["TimerId"], True, event)
            elif event_type == EventType.EVENT_RAISED:
                self._raise(event.get("Name", ""))
        # Actions the SDK emitted beyond the last awaited one (re-yielded tasks, or the
        # new actions of this episode) are started in order.
        while self.next_action < len(self.actions):
            self.current = self.build(self.actions[self.next_action])
            self.next_action += 1

    def _complete(self, task_id: int, succeeded: bool, event: dict) -> None:
        owner = self.owners.get(task_id)
        if owner is not None and not owner.done:
            owner.on_event(task_id, succeeded, event, self)

    def _raise(self, name: str) -> None:
        waiting = self.waiters.get(name)
        if waiting:
            waiting.pop().finish(False, self)
        else:
            self.unclaimed_events[name] += 1


def plan_tasks(
    instance_id: str, history: list[dict], actions: list[dict]
) -> dict[int, PlannedTask]:
    """Replay ``actions`` (the SDK's flat V2 list) over ``history``; return every task id.

    Raises UnsupportedAction for entity and durable-HTTP calls.
    """
    planner = _Planner(instance_id, actions)
    planner.replay(history)
    return planner.tasks
