"""Checks the kinds' validators share: a JSON value in, a Python value or InvalidJob out.

A location is the path of a value in the request body, e.g. ("terms", 3, "ids", 0): it gives
the JSON pointer ("/terms/3/ids/0") and the name used in messages ("terms[3].ids[0]").
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from ..config import settings
from .base import InvalidJob

Location = tuple[str | int, ...]

MAX_SEED = 2**64 - 1
MAX_TIME_LIMIT = 60.0
_EXACT_FLOAT = 2**53  # every integer up to this is a float exactly


MAX_PROBLEMS = 20  # problems one answer lists; checking stops at that many


class Problems:
    """The problems of a request's independent checks, gathered so one answer lists them all.

    Each `with problems.check():` block is one check: an InvalidJob raised inside ends the
    block and is kept (with every problem it stands for). `raise_any` raises one InvalidJob
    for all of them; once MAX_PROBLEMS are kept, the next check raises it at once. A check
    that depends on others (a program's compile on its fields) runs after `raise_any`.
    """

    def __init__(self) -> None:
        self.found: list[InvalidJob] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except InvalidJob as problem:
            self.found.extend(problem.each())
            if len(self.found) >= MAX_PROBLEMS:
                raise InvalidJob.gathered(self.found[:MAX_PROBLEMS]) from None

    def raise_any(self) -> None:
        if self.found:
            raise InvalidJob.gathered(self.found)


def pointer(at: Location) -> str:
    """The JSON pointer (RFC 6901) of a location."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in at)


def _name(at: Location) -> str:
    name = ""
    for part in at:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else part
    return name


def invalid(at: Location, problem: str, *, status: int = 400) -> InvalidJob:
    """An InvalidJob for the value at `at`; `problem` completes a sentence about it."""
    return InvalidJob(f"{_name(at)} {problem}", pointer=pointer(at), status=status)


def json_type(value: object) -> str:
    """How a JSON value is called in messages ("a string", "NaN", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return "a fractional number" if not value.is_integer() else "a number with a decimal point"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# The fields every job request may carry whatever its kind; a kind validates the others.
ENVELOPE = frozenset({"kind", "name", "target", "tags", "webhook", "webhook_events"})


def json_object(body: object, at: Location = ()) -> dict[str, Any]:
    """`body`, which must be a JSON object."""
    if not isinstance(body, dict):
        where = _name(at) or "the job request"
        raise InvalidJob(
            f"{where} must be a JSON object, not {json_type(body)}", pointer=pointer(at)
        )
    return body


def known_fields(body: object, allowed: Collection[str], at: Location = ()) -> dict[str, Any]:
    """`body` as an object whose keys are all in `allowed` (400 naming each other key and the
    documented fields: at the request's top level, the envelope's and the kind's)."""
    body = json_object(body, at)
    accepted = ", ".join(sorted({*allowed, *ENVELOPE} if at == () else allowed))
    problems = Problems()
    for key in body:
        if key not in allowed:
            with problems.check():
                raise invalid(
                    (*at, str(key)), f"is not a known field here; the fields are: {accepted}"
                )
    problems.raise_any()
    return body


def required(body: dict[str, Any], name: str, what: str, at: Location = ()) -> Any:
    """The value of field `name`, which must be present; `what` describes it for the caller."""
    if name not in body:
        raise invalid((*at, name), f"is required: {what}")
    return body[name]


def integer(value: object, at: Location, *, low: int, high: int) -> int:
    """An integer in [low, high]. A number with a decimal point but no fraction (410.0) is
    that integer, as JSON Schema's "integer" says, when a float holds it exactly (up to
    2**53); booleans are not integers."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= _EXACT_FLOAT:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(at, f"must be an integer, not {json_type(value)}")
    if not low <= value <= high:
        raise invalid(at, f"must be an integer from {low:,} to {high:,}")
    return int(value)


def finite_number(value: object, at: Location) -> float:
    """A JSON number (integer or not) that is finite as a float."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise invalid(at, f"must be a number, not {json_type(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise invalid(at, "must be a finite number; this one is too large") from None
    if not math.isfinite(number):
        raise invalid(at, f"must be a finite number, not {json_type(value)}")
    return number


def array(value: object, at: Location, *, max_items: int, empty: bool = False) -> list[Any]:
    """An array of at most `max_items` items (413 beyond: the kind's size limit)."""
    if not isinstance(value, list):
        raise invalid(at, f"must be an array, not {json_type(value)}")
    if not value and not empty:
        raise invalid(at, "must not be empty")
    if len(value) > max_items:
        raise invalid(
            at, f"has {len(value):,} items; at most {max_items:,} are allowed", status=413
        )
    return value


def time_limit(body: dict[str, Any], default: float, maximum: float = MAX_TIME_LIMIT) -> float:
    """The optional `time_limit` field: seconds, more than 0 and at most `maximum`.

    The local targets kill a job still running shortly after its time limit (it fails with
    `timeout`), so a kind with this field in its input is bounded even inside one solver call.
    """
    if "time_limit" not in body:
        return default
    seconds = finite_number(body["time_limit"], ("time_limit",))
    if not 0 < seconds <= maximum:
        raise invalid(("time_limit",), f"must be more than 0 and at most {maximum:g} seconds")
    return seconds


MAX_PROGRAM_SHOTS = 10_000
DEFAULT_PROGRAM_SHOTS = 100


def program_fields(body: dict[str, Any], what: str) -> dict[str, Any]:
    """The fields every program kind (circuit, qsharp) shares: `source` (`what` it must be),
    `shots`, `seed` and `time_limit`.

    The source has no length limit of its own: the request body limit (QJOBS_MAX_BODY_BYTES)
    bounds its text, and the compile workers' time and memory limits (QJOBS_COMPILE_SECONDS,
    QJOBS_COMPILE_MEMORY_MB) bound what checking it costs."""
    problems = Problems()
    found: dict[str, Any] = {}
    with problems.check():
        found["source"] = _program_source(body, what)
    with problems.check():
        found["shots"] = integer(
            body.get("shots", DEFAULT_PROGRAM_SHOTS), ("shots",), low=1, high=MAX_PROGRAM_SHOTS
        )
    with problems.check():
        found["seed"] = seed(body)
    with problems.check():
        found["time_limit"] = program_time_limit(body)
    problems.raise_any()
    return found


def _program_source(body: dict[str, Any], what: str) -> str:
    source = required(body, "source", what)
    if not isinstance(source, str):
        raise invalid(("source",), f"must be a string, not {json_type(source)}")
    if not source.strip():
        raise invalid(("source",), "must not be empty")
    return source


def entry_field(body: dict[str, Any]) -> str | None:
    """The optional `entry` expression of a Q# program, stripped; None when absent."""
    if "entry" not in body:
        return None
    entry = body["entry"]
    if not isinstance(entry, str):
        raise invalid(("entry",), f"must be a string, not {json_type(entry)}")
    return entry.strip()


def program_time_limit(body: dict[str, Any]) -> float:
    """`time_limit` of a program kind (circuit, qsharp): its default and maximum are settings."""
    config = settings()
    maximum = config.program_max_time_limit
    return time_limit(body, min(config.program_time_limit, maximum), maximum)


def seed(body: dict[str, Any]) -> int | None:
    """The optional `seed` field: an integer from 0 to 2**64 - 1, or None when absent."""
    if "seed" not in body:
        return None
    return integer(body["seed"], ("seed",), low=0, high=MAX_SEED)
