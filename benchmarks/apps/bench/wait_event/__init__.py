import azure.durable_functions as df


def wait_event(context: df.DurableOrchestrationContext):
    context.set_custom_status("waiting")
    value = yield context.wait_for_external_event("go")
    return (yield context.call_activity("increment", value))


main = df.Orchestrator.create(wait_event)
