"""Orchestrator: three `step` activities in sequence: seed -> seed>a>b>c."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    data = context.get_input() or {}
    acc = data.get("seed", "")
    for part in ("a", "b", "c"):
        acc = yield context.call_activity(
            "step",
            {
                "acc": acc,
                "part": part,
                "sleep_ms": data.get("sleep_ms"),
                "journal": data.get("journal"),
            },
        )
    return acc


main = df.Orchestrator.create(orchestrator_function)
