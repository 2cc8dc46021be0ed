"""Programs that pass qjobs' textual nesting check and crash qdk's native compiler.

Each hides a deeply nested expression where the lexical pre-scan (program_text.check_text)
does not look: its string and comment blanking is confused by the text around it, while qdk
parses the expression and overflows its stack. Compiled inside the host, one such POST would
kill the host and every job in flight.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEPTH = 20_000  # parentheses: several times what overflows qdk's stack (8 MB)
_NESTED = "(" * DEPTH + "1" + ")" * DEPTH
_REPO_ROOT = Path(__file__).resolve().parents[2]

# name: (kind, source)
CRAFTED: dict[str, tuple[str, str]] = {
    # Q# string interpolation: the scan blanks the whole string, qdk parses what is in braces.
    "qsharp_interpolated_string": (
        "qsharp",
        f'function Main() : Unit {{ let s = $"{{{_NESTED}}}"; }}',
    ),
    # An escaped quote ends the scan's string early; the next quote opens one around the code.
    "qsharp_escaped_quote": (
        "qsharp",
        f'function Main() : Unit {{ let a = "\\""; let b = {_NESTED}; let c = ""; }}',
    ),
    # OpenQASM: the same with an escaped quote in a string (here defcalgrammar's).
    "openqasm_defcalgrammar_string": (
        "circuit",
        f'OPENQASM 3.0;\ndefcalgrammar "\\""; int y = {_NESTED}; defcalgrammar "";\n',
    ),
    # OpenQASM single-quoted strings, each holding a double quote.
    "openqasm_single_quoted_string": (
        "circuit",
        f"OPENQASM 3.0;\nint x = '\"'; int y = {_NESTED}; int z = '\"';\n",
    ),
    # A pragma's text is not code for qdk; for the scan, `/*` opens a comment.
    "openqasm_pragma": ("circuit", f"OPENQASM 3.0;\n#pragma /*\nint y = {_NESTED};\n// */\n"),
    # The same with an annotation.
    "openqasm_annotation": ("circuit", f"OPENQASM 3.0;\n@foo /*\nint y = {_NESTED};\n// */\n"),
}

_COMPILE_DIRECTLY = {
    "qsharp": (
        "import sys\n"
        "from qdk.qsharp import TargetProfile\n"
        "from shared.solvers.qsharp_program import program_context\n"
        "with program_context(sys.stdin.read(), TargetProfile.Unrestricted):\n"
        "    pass\n"
    ),
    "circuit": (
        "import sys\nfrom qdk.openqasm import semantic\nsemantic.analyze(sys.stdin.read())\n"
    ),
}


def compile_directly(kind: str, source: str) -> int:
    """The exit code of a throwaway process that gives `source` to qdk as the host used to
    (negative: the signal that killed it)."""
    return subprocess.run(
        [sys.executable, "-c", _COMPILE_DIRECTLY[kind]],
        input=source,
        capture_output=True,
        text=True,
        cwd=_REPO_ROOT,
        timeout=120,
        check=False,
    ).returncode
