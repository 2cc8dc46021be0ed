"""The interactive API reference: Swagger UI (from the swagger-ui-py package, which ships its
built files) rendering GET /api/openapi.json, served by the app itself, no CDN."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ..static_site import StaticSite

__all__ = ["SITE"]

STATIC = Path(__file__).with_name("static")


def _swagger_ui_files() -> Path:
    """swagger-ui-py's folder of Swagger UI files (found without importing the package,
    whose import sets up handlers for web frameworks the app does not use)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed (requirements.txt names it)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


SITE = StaticSite(
    "docs",
    "The API reference",
    {
        "index.html": STATIC / "index.html",
        "docs.js": STATIC / "docs.js",
        "docs.css": STATIC / "docs.css",
        "swagger-ui.css": _swagger_ui_files() / "swagger-ui.css",
        "swagger-ui-bundle.js": _swagger_ui_files() / "swagger-ui-bundle.js",
    },
)
