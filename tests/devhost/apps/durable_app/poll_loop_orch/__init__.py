"""Orchestrator: the job-polling pattern. Each round races a durable timer with a
"cancel" event; the custom status carries the round. After the last round, one activity.
"""

from datetime import timedelta

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    data = context.get_input()
    for round_no in range(data["rounds"]):
        context.set_custom_status({"round": round_no})
        due = context.current_utc_datetime + timedelta(milliseconds=data["interval_ms"])
        timer = context.create_timer(due)
        cancel = context.wait_for_external_event("cancel")
        winner = yield context.task_any([timer, cancel])
        if winner == cancel:
            timer.cancel()
            return {"cancelled_at": round_no, "reason": cancel.result}
    completed = yield context.call_activity("increment", data["rounds"])
    return {"completed": completed}


main = df.Orchestrator.create(orchestrator_function)
