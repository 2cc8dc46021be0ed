"""No route and no methods in function.json: /api/default_route, any method."""

import json

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    body = {"function": "default_route", "method": req.method, "url": req.url}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
