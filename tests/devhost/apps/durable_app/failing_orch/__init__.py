"""Orchestrator that raises after one activity."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    tag = context.get_input()
    yield context.call_activity("increment", 1)
    raise RuntimeError(f"orchestrator boom: {tag}")


main = df.Orchestrator.create(orchestrator_function)
