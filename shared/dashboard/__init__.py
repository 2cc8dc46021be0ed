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
PAGE = "index.html"
_MEDIA_TYPES = {
    "index.html": "text/html",
    "dashboard.js": "text/javascript",
    "dashboard.css": "text/css",
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


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str


@functools.cache
def dashboard_asset(name: str | None) -> Asset | None:
    """The page (no name) or one of its files by name; None for any other name."""
    name = name or PAGE
    media_type = _MEDIA_TYPES.get(name)
    if media_type is None:
        return None
    return Asset((STATIC / name).read_bytes(), media_type)
