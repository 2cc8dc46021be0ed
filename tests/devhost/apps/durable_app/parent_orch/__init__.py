"""Orchestrator: calls child_orch (mode "ok") or failing_child_orch (mode "fail")."""

import azure.durable_functions as df


def orchestrator_function(context: df.DurableOrchestrationContext):
    data = context.get_input()
    if data["mode"] == "ok":
        child = yield context.call_sub_orchestrator(
            "child_orch", data["value"], instance_id=f"{context.instance_id}-child"
        )
        return {"child": child}
    try:
        yield context.call_sub_orchestrator("failing_child_orch", data["value"])
    except Exception as exc:
        return {"caught": str(exc)}
    return {"caught": None}


main = df.Orchestrator.create(orchestrator_function)
