"""The gates of Qiskit's `qelib1.inc` that qdk's OpenQASM 2 `qelib1.inc` lacks, as definitions.

Qiskit's OpenQASM 2 exporter assumes a `qelib1.inc` with more gates than the original one
(`qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS` lists them); qdk 1.33 knows some of them (`sxdg`,
`rxx`, `rzz`, `c3x`, `c3sqrtx`), gets three wrong (`csx`, `rccx`, `rc3x`) and lacks the rest.

qdk gives gate parameters OpenQASM 3's `angle` type, which wraps into [0, 2 pi) at every
step: `-x/2` is (2 pi - x)/2 there. The definitions halve before they negate or add.

`with_qelib1_gates` puts a definition of each one a program uses right after its
`include "qelib1.inc";`, on the same line, so qdk's line numbers stay the caller's.

Each definition equals Qiskit's gate of that name, global phase included (checked against
`qiskit.quantum_info.Operator` by tests/unit/test_qelib1_gates.py), except `sx`, which is
Qiskit's up to a global phase of pi/4: OpenQASM 2 has no control modifiers, so a gate's
global phase cannot show in its counts.
"""

from __future__ import annotations

import re

from .program_text import without_comments

DEFINITIONS: dict[str, str] = {
    "u0": "gate u0(gamma) q { U(0, 0, 0) q; }",
    "u": "gate u(theta, phi, lambda) q { U(theta, phi, lambda) q; }",
    "p": "gate p(lambda) q { U(0, 0, lambda) q; }",
    "sx": "gate sx a { sdg a; h a; sdg a; }",
    "swap": "gate swap a, b { cx a, b; cx b, a; cx a, b; }",
    "cswap": "gate cswap a, b, c { cx c, b; ccx a, b, c; cx c, b; }",
    "crx": "gate crx(lambda) a, b { u1(pi/2) b; cx a, b; u3(-(lambda/2), 0, 0) b; cx a, b;"
    " u3(lambda/2, -(pi/2), 0) b; }",
    "cry": "gate cry(lambda) a, b { ry(lambda/2) b; cx a, b; ry(-(lambda/2)) b; cx a, b; }",
    "cp": "gate cp(lambda) a, b { u1(lambda/2) a; cx a, b; u1(-(lambda/2)) b; cx a, b;"
    " u1(lambda/2) b; }",
    "cu": "gate cu(theta, phi, lambda, gamma) c, t { u1(gamma) c; u1(lambda/2 + phi/2) c;"
    " u1(lambda/2 - phi/2) t; cx c, t; u3(-(theta/2), 0, -(phi/2) - lambda/2) t; cx c, t;"
    " u3(theta/2, phi, 0) t; }",
    # qdk defines the next three, but wrongly (csx) or so that they fail ("Angle sizes must be
    # the same"); a program's own definition replaces qdk's.
    "csx": "gate csx a, b { h b; cu1(pi/2) a, b; h b; }",
    "rccx": "gate rccx a, b, c { h c; t c; cx b, c; tdg c; cx a, c; t c; cx b, c; tdg c; h c; }",
    "rc3x": "gate rc3x a, b, c, d { h d; t d; cx c, d; tdg d; h d; cx a, d; t d; cx b, d;"
    " tdg d; cx a, d; t d; cx b, d; tdg d; h d; t d; cx c, d; tdg d; h d; }",
    # C4X as controlled-sqrt(X) steps around two C3X (exact; no ancilla).
    "c4x": "gate c4x a, b, c, d, e { h e; cu1(pi/2) d, e; h e; c3x a, b, c, d; h e;"
    " cu1(-(pi/2)) d, e; h e; c3x a, b, c, d; c3sqrtx a, b, c, e; }",
}

_INCLUDE = re.compile(r'include\s*"qelib1\.inc"\s*;')
_STATEMENT_START = re.compile(r"(?:^|[;{}])\s*([A-Za-z_][A-Za-z0-9_]*)\s*[(A-Za-z_]")
_DECLARED = re.compile(r"\b(?:gate|opaque|qreg|creg)\s+([A-Za-z_][A-Za-z0-9_]*)")


def with_qelib1_gates(source: str) -> str:
    """`source` with the definitions of the gates above it applies and does not define.

    Only a program that includes qelib1.inc gets them (OpenQASM 3 programs include
    stdgates.inc, which qdk has whole).
    """
    missing = missing_definitions(source)
    include = _INCLUDE.search(without_comments(source))
    if include is None or not missing:
        return source
    at = include.end()
    return source[:at] + " " + " ".join(DEFINITIONS[name] for name in missing) + source[at:]


def missing_definitions(source: str) -> list[str]:
    """The gates of DEFINITIONS that `with_qelib1_gates` defines for `source`."""
    text = without_comments(source)
    if _INCLUDE.search(text) is None:
        return []
    declared = set(_DECLARED.findall(text))
    applied = {match.group(1) for match in _STATEMENT_START.finditer(text)}
    return [name for name in DEFINITIONS if name in applied and name not in declared]
