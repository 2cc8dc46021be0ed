import azure.durable_functions as df


def chain(context: df.DurableOrchestrationContext):
    value = context.get_input()
    for _ in range(3):
        value = yield context.call_activity("increment", value)
    return value


main = df.Orchestrator.create(chain)
