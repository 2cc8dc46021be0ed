"""Orchestrator: reports its input, then waits for the event "go"."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    context.set_custom_status({"input": context.get_input()})
    return (yield context.wait_for_external_event("go"))


main = df.Orchestrator.create(orchestrator_function)
