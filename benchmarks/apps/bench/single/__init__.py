import azure.durable_functions as df


def single(context: df.DurableOrchestrationContext):
    return (yield context.call_activity("increment", context.get_input()))


main = df.Orchestrator.create(single)
