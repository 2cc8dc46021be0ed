"""GET /api/dashboard[/{asset}]: the web dashboard's page and its files (no key needed: the
page asks for the caller's API key and sends it with each API call)."""

from urllib.parse import urlsplit

import azure.functions as func

from shared.dashboard import SECURITY_HEADERS, dashboard_asset
from shared.http import problem_response
from shared.problems import ApiError


def main(req: func.HttpRequest) -> func.HttpResponse:
    asset = dashboard_asset(req.route_params.get("asset"), urlsplit(req.url).path)
    if asset is None:
        return problem_response(
            ApiError(404, "not-found", "Not found", "The dashboard has no such file.")
        )
    return func.HttpResponse(
        asset.body,
        status_code=200,
        headers=SECURITY_HEADERS,
        mimetype=asset.media_type,
        charset="utf-8",
    )
