"""Orchestrator: fan out `count` square activities, fan in with task_all."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    data = context.get_input()
    tasks = [
        context.call_activity("square", {"n": n, "sleep_ms": data.get("sleep_ms", 0)})
        for n in range(data["count"])
    ]
    results = yield context.task_all(tasks)
    return {"sum": sum(results), "results": results}


main = df.Orchestrator.create(orchestrator_function)
