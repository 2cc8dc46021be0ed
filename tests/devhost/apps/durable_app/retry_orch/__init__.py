"""Orchestrator: call_activity_with_retry on `flaky`."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    data = context.get_input()
    options = df.RetryOptions(
        first_retry_interval_in_milliseconds=data.get("interval_ms", 100),
        max_number_of_attempts=data["max_attempts"],
    )
    result = yield context.call_activity_with_retry(
        "flaky",
        options,
        {"dir": data["dir"], "key": context.instance_id, "fail_times": data["fail_times"]},
    )
    return result


main = df.Orchestrator.create(orchestrator_function)
