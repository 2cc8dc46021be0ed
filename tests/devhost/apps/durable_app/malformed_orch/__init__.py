"""Orchestrator written without the SDK that returns a state the SDK never would:
an activity call without a function name."""

import json


def main(context) -> str:
    return json.dumps({"isDone": False, "schemaVersion": 2, "actions": [[{"actionType": 0}]]})
