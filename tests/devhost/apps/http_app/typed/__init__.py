import json

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    body = {"function": "typed", "n": req.route_params.get("n")}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
