"""Sub-orchestrator that fails after one activity."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    value = context.get_input()
    yield context.call_activity("increment", value)
    raise ValueError(f"child exploded on {value}")


main = df.Orchestrator.create(orchestrator_function)
