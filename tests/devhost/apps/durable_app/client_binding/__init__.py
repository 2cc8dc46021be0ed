"""Returns the raw durableClient binding string the host passed in."""

import azure.functions as func


def main(req: func.HttpRequest, starter: str) -> func.HttpResponse:
    return func.HttpResponse(starter, mimetype="application/json")
