import json

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    body = {"function": "items", "id": req.route_params.get("id")}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
