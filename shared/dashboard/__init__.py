"""The web dashboard: one page and its script and style (`static/`), served by the app."""

from __future__ import annotations

import functools
from pathlib import Path

from ..static_site import SECURITY_HEADERS, StaticSite

__all__ = ["SECURITY_HEADERS", "SITE", "home_page"]

STATIC = Path(__file__).with_name("static")
SITE = StaticSite(
    "dashboard",
    "The dashboard",
    {
        name: STATIC / name
        for name in ("index.html", "dashboard.js", "dashboard.css", "favicon.svg")
    },
)
HOME = Path(__file__).with_name("home.html")


@functools.cache
def home_page() -> bytes:
    """The page at the API's root (`/api/`): links to the dashboard, the API reference and
    the API description."""
    return HOME.read_bytes()
