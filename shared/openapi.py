"""The OpenAPI description of the HTTP contract, kept as shared/openapi.json."""

from __future__ import annotations

import functools
from pathlib import Path

OPENAPI_PATH = Path(__file__).with_name("openapi.json")


@functools.cache
def openapi_document() -> bytes:
    return OPENAPI_PATH.read_bytes()
