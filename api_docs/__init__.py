"""GET /api/docs[/{asset}]: the interactive API reference (Swagger UI) and its files (no key
needed to read it; "Try it out" sends the key the reader enters under Authorize)."""

from urllib.parse import urlsplit

import azure.functions as func

from shared.api_docs import SITE


def main(req: func.HttpRequest) -> func.HttpResponse:
    return SITE.response(req.route_params.get("asset"), urlsplit(req.url).path)
