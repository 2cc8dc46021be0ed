"""Echoes what reached the function: method, query, a header, the body."""

import json

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    try:
        parsed = req.get_json()
    except ValueError:
        parsed = None
    body = {
        "method": req.method,
        "params": dict(req.params),
        "header": req.headers.get("x-test-header"),
        "content_type": req.headers.get("content-type"),
        "json": parsed,
        "body": req.get_body().decode("utf-8"),
    }
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
