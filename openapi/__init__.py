"""GET /api/openapi.json: the API's OpenAPI 3.1 description (shared/openapi.json)."""

import azure.functions as func

from shared.openapi import openapi_document


def main(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(
        openapi_document(), status_code=200, mimetype="application/json", charset="utf-8"
    )
