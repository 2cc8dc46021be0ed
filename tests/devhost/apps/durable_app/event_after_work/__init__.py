"""Orchestrator: does slow work, then waits for event "go" (which may arrive earlier)."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    context.set_custom_status("working")
    work = yield context.call_activity("step", {"acc": "w", "part": "x", "sleep_ms": 800})
    context.set_custom_status("waiting")
    payload = yield context.wait_for_external_event("go")
    return {"work": work, "payload": payload}


main = df.Orchestrator.create(orchestrator_function)
