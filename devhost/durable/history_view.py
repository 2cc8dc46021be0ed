"""An instance's history as the Durable extension's client shows it (``showHistory=true``).

The extension's DurableClient post-processes the raw history: event types become names,
each completion takes its scheduling event's ``FunctionName`` and ``ScheduledTime`` (and
the scheduling event disappears), OrchestratorStarted/Completed are dropped, internal
fields (``EventId``, ``IsPlayed``, ``TaskScheduledId``, ``TimerId``, inputs) are removed,
and ``Result`` values are shown decoded, only with ``showHistoryOutput=true``.
"""

from __future__ import annotations

import json
from typing import Any

from .history import EventType

EVENT_NAMES = {
    EventType.EXECUTION_STARTED: "ExecutionStarted",
    EventType.EXECUTION_COMPLETED: "ExecutionCompleted",
    EventType.EXECUTION_FAILED: "ExecutionFailed",
    EventType.EXECUTION_TERMINATED: "ExecutionTerminated",
    EventType.TASK_SCHEDULED: "TaskScheduled",
    EventType.TASK_COMPLETED: "TaskCompleted",
    EventType.TASK_FAILED: "TaskFailed",
    EventType.SUB_ORCHESTRATION_CREATED: "SubOrchestrationInstanceCreated",
    EventType.SUB_ORCHESTRATION_COMPLETED: "SubOrchestrationInstanceCompleted",
    EventType.SUB_ORCHESTRATION_FAILED: "SubOrchestrationInstanceFailed",
    EventType.TIMER_CREATED: "TimerCreated",
    EventType.TIMER_FIRED: "TimerFired",
    EventType.ORCHESTRATOR_STARTED: "OrchestratorStarted",
    EventType.ORCHESTRATOR_COMPLETED: "OrchestratorCompleted",
    EventType.EVENT_SENT: "EventSent",
    EventType.EVENT_RAISED: "EventRaised",
    EventType.CONTINUE_AS_NEW: "ContinueAsNew",
    EventType.GENERIC: "GenericEvent",
    EventType.HISTORY_STATE: "HistoryState",
}
_SCHEDULING = {
    EventType.TASK_COMPLETED: EventType.TASK_SCHEDULED,
    EventType.TASK_FAILED: EventType.TASK_SCHEDULED,
    EventType.SUB_ORCHESTRATION_COMPLETED: EventType.SUB_ORCHESTRATION_CREATED,
    EventType.SUB_ORCHESTRATION_FAILED: EventType.SUB_ORCHESTRATION_CREATED,
}
_RESULT_EVENTS = {
    EventType.TASK_COMPLETED,
    EventType.SUB_ORCHESTRATION_COMPLETED,
    EventType.EXECUTION_COMPLETED,
}
_REMOVED_FIELDS = {
    EventType.TASK_SCHEDULED: ("Version", "Input"),
    EventType.SUB_ORCHESTRATION_CREATED: ("Version", "Input"),
    EventType.EXECUTION_STARTED: (
        "Name",
        "OrchestrationInstance",
        "ParentInstance",
        "Version",
        "Tags",
        "Input",
    ),
    EventType.EXECUTION_TERMINATED: ("Input",),
    EventType.TIMER_FIRED: ("TimerId",),
    EventType.EVENT_RAISED: ("Input",),
    EventType.TASK_COMPLETED: ("TaskScheduledId",),
    EventType.TASK_FAILED: ("TaskScheduledId",),
    EventType.SUB_ORCHESTRATION_COMPLETED: ("TaskScheduledId",),
    EventType.SUB_ORCHESTRATION_FAILED: ("TaskScheduledId",),
}


def history_view(events: list[dict[str, Any]], show_output: bool) -> list[dict[str, Any]]:
    """The extension's ``historyEvents`` for a raw history."""
    scheduling: dict[tuple[EventType, int], int] = {}
    dropped: set[int] = set()
    shown: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        event_type = EventType(event["EventType"])
        item = {k: v for k, v in event.items() if k not in ("EventId", "IsPlayed")}
        item["EventType"] = EVENT_NAMES[event_type]
        if event_type in (EventType.TASK_SCHEDULED, EventType.SUB_ORCHESTRATION_CREATED):
            scheduling[(event_type, event["EventId"])] = index
        elif event_type in _SCHEDULING:
            origin = scheduling.get((_SCHEDULING[event_type], event.get("TaskScheduledId", -1)))
            if origin is not None:
                item["ScheduledTime"] = events[origin]["Timestamp"]
                item["FunctionName"] = events[origin].get("Name")
                dropped.add(origin)
        elif event_type == EventType.EXECUTION_STARTED:
            item["FunctionName"] = event.get("Name")
        elif event_type in (EventType.ORCHESTRATOR_STARTED, EventType.ORCHESTRATOR_COMPLETED):
            dropped.add(index)
        for field in _REMOVED_FIELDS.get(event_type, ()):
            item.pop(field, None)
        if event_type in _RESULT_EVENTS:
            if show_output:
                item["Result"] = _parse_payload(item.get("Result"))
            else:
                item.pop("Result", None)
        shown.append(item)
    return [item for index, item in enumerate(shown) if index not in dropped]


def _parse_payload(value: Any) -> Any:
    """The extension's ParseToJToken: JSON text decoded, other text kept as it is."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return ""
    try:
        return json.loads(text)
    except ValueError:
        return text
