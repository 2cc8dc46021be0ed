"""GET /api/docs[/{asset}]: the interactive API reference (Swagger UI) and its files (no key
needed to read it; "Try it out" sends the key the reader enters under Authorize)."""

from urllib.parse import urlsplit

import azure.functions as func

from shared.api_docs import SECURITY_HEADERS, docs_asset
from shared.http import problem_response
from shared.problems import ApiError


def main(req: func.HttpRequest) -> func.HttpResponse:
    asset = docs_asset(req.route_params.get("asset"), urlsplit(req.url).path)
    if asset is None:
        return problem_response(
            ApiError(404, "not-found", "Not found", "The API reference has no such file.")
        )
    return func.HttpResponse(
        asset.body,
        status_code=200,
        headers=SECURITY_HEADERS,
        mimetype=asset.media_type,
        charset="utf-8",
    )
