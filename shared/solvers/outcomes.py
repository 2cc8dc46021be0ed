"""How one shot's output is written as a counts key, whichever way the shot ran.

OpenQASM on qdk, Q# on qdk's interpreter, QIR on qdk's simulator and a provider's
`microsoft.quantum-results.v2` document all give a shot as Python values (Result, bool, int,
float, lists, tuples); `outcome` writes it the way Qiskit prints counts, so the same program
gives the same keys wherever it ran.
"""

from __future__ import annotations

from qdk import Result


def outcome(shot: object) -> str:
    """A shot as a counts key: a tuple's items last first, separated by spaces.

    A Result is "0" or "1"; a list of Results is a bit string from its highest index down
    (c[n-1] ... c[0]); other values are numbers, true/false or [a,b]; Unit is "()", as Q#
    writes it (the interpreter gives it as None, QIR and a provider's results as ()).
    """
    registers = shot if isinstance(shot, tuple) and shot else (shot,)
    return " ".join(value(register) for register in reversed(registers))


def value(item: object) -> str:
    """One register or value of a shot, as `outcome` writes it."""
    if isinstance(item, Result):
        return "1" if item == Result.One else "0"
    if item is None or item == ():
        return "()"
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, list | tuple):
        if all(isinstance(bit, Result) for bit in item):
            return "".join(value(bit) for bit in reversed(item))
        return "[" + ",".join(value(part) for part in item) + "]"
    return str(item)
