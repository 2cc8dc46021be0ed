"""Imports the app's shared package relatively (functions load as __app__.<folder>)."""

import json

import azure.functions as func

from ..shared import greeting
from ..shared.text import shout


def main(req: func.HttpRequest) -> func.HttpResponse:
    name = req.route_params["name"]
    body = {"greeting": greeting(name), "shout": shout(name)}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
