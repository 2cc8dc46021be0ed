"""``local.settings.json``: its ``Values`` become environment variables, as with Core Tools.

A variable already set in the environment wins over the file. ``IsEncrypted: true``
files (Core Tools' encrypted form) cannot be read without Core Tools and are refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import MutableMapping
from pathlib import Path

from .app import AppLoadError

LOCAL_SETTINGS_FILE = "local.settings.json"


def load_local_settings(app_dir: Path, environ: MutableMapping[str, str] = os.environ) -> list[str]:
    """Set the file's Values that the environment lacks; the names set."""
    path = app_dir / LOCAL_SETTINGS_FILE
    if not path.is_file():
        return []
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AppLoadError(f"{LOCAL_SETTINGS_FILE}: cannot be read: {exc}") from exc
    if not isinstance(settings, dict):
        raise AppLoadError(f"{LOCAL_SETTINGS_FILE}: must hold a JSON object")
    if settings.get("IsEncrypted") is True:
        raise AppLoadError(f"{LOCAL_SETTINGS_FILE}: encrypted settings are not supported")
    values = settings.get("Values") or {}
    if not isinstance(values, dict):
        raise AppLoadError(f"{LOCAL_SETTINGS_FILE}: 'Values' must be an object")
    loaded = []
    for name, value in values.items():
        if not isinstance(value, str | int | float | bool):
            raise AppLoadError(f"{LOCAL_SETTINGS_FILE}: Values.{name} must be a string")
        if name in environ:
            continue
        environ[name] = json.dumps(value) if isinstance(value, bool) else str(value)
        loaded.append(name)
    return loaded
