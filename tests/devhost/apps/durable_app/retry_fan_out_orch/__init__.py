"""Orchestrator: retried calls in parallel, each failing a different number of times,
raced against a timer, then one more activity.

Retries take new task ids as their failures and timers are replayed, interleaved
across the parallel calls; the host must number them exactly as the SDK does.
"""

from datetime import timedelta

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    data = context.get_input()
    options = df.RetryOptions(first_retry_interval_in_milliseconds=50, max_number_of_attempts=4)
    calls = [
        context.call_activity_with_retry(
            "flaky",
            options,
            {"dir": data["dir"], "key": f"{context.instance_id}-{n}", "fail_times": n},
        )
        for n in range(4)
    ]
    deadline = context.create_timer(context.current_utc_datetime + timedelta(seconds=30))
    winner = yield context.task_any([context.task_all(calls), deadline])
    if winner == deadline:
        return "timed out"
    deadline.cancel()
    last = yield context.call_activity("increment", 41)
    return {"attempts": [r["attempts"] for r in winner.result], "last": last}


main = df.Orchestrator.create(orchestrator_function)
