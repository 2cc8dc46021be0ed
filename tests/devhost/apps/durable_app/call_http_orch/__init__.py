"""Orchestrator using call_http (not supported by devhost)."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    response = yield context.call_http("GET", "http://127.0.0.1:9/never-called")
    return response.status_code


main = df.Orchestrator.create(orchestrator_function)
