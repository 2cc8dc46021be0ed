"""Code shared by several functions of the app (imported absolutely and relatively)."""

from .text import shout

__all__ = ["greeting", "shout"]


def greeting(name: str) -> str:
    return f"hello, {name}"
