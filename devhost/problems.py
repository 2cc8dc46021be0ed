"""Error answers from the host itself (not from a function): RFC 9457 problem+json."""

from __future__ import annotations

from aiohttp import web


def problem(status: int, title: str, detail: str) -> web.Response:
    return web.json_response(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )
