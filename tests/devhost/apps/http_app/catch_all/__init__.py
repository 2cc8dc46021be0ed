import json

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    body = {"function": "catch_all", "rest": req.route_params.get("rest")}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
