"""Orchestrator: one durable timer of `seconds`; returns orchestration times around it."""

from datetime import timedelta

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    seconds = context.get_input()
    started = context.current_utc_datetime
    yield context.create_timer(started + timedelta(seconds=seconds))
    return {"started": started.isoformat(), "resumed": context.current_utc_datetime.isoformat()}


main = df.Orchestrator.create(orchestrator_function)
