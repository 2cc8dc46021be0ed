"""Orchestrator that breaks the replay rule: it calls a different activity on every replay."""

import azure.durable_functions as df

replays: dict[str, int] = {}


def orchestrator_function(context: df.DurableOrchestrationContext):
    seen = replays.get(context.instance_id, 0)
    replays[context.instance_id] = seen + 1
    activity = "increment" if seen == 0 else "square"
    result = yield context.call_activity(activity, 1 if seen == 0 else {"n": 1})
    return result


main = df.Orchestrator.create(orchestrator_function)
