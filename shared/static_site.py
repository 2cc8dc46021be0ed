"""A page and the files it links, served by the app itself under one route folder.

Only the files named here are served (no path from a request reaches the file system), each
with a strict Content-Security-Policy: the page loads nothing but these files and talks to
nothing but this API. The page links its files by bare name, right from inside the folder
(`/<folder>/`, `/<folder>/index.html`); served as `/<folder>` its links go one folder down.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import azure.functions as func

from .http import problem_response
from .problems import ApiError

PAGE = "index.html"
_MEDIA_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
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


class StaticSite:
    """The page `index.html` and its files, by name: `files` maps each to where it lies."""

    def __init__(self, folder: str, title: str, files: Mapping[str, Path]) -> None:
        self.folder = folder
        self.title = title
        self.files = dict(files)
        self._read = functools.cache(self._load)

    def asset(self, name: str | None, url_path: str) -> Asset | None:
        """The page (no name, or index.html) or one of its files by name; None for any other
        name. `url_path` is the path the request named."""
        name = name or PAGE
        if name not in self.files:
            return None
        return self._read(name, url_path.endswith(("/", f"/{PAGE}")))

    def response(self, name: str | None, url_path: str) -> func.HttpResponse:
        """The answer to GET of `asset(name, url_path)`: it with SECURITY_HEADERS, or a 404
        problem."""
        found = self.asset(name, url_path)
        if found is None:
            return problem_response(
                ApiError(404, "not-found", "Not found", f"{self.title} has no such file.")
            )
        return func.HttpResponse(
            found.body, headers=SECURITY_HEADERS, mimetype=found.media_type, charset="utf-8"
        )

    def _load(self, name: str, in_folder: bool) -> Asset:
        body = self.files[name].read_bytes()
        if name == PAGE and not in_folder:
            for file in self.files.keys() - {PAGE}:
                body = body.replace(f'="{file}"'.encode(), f'="{self.folder}/{file}"'.encode())
        return Asset(body, _MEDIA_TYPES[Path(name).suffix])
