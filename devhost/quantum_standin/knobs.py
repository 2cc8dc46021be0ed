"""The stand-in's behaviour knobs: set at construction, changeable while it runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Knobs:
    """`queue_seconds` a job stays Waiting, `execution_seconds` it stays Executing after its
    program ran; `transient_error_rate` of all calls (workspace and blob) get 429/503 with
    Retry-After: 0 instead of an answer; `never_finish` keeps jobs Executing; `fail_jobs`
    fails them as a provider would (InvalidInputData), `fail_job_ids` only the jobs with these
    ids; `seed` seeds the fault RNG and the simulator."""

    queue_seconds: float = 0.0
    execution_seconds: float = 0.0
    transient_error_rate: float = 0.0
    never_finish: bool = False
    fail_jobs: bool = False
    fail_job_ids: tuple[str, ...] = ()
    seed: int = 0

    def replace(self, changes: Mapping[str, Any]) -> Knobs:
        """A copy with `changes` applied; ValueError names the first bad knob."""
        values = dataclasses.asdict(self)
        for name, value in changes.items():
            if name not in values:
                raise ValueError(f"unknown knob {name!r}")
            values[name] = _checked(name, value)
        return Knobs(**values)


def _checked(name: str, value: Any) -> Any:
    if name in ("never_finish", "fail_jobs"):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if name == "fail_job_ids":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError("fail_job_ids must be a list of job ids")
        return tuple(value)
    if name == "seed":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("seed must be an integer")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a number >= 0")
    if name == "transient_error_rate" and value > 1:
        raise ValueError("transient_error_rate must be between 0 and 1")
    return float(value)
