"""Orchestrator: waits for the external event named in its input and returns its payload."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    payload = yield context.wait_for_external_event(context.get_input()["event"])
    return {"payload": payload}


main = df.Orchestrator.create(orchestrator_function)
