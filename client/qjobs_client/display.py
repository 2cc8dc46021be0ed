"""A job as a person reads it: rows of (label, value), as an HTML table in a notebook."""

from __future__ import annotations

import html
import json
from typing import Any

from .models import JobStatus

_MAX_OUTCOMES = 8


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def result_rows(kind: str, result: dict[str, Any]) -> list[tuple[str, str]]:
    """The parts of a result worth showing first, by kind."""
    if kind == "number_partitioning":
        return [
            ("subsets", " | ".join(_compact(s) for s in result.get("subsets", []))),
            ("sums", _compact(result.get("sums"))),
            ("difference", str(result.get("difference"))),
            ("optimal", str(result.get("optimal"))),
        ]
    if kind in ("ising", "pubo"):
        configuration = result.get("configuration", {})
        spins = " ".join(
            f"{k}:{v:+d}" if kind == "ising" else f"{k}:{v}"
            for k, v in sorted(configuration.items(), key=lambda item: int(item[0]))
        )
        return [("cost", str(result.get("cost"))), ("configuration", spins)]
    if kind in ("circuit", "qsharp"):
        counts: dict[str, int] = result.get("counts", {})
        top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:_MAX_OUTCOMES]
        shown = ", ".join(f"{outcome}: {n}" for outcome, n in top)
        if len(counts) > _MAX_OUTCOMES:
            shown += f", … ({len(counts)} outcomes)"
        return [("shots", str(result.get("shots"))), ("counts", shown)]
    return [("result", _compact(result))]


def status_rows(status: JobStatus) -> list[tuple[str, str]]:
    rows = [
        ("id", status.id),
        ("name", status.name or ""),
        ("kind", status.kind),
        ("target", status.target),
        ("status", status.status),
        ("created", status.created),
        ("started", status.started or ""),
        ("finished", status.finished or ""),
    ]
    if status.error:
        rows.append(("error", f"{status.error.get('code')}: {status.error.get('message')}"))
    return rows


def html_table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
        f"<td style='text-align:left'>{html.escape(value)}</td></tr>"
        for label, value in rows
    )
    return f"<table>{cells}</table>"


def job_html(status: JobStatus | None, job_id: str, result: dict[str, Any] | None) -> str:
    """A notebook's view of a job: its status and, once known, the result's main parts."""
    if status is None:
        return html_table([("id", job_id), ("status", "unknown")])
    rows = status_rows(status)
    if result is not None:
        rows += result_rows(status.kind, result)
    return html_table(rows)
