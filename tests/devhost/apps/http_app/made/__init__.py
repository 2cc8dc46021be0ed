"""The $return binding carries status code, headers and body of the HttpResponse."""

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(
        "made by $return",
        status_code=201,
        headers={"X-Made-By": "made"},
        mimetype="text/plain",
    )
