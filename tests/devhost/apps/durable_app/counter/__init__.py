"""Orchestrator: increments its input with an activity and continues as new until 3."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    n = context.get_input() or 0
    n = yield context.call_activity("increment", n)
    if n < 3:
        context.continue_as_new(n)
        return None
    return n


main = df.Orchestrator.create(orchestrator_function)
