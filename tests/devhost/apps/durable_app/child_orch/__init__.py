"""Sub-orchestrator: doubles its input with an (async) activity."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    value = context.get_input()
    doubled = yield context.call_activity("double", value)
    return {"doubled": doubled, "parent": context.parent_instance_id}


main = df.Orchestrator.create(orchestrator_function)
