"""Orchestrator: fan out `count` square activities (or `activity` with `payload`), fan in."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    data = context.get_input()
    if "activity" in data:
        tasks = [
            context.call_activity(data["activity"], data["payload"]) for _ in range(data["count"])
        ]
    else:
        tasks = [
            context.call_activity("square", {"n": n, "sleep_ms": data.get("sleep_ms", 0)})
            for n in range(data["count"])
        ]
    results = yield context.task_all(tasks)
    return {"sum": sum(results), "results": results}


main = df.Orchestrator.create(orchestrator_function)
