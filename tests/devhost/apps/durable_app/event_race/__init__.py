"""Orchestrator: external event "approval" raced against a timer with task_any."""

from datetime import timedelta

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    data = context.get_input()
    context.set_custom_status({"stage": "awaiting-approval", "instance": context.instance_id})
    deadline = context.current_utc_datetime + timedelta(seconds=data["timeout_s"])
    approval = context.wait_for_external_event("approval")
    timeout = context.create_timer(deadline)
    winner = yield context.task_any([approval, timeout])
    if winner == approval:
        timeout.cancel()
        context.set_custom_status({"stage": "done", "winner": "event"})
        return {"winner": "event", "payload": approval.result}
    context.set_custom_status({"stage": "done", "winner": "timer"})
    return {"winner": "timer"}


main = df.Orchestrator.create(orchestrator_function)
