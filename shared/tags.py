"""Job tags: short labels a caller attaches to a job and filters its list by."""

from __future__ import annotations

import re
from typing import Any

MAX_TAGS = 10
TAG = re.compile(r"[A-Za-z0-9._:-]{1,64}")
RULE = f"at most {MAX_TAGS} tags, each 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', ':', '-'"


def parse_tags(value: Any) -> list[str] | None:
    """A job request's `tags` (duplicates dropped, order kept); None when not a valid list."""
    if not isinstance(value, list) or len(value) > MAX_TAGS:
        return None
    if not all(isinstance(tag, str) and TAG.fullmatch(tag) for tag in value):
        return None
    return list(dict.fromkeys(value))


def is_tag(text: str) -> bool:
    return bool(TAG.fullmatch(text))
