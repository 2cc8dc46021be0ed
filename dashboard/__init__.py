"""GET /api/dashboard[/{asset}]: the web dashboard's page and its files (no key needed: the
page asks for the caller's API key and sends it with each API call)."""

from urllib.parse import urlsplit

import azure.functions as func

from shared.dashboard import SITE


def main(req: func.HttpRequest) -> func.HttpResponse:
    return SITE.response(req.route_params.get("asset"), urlsplit(req.url).path)
