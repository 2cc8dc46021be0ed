"""Sync function that blocks its thread for ?ms= milliseconds."""

import json
import time

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    ms = int(req.params.get("ms", "500"))
    time.sleep(ms / 1000.0)
    return func.HttpResponse(json.dumps({"slept_ms": ms}), mimetype="application/json")
