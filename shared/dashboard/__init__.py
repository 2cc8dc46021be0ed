"""The web dashboard: one page and its script and style, served by the app itself.

The files live in `static/`; only those listed here are served (no path from a request
reaches the file system), each with a strict Content-Security-Policy: the page loads nothing
but these files and talks to nothing but this API.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).with_name("static")
HOME = Path(__file__).with_name("home.html")
PAGE = "index.html"
_MEDIA_TYPES = {
    "index.html": "text/html",
    "dashboard.js": "text/javascript",
    "dashboard.css": "text/css",
    "favicon.svg": "image/svg+xml",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@functools.cache
def home_page() -> bytes:
    """The page at the API's root (`/api/`): links to the dashboard and the API description."""
    return HOME.read_bytes()


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str


def dashboard_asset(name: str | None, url_path: str) -> Asset | None:
    """The page (no name, or index.html) or one of its files by name; None for any other
    name. `url_path` is the path the request named: the page links its files by bare name,
    right from inside the folder (`/dashboard/`, `/dashboard/index.html`); served as
    `/dashboard` its links go one folder down (`dashboard/dashboard.js`)."""
    name = name or PAGE
    if name not in _MEDIA_TYPES:
        return None
    return _asset(name, in_folder=url_path.endswith(("/", f"/{PAGE}")))


@functools.cache
def _asset(name: str, in_folder: bool) -> Asset:
    body = (STATIC / name).read_bytes()
    if name == PAGE and not in_folder:
        for file in _MEDIA_TYPES.keys() - {PAGE}:
            body = body.replace(f'="{file}"'.encode(), f'="dashboard/{file}"'.encode())
    return Asset(body, _MEDIA_TYPES[name])
