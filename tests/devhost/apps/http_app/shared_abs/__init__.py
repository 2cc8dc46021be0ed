"""Imports the app's shared package absolutely (the app root is on sys.path)."""

import json

import azure.functions as func

from shared import greeting, shout


def main(req: func.HttpRequest) -> func.HttpResponse:
    name = req.route_params["name"]
    body = {"greeting": greeting(name), "shout": shout(name)}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
