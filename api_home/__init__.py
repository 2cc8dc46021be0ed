"""GET /api/: where to go from the API's root, a small page linking the dashboard and the
API's OpenAPI description. `/api` (no slash) is redirected there, so the page's relative
links resolve behind any gateway. The route `{empty:maxlength(0)?}` matches the route
prefix alone, on the Functions host and on devhost."""

from urllib.parse import urlsplit

import azure.functions as func

from shared.dashboard import SECURITY_HEADERS, home_page


def main(req: func.HttpRequest) -> func.HttpResponse:
    url = urlsplit(req.url)
    if not url.path.endswith("/"):
        return func.HttpResponse(status_code=308, headers={"Location": url.path + "/"})
    return func.HttpResponse(
        home_page(), headers=SECURITY_HEADERS, mimetype="text/html", charset="utf-8"
    )
