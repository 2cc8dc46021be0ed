"""The pricing table of remote targets (QJOBS_PRICING, else the shipped pricing.json) and the
cost of one program under it.

Formulas, as the providers publish them:
- `per_gate_shot` (IonQ): shots x (one-qubit gates x price + two-qubit gates x price), at
  least `minimum` per program;
- `hqc` (Quantinuum's H-System Quantum Credits): 5 + shots x (N1q + 10 N2q + 5 Nm) / 5000,
  in HQC (what an HQC costs depends on the subscription);
- `free`: 0.
A target without an entry, or with null, has no cost estimate (null).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from .config import ConfigError, settings

_SHIPPED = Path(__file__).with_name("pricing.json")


@functools.cache
def pricing_table() -> dict[str, Any]:
    """QJOBS_PRICING (a JSON file path or JSON text), else the shipped table."""
    raw = settings().pricing
    try:
        if not raw:
            return json.loads(_SHIPPED.read_text())
        if raw.lstrip().startswith("{"):
            return json.loads(raw)
        return json.loads(Path(raw).read_text())
    except (OSError, ValueError) as error:
        raise ConfigError(f"QJOBS_PRICING is not a readable JSON table: {error}") from None


def cost_of(target: str, shots: int, gates: dict[str, int] | None) -> dict[str, Any] | None:
    """{"amount", "currency", "formula", "taken"} of one program, or None without a price."""
    table = pricing_table()
    entry = table.get("targets", {}).get(target)
    if not isinstance(entry, dict) or gates is None:
        return None
    formula = entry.get("formula")
    if formula == "free":
        amount = 0.0
    elif formula == "per_gate_shot":
        per_shot = (
            gates["one_qubit"] * entry["one_qubit_gate_shot"]
            + gates["two_qubit"] * entry["two_qubit_gate_shot"]
        )
        amount = max(entry.get("minimum") or 0.0, shots * per_shot)
    elif formula == "hqc":
        weighted = gates["one_qubit"] + 10 * gates["two_qubit"] + 5 * gates["measurements"]
        amount = 5 + shots * weighted / 5000
    else:
        return None
    return {
        "amount": round(amount, 6),
        "currency": entry.get("currency", "USD"),
        "formula": formula,
        "taken": table.get("taken"),
    }
