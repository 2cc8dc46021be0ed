"""Orchestrator using a durable entity (not supported by devhost)."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    value = yield context.call_entity(df.EntityId("counter", "k1"), "add", 1)
    return value


main = df.Orchestrator.create(orchestrator_function)
